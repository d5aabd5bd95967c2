import { readSync } from 'node:fs';
import { open } from 'node:fs/promises';

export interface Line {
	text: string;
	/** Byte offset of the line's first byte. */
	offset: number;
	/** Byte length, without the '\n'. */
	bytes: number;
}

/**
 * Reads a file as '\n'-terminated lines from `start`, a chunk at a time, so memory stays
 * flat whatever the file's size. Splitting on the byte 0x0A is safe in UTF-8.
 */
export async function* readLines(path: string, start = 0, chunkSize = 1 << 20): AsyncGenerator<Line> {
	const handle = await open(path, 'r');
	try {
		// one buffer for the whole file (a new one a chunk would wait for the garbage collector
		// outside the heap: tens of MB while a run reads a large database twice)
		let chunk = Buffer.allocUnsafe(chunkSize);
		let carry = 0;
		let position = start;
		let lineStart = start;
		for (;;) {
			// a line longer than the chunk: grow the chunk rather than split the line
			if (carry === chunk.length) chunk = Buffer.concat([chunk, Buffer.allocUnsafe(chunk.length)]);
			const { bytesRead } = await handle.read(chunk, carry, chunk.length - carry, position);
			if (bytesRead === 0) break;
			position += bytesRead;
			const end = carry + bytesRead;
			const data = chunk.subarray(0, end);
			let from = 0;
			for (let nl = data.indexOf(10, from); nl >= 0; nl = data.indexOf(10, from)) {
				yield { text: data.toString('utf8', from, nl), offset: lineStart, bytes: nl - from };
				lineStart += nl - from + 1;
				from = nl + 1;
			}
			chunk.copy(chunk, 0, from, end);
			carry = end - from;
		}
		if (carry) yield { text: chunk.toString('utf8', 0, carry), offset: lineStart, bytes: carry };
	} finally {
		await handle.close();
	}
}

/**
 * The same lines, without offsets, a chunk's worth at a time: one decode and one split per
 * chunk instead of a string and a generator step per line (a database is read every run).
 */
export async function* readLineChunks(path: string, start = 0, chunkSize = 1 << 20): AsyncGenerator<string[]> {
	const handle = await open(path, 'r');
	try {
		let chunk = Buffer.allocUnsafe(chunkSize);
		let carry = 0;
		let position = start;
		for (;;) {
			// a line longer than the chunk: grow the chunk rather than split the line
			if (carry === chunk.length) chunk = Buffer.concat([chunk, Buffer.allocUnsafe(chunk.length)]);
			const { bytesRead } = await handle.read(chunk, carry, chunk.length - carry, position);
			position += bytesRead;
			const end = carry + bytesRead;
			if (bytesRead === 0) {
				if (carry) yield [chunk.toString('utf8', 0, carry)];
				return;
			}
			const last = chunk.lastIndexOf(10, end - 1);
			if (last < 0) {
				carry = end;
				continue;
			}
			const lines = chunk.toString('utf8', 0, last).split('\n');
			chunk.copy(chunk, 0, last + 1, end);
			carry = end - last - 1;
			yield lines;
		}
	} finally {
		await handle.close();
	}
}

/**
 * The file open as `fd`, from `start`, as blocks of whole '\n'-terminated lines (the last
 * block may end without one), a chunk at a time, as bytes: for copying lines elsewhere
 * without decoding them. A block is valid until the next is read: one buffer serves the whole
 * file (a new one a chunk would wait outside the heap for a collection: a million-file run's
 * journal is tens of MB). Synchronous: for a caller with nothing else to do meanwhile, to
 * whom an asynchronous read (a round trip through the thread pool) costs more than the copy.
 */
export function* readLineBlocksSync(fd: number, start = 0, chunkSize = 1 << 20): Generator<Buffer> {
	let chunk = Buffer.allocUnsafe(chunkSize);
	let carry = 0;
	let position = start;
	for (;;) {
		// a line longer than the chunk: a larger chunk rather than a split line
		if (carry === chunk.length) chunk = Buffer.concat([chunk, Buffer.allocUnsafe(chunk.length)]);
		const bytesRead = readSync(fd, chunk, carry, chunk.length - carry, position);
		position += bytesRead;
		const end = carry + bytesRead;
		if (bytesRead === 0) {
			if (end) yield chunk.subarray(0, end);
			return;
		}
		const last = chunk.lastIndexOf(10, end - 1);
		if (last < 0) {
			carry = end;
			continue;
		}
		yield chunk.subarray(0, last + 1);
		chunk.copy(chunk, 0, last + 1, end);
		carry = end - last - 1;
	}
}
