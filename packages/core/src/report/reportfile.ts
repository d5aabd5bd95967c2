import { appendFile, open, readFile, stat, truncate } from 'node:fs/promises';
import { CoreError } from '../errors.ts';
import { join } from 'node:path';
import { readLines } from '../files/lines.ts';
import { localTimestamp } from './format.ts';
import { emptyCounts, EVENT_TYPES, parseEventLine, type EventType, type FileEvent } from '../events/events.ts';
import { eventLogName, REPORT_FILE } from '../config/folder.ts';

/**
 * A section starts with this line; its date is when A's run ended, to the millisecond, because
 * it is also where B's events for the next section start from. A's local time with its offset
 * (sections written before were in UTC, and are read as they are).
 */
export const SECTION_HEADING = /^=== Equilybrium report (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d{3})?) (UTC|[+-]\d\d:\d\d) ===$/;

export function sectionHeading(at: number): string {
	return `=== Equilybrium report ${localTimestamp(at)} ===`;
}

/** What a side's logs hold since a moment: every type counted, the first few kept. */
export interface EventDigest {
	counts: Record<EventType, number>;
	samples: Record<EventType, FileEvent[]>;
	/** When the earliest event counted happened (undefined: none). */
	earliest?: number;
}

export function emptyDigest(): EventDigest {
	return { counts: emptyCounts(), samples: Object.fromEntries(EVENT_TYPES.map((t) => [t, []])) as unknown as EventDigest['samples'] };
}

export async function readEventsSince(dir: string, role: 'A' | 'B', since: number, keep: number): Promise<EventDigest> {
	const digest = emptyDigest();
	for (const type of EVENT_TYPES) {
		const path = join(dir, eventLogName(role, type));
		try {
			await stat(path);
		} catch {
			continue;
		}
		for await (const line of readLines(path)) {
			const event = parseEventLine(line.text);
			if (!event || event.at < since || event.type !== type) continue;
			digest.counts[type]++;
			if (digest.earliest === undefined || event.at < digest.earliest) digest.earliest = event.at;
			if (digest.samples[type].length < keep) digest.samples[type].push(event);
		}
	}
	return digest;
}

/**
 * Appends a section; the report is never rewritten. A section that cannot be appended whole
 * (a full disk) is cut back off, so that the report ends with its last complete section and
 * the next one covers this run too (see readEventsSince's `since`).
 */
export async function appendReportSection(dir: string, section: string): Promise<void> {
	const path = join(dir, REPORT_FILE);
	let separator = '';
	let size = 0;
	try {
		size = (await stat(path)).size;
		if (size > 0) {
			const handle = await open(path, 'r');
			const last = Buffer.alloc(1);
			await handle.read(last, 0, 1, size - 1);
			await handle.close();
			separator = last[0] === 10 ? '\n' : '\n\n';
		}
	} catch {
		// no report yet
	}
	try {
		await appendFile(path, separator + section.replace(/\n*$/, '\n'));
	} catch (error) {
		await truncate(path, size).catch(() => {});
		const code = (error as NodeJS.ErrnoException).code ?? String(error);
		throw new CoreError('E_IO', `${REPORT_FILE}: this run's section could not be appended (${code}). The run itself is committed; the next section will cover it.`);
	}
}

/** The last section of the report and when it was written, or undefined if there is none. */
export async function latestReportSection(dir: string): Promise<{ text: string; at: number } | undefined> {
	let text: string;
	try {
		text = await readTail(join(dir, REPORT_FILE), 8 << 20);
	} catch {
		return undefined;
	}
	const lines = text.split('\n');
	for (let i = lines.length - 1; i >= 0; i--) {
		const m = SECTION_HEADING.exec(lines[i]!);
		if (!m) continue;
		const body = lines.slice(i).join('\n').replace(/\n+$/, '\n');
		return { text: body, at: Date.parse(`${m[1]}T${m[2]}${m[3] === 'UTC' ? 'Z' : m[3]}`) };
	}
	return undefined;
}

// --- internal ---

/** The report grows for years: read only its end. */
async function readTail(path: string, bytes: number): Promise<string> {
	const size = (await stat(path)).size;
	if (size <= bytes) return readFile(path, 'utf8');
	const handle = await open(path, 'r');
	try {
		const buffer = Buffer.alloc(bytes);
		await handle.read(buffer, 0, bytes, size - bytes);
		const text = buffer.toString('utf8');
		return text.slice(text.indexOf('\n') + 1);
	} finally {
		await handle.close();
	}
}
