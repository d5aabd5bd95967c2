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
		const chunk = Buffer.allocUnsafe(chunkSize);
		let carry: Buffer = Buffer.alloc(0);
		let position = start;
		let lineStart = start;
		for (;;) {
			const { bytesRead } = await handle.read(chunk, 0, chunkSize, position);
			if (bytesRead === 0) break;
			position += bytesRead;
			const data: Buffer = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
			let from = 0;
			for (let nl = data.indexOf(10, from); nl >= 0; nl = data.indexOf(10, from)) {
				yield { text: data.toString('utf8', from, nl), offset: lineStart, bytes: nl - from };
				lineStart += nl - from + 1;
				from = nl + 1;
			}
			carry = Buffer.from(data.subarray(from));
		}
		if (carry.length) yield { text: carry.toString('utf8'), offset: lineStart, bytes: carry.length };
	} finally {
		await handle.close();
	}
}
