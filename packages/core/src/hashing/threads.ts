// Starting hashing threads: their heaps capped, and the first ones started early, before a
// run needs them.

import { Worker } from 'node:worker_threads';
import type { RunHost } from '../host.ts';
import { threadProgram } from './program.ts';

/** The threads listing folders: lstat is a system call a file, which two cores make twice as fast as one. */
export const LISTING_THREADS = 2;

function newThread(lowMemory: boolean): Worker {
	return new Worker(threadProgram(), { eval: true, resourceLimits: lowMemory ? LOW_WORKER_LIMITS : WORKER_LIMITS });
}

/** Threads started by prestartThreads and not taken by a pool yet. */
const spares: Worker[] = [];

/** A thread for a pool: one started early, or a new one. */
export function takeThread(lowMemory: boolean): Worker {
	return spares.shift() ?? newThread(lowMemory);
}

/**
 * Starts the threads a run lists its folders on (as many as a pool of `Workers = auto` would)
 * now, before the program has read its config: a thread takes 30–45 ms to start (Node's own
 * modules), time a run otherwise spends waiting for its first folder. The first pool takes
 * them. Not taken, they keep nothing alive: a command that wants none (another command, a
 * config with `Workers = 0`, an error) ends as if they had never started.
 */
export function prestartThreads(host: Pick<RunHost, 'cores' | 'lowMemory'>): void {
	const count = host.lowMemory ? 1 : Math.min(LISTING_THREADS, host.cores);
	for (let i = spares.length; i < count; i++) {
		const worker = newThread(host.lowMemory);
		worker.unref();
		// a thread that fails before a pool takes it is not given to one
		worker.once('error', () => {
			const at = spares.indexOf(worker);
			if (at >= 0) spares.splice(at, 1);
		});
		spares.push(worker);
	}
}

/** Threads started early and not taken yet (for tests). */
export const spareThreads = (): number => spares.length;

// a worker holds one block, one batch of paths (at most 1024, ~4 MB in the worst case) and its results,
// or one folder's listing; a young generation of 16 MB, not 2: listing and lstat make garbage
// a file, and at 2 MB a third of a thread's time went to collecting it
const WORKER_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 24 };
/** With the launchers' small heap (see RunHost.lowMemory): what a thread needs, no more. */
const LOW_WORKER_LIMITS = { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 12 };
