import { open } from 'node:fs/promises';
import { createDigest, prepareAlgorithm } from './algorithms.ts';
import type { AlgorithmName } from './names.ts';
import { nativePath } from '../scan/folder.ts';
import { READ_ATTEMPTS, SteadyRead } from './steady.ts';
import { E_CHANGING, E_NOTFILE } from './wire.ts';

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
	readonly code = E_CHANGING;
	constructor(attempts: number) {
		super(`the file kept changing while it was read (${attempts} attempts); it will be checked again next run`);
	}
}

/** Raised for a path that is no longer a regular file when it is opened. */
const notAFile = () => Object.assign(new Error('not a regular file'), { code: E_NOTFILE });

/**
 * Streams a file through the digest in `blockSize` chunks, on this thread, read again while
 * it changes (see steady.ts).
 */
export async function hashFile(path: string, options: HashOptions): Promise<HashedFile> {
	const attempts = options.attempts ?? READ_ATTEMPTS;
	await prepareAlgorithm(options.algorithm);
	const buffer = Buffer.allocUnsafe(options.blockSize);
	for (let attempt = 1; attempt <= attempts; attempt++) {
		const handle = await open(nativePath(path), 'r');
		try {
			const read = new SteadyRead(buffer.length);
			if (read.before(await handle.stat())) throw notAFile();
			const digest = createDigest(options.algorithm);
			for (let more = true; more; ) {
				if (options.signal?.aborted) throw new Error('stopped');
				const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
				if (bytesRead > 0) {
					digest.update(bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead));
					options.onBytes?.(bytesRead);
				}
				more = read.read(bytesRead);
			}
			const end = read.after(await handle.stat());
			if (end.kind === 'steady') return { hash: digest.digest(), size: end.size, mtimeMs: end.mtimeMs };
		} finally {
			await handle.close();
		}
	}
	throw new FileChangingError(attempts);
}
