import { open } from 'node:fs/promises';
import { createDigest, prepareAlgorithm, type AlgorithmName } from './algorithms.ts';
import { nativePath } from '../scan/folder.ts';

export interface HashedFile {
	hash: string;
	size: number;
	/** The mtime the content was read under (from fstat after the read). */
	mtimeMs: number;
}

export interface HashOptions {
	algorithm: AlgorithmName;
	blockSize: number;
	/** Called with the number of bytes of each block read. */
	onBytes?: (bytes: number) => void;
	/** Attempts before a file that keeps changing is given up on. */
	attempts?: number;
	/** Checked before every block: a stop does not wait for a large file's end. */
	signal?: AbortSignal;
}

/** Raised when a file changed under every attempt to read it: not a corruption. */
export class FileChangingError extends Error {
	readonly code = 'E_CHANGING';
	constructor(attempts: number) {
		super(`the file kept changing while it was read (${attempts} attempts); it will be checked again next run`);
	}
}

/**
 * Streams a file through the digest in `blockSize` chunks. The file is stat'ed through the
 * same handle before and after the read; if size or mtime moved, or the bytes read differ
 * from the size, someone wrote to it meanwhile, and it is read again (chkbit's lesson).
 */
export async function hashFile(path: string, options: HashOptions): Promise<HashedFile> {
	const attempts = options.attempts ?? 3;
	await prepareAlgorithm(options.algorithm);
	const buffer = Buffer.allocUnsafe(options.blockSize);
	for (let attempt = 1; attempt <= attempts; attempt++) {
		const handle = await open(nativePath(path), 'r');
		try {
			const before = await handle.stat();
			const digest = createDigest(options.algorithm);
			let total = 0;
			for (;;) {
				if (options.signal?.aborted) throw new Error('stopped');
				const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
				if (bytesRead === 0) break;
				digest.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
				total += bytesRead;
				options.onBytes?.(bytesRead);
				// a file that keeps growing (a log being written) would never reach its end
				if (total > before.size) break;
			}
			const after = await handle.stat();
			const steady = before.size === after.size && before.mtimeMs === after.mtimeMs && total === after.size;
			if (steady) return { hash: digest.digest(), size: total, mtimeMs: after.mtimeMs };
		} finally {
			await handle.close();
		}
	}
	throw new FileChangingError(attempts);
}
