// Hashing what the merge decided to hash: on the pool's threads, or on this thread (no
// threads, a thread died, a file to try again), or not at all when a stopped run's checkpoint
// has the digest. Each file's outcome is put on its work; the merge settles it in order.

import { hashFile, FileChangingError, type HashedFile } from '../hashing/hash.ts';
import { E_NOTFILE, NOT_STATED } from '../hashing/wire.ts';
import { describe, statListed, type ScannedFile } from '../scan/scan.ts';
import type { RunState } from './state.ts';

/** `verifiedAt` is set when the digest comes from a stopped run's checkpoint. */
export type HashOutcome = { ok: true; file: HashedFile; verifiedAt?: number } | { ok: false; reason: string; vanished?: boolean };

/** A file the merge decided to hash: `outcome` is set when its digest (or failure) is in. */
export interface Hashing {
	file: ScannedFile;
	outcome?: HashOutcome;
}

/** Hashes files on the pool (or here), and puts each outcome on its work. */
export async function hashAll(run: RunState, files: Hashing[]): Promise<void> {
	const { pool, devices } = run.threads;
	const progress = run.progress;
	let retry: Hashing[] = files;
	if (pool && !pool.broken) {
		// a unit's files are in one root: its device, looked up once
		const key = files[0]!.file.key;
		const device = devices.get(key.slice(0, key.indexOf('/')));
		// counted as each file is done: a unit of large files takes minutes, and progress moves meanwhile
		const results = await pool.hashMany(files.map((work) => work.file), device, (result) => {
			if (result instanceof Error) return;
			progress.hashedFiles++;
			progress.hashedBytes += result.size;
			run.options.onProgress?.(progress);
		});
		retry = [];
		files.forEach((work, i) => {
			const result = results[i]!;
			if (!(result instanceof Error)) {
				if (work.file.size === NOT_STATED) progress.bytes += result.size;
				work.outcome = { ok: true, file: result };
			} else if (work.file.size === NOT_STATED && isVanished(result)) {
				work.outcome = { ok: false, reason: describe(result), vanished: true };
			} else if (pool.broken || isBusy(result)) {
				// a dead worker is not the file's fault; a locked file gets a second chance
				retry.push(work);
			} else work.outcome = failed(result);
		});
		if (retry.length === 0) return;
		if (!pool.broken) await delay(500);
	}
	await hashHere(run, retry);
}

/** A stopped run's digest of this file, if it has one and the file has not changed since. */
export async function resumed(run: RunState, file: ScannedFile): Promise<HashOutcome | undefined> {
	const saved = await run.resume?.take(file.key);
	if (!saved || saved.size !== file.size || saved.mtimeMs !== file.mtimeMs) return undefined;
	run.resume!.used++;
	return { ok: true, file: { hash: saved.hash, size: saved.size, mtimeMs: saved.mtimeMs }, verifiedAt: saved.verifiedAt };
}

/** A digest to the checkpoint, for a stopped run's successor to take (see checkpoint.ts). */
export function toCheckpoint(run: RunState, key: string, outcome: HashOutcome): void {
	if (outcome.ok) run.journal.putLine(key, outcome.file.size, outcome.file.mtimeMs, outcome.file.hash, outcome.verifiedAt ?? run.now());
}

/** Hashes on this thread, `concurrency` files at a time. */
async function hashHere(run: RunState, files: Hashing[]): Promise<void> {
	let next = 0;
	const lane = async () => {
		while (next < files.length) {
			const work = files[next++]!;
			work.outcome = await hashKnown(run, work.file);
		}
	};
	await Promise.all(Array.from({ length: Math.min(run.threads.hereWidth, files.length) }, lane));
}

/** A file not stat'ed yet (the pool broke) is stat'ed first: never open a FIFO. */
async function hashKnown(run: RunState, file: ScannedFile): Promise<HashOutcome> {
	if (file.size !== NOT_STATED) return hash(run, file);
	const found = statListed({ kind: 'listed', key: file.key, path: file.path });
	if (!found) return { ok: false, reason: 'gone since the listing', vanished: true };
	if (found.kind === 'unreadable') return { ok: false, reason: found.reason };
	run.progress.bytes += found.size;
	return hash(run, found);
}

async function hash(run: RunState, file: ScannedFile): Promise<HashOutcome> {
	const { algorithm, blockSize } = run.config;
	const progress = run.progress;
	const onBytes = (n: number) => {
		progress.hashedBytes += n;
	};
	for (let attempt = 1; ; attempt++) {
		try {
			const signal = run.options.signal;
			const hashed = await hashFile(file.path, { algorithm, blockSize, onBytes, ...(signal ? { signal } : {}) });
			progress.hashedFiles++;
			return { ok: true, file: hashed };
		} catch (error) {
			// a file locked for a moment (an editor saving, an antivirus scan) gets a second chance
			if (attempt === 1 && isBusy(error)) {
				await delay(500);
				continue;
			}
			return failed(error);
		}
	}
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isVanished(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'ENOENT' || code === E_NOTFILE;
}

function isBusy(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'EBUSY' || code === 'EPERM' || code === 'EACCES';
}

function failed(error: unknown): HashOutcome {
	if (error instanceof FileChangingError) return { ok: false, reason: error.message };
	return { ok: false, reason: describe(error) };
}
