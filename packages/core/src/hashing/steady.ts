// Reading a file whole while nobody writes to it (chkbit's lesson): it is streamed through
// its digest, and its size and mtime are compared before and after the read through the same
// handle; if either moved, or the bytes read are not its size, someone wrote to it meanwhile,
// and it is read again, up to READ_ATTEMPTS times. Decided here once, for its two readers: a
// hashing thread's synchronous reads (thread.ts) and this thread's asynchronous ones (hash.ts).

import type { StatFacts } from '../scan/quickstat.ts';
import { LARGE_READ } from './wire.ts';

/** Reads of a file that keeps changing before it is given up on. */
export const READ_ATTEMPTS = 3;

/** How an attempt ended: the digest is the content's (`steady`), or why it is not. */
export type ReadEnd =
	| { kind: 'steady'; size: number; mtimeMs: number }
	| { kind: 'changed' }
	| { kind: 'not a file' }
	/** Large, on a disk that reads one large file at a time: given back unread. */
	| { kind: 'large'; size: number };

/**
 * One attempt at reading an open file whole. Its reader asks `statFirst`, and if so gives the
 * handle's fstat to `before`; then reads block after block into the digest while `read` says
 * to; then gives the fstat after to `after`.
 */
export class SteadyRead {
	/** Whether the handle is to be fstat'ed before it is read. */
	readonly statFirst: boolean;
	private size: number;
	private mtimeMs: number;
	private total = 0;

	/**
	 * `known`: the size and mtime the scan saw, standing in for an fstat before the read (a
	 * first attempt of a file the scan stat'ed); `holdLarge`: a file found large is given back
	 * unread (see ReadEnd).
	 */
	constructor(
		private blockSize: number,
		known?: { size: number; mtimeMs: number },
		private holdLarge = false,
	) {
		this.size = known ? known.size : -1;
		this.mtimeMs = known ? known.mtimeMs : -1;
		this.statFirst = !known;
	}

	/** The fstat before the read: undefined to read on, or how the attempt ends. */
	before(facts: StatFacts): ReadEnd | undefined {
		if (!facts.isFile()) return NOT_A_FILE;
		if (this.holdLarge && facts.size >= LARGE_READ) return { kind: 'large', size: facts.size };
		// copied: a quick fstat's result is reused by the next (see scan/quickstat.ts)
		this.size = facts.size;
		this.mtimeMs = facts.mtimeMs;
		return undefined;
	}

	/** `n` bytes were read (and fed to the digest): whether to read another block. */
	read(n: number): boolean {
		if (n === 0) return false;
		this.total += n;
		// a short read at the expected end: the size check after the read covers a file that grew
		if (n < this.blockSize && this.total === this.size) return false;
		// a file that keeps growing (a log being written) would never reach its end
		return this.total <= this.size;
	}

	/** The fstat after the read: steady, or changed (read it again). */
	after(facts: StatFacts): ReadEnd {
		const steady = facts.size === this.size && facts.mtimeMs === this.mtimeMs && this.total === facts.size;
		return steady ? { kind: 'steady', size: this.total, mtimeMs: facts.mtimeMs } : CHANGED;
	}
}

const NOT_A_FILE: ReadEnd = { kind: 'not a file' };
const CHANGED: ReadEnd = { kind: 'changed' };
