import { open } from 'node:fs/promises';

// The report is appended by A, a dated section per run, and can grow for years: only its
// tail is read. A section starts with a line beginning "=== " (the report's heading style);
// if none is found in the tail, the tail itself is shown.

export const REPORT_FILE = 'equilybrium.report.txt';
const TAIL_BYTES = 256 * 1024;
const SECTION_START = /^=== /;

export async function lastReportSection(file: string): Promise<string | undefined> {
	let handle;
	try {
		handle = await open(file, 'r');
	} catch {
		return undefined;
	}
	try {
		const { size } = await handle.stat();
		const length = Math.min(size, TAIL_BYTES);
		const buffer = Buffer.alloc(length);
		await handle.read(buffer, 0, length, size - length);
		let lines = buffer.toString('utf8').split(/\r?\n/);
		if (length < size) lines = lines.slice(1); // the first line may be cut
		const start = lines.findLastIndex((line) => SECTION_START.test(line));
		const section = start >= 0 ? lines.slice(start) : lines.slice(-80);
		return section.join('\n').trimEnd();
	} finally {
		await handle.close();
	}
}
