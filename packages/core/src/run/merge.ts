// The merge: the scan and the old database walked together, as two sorted streams, a folder's
// run of files at a time. While the listing matches the database's block by block, blocks are
// skipped (skip.ts); from the first difference on, each file is compared with its old entry
// (work.ts), hashed if need be (hashing.ts) and settled in key order (settle.ts), with no more
// files in flight than a window, so that memory stays flat and a stop has little to wait for.

import type { DbReader, StoredEntry } from '../db/index.ts';
import { BatchCursor } from '../files/cursor.ts';
import type { FolderStats } from '../scan/folder.ts';
import type { FolderRun, ListedItem, ScanItem, ScanProblem } from '../scan/scan.ts';
import { toCheckpoint } from './hashing.ts';
import { settleUnit } from './settle.ts';
import { ListingSkip, maySkip, skipUnchanged, type GivenBack } from './skip.ts';
import { drain, emit, write, type RunState } from './state.ts';
import type { OldEntry } from './verifying.ts';
import { cutUnits, goneBefore, planWork, startHashing, type Unit } from './work.ts';

/** Files sent to the threads and not settled yet: deep enough to keep them fed. */
const WORKER_WINDOW = 2048;

/** The units started and not settled yet, in key order. */
interface InFlight {
	units: Unit[];
	/** Their files being hashed. */
	hashing: number;
	/** How many may be. */
	window: number;
}

/** Walks the scan and the old database together; true if the run was stopped. */
export async function merge(run: RunState, scan: AsyncGenerator<FolderRun>): Promise<boolean> {
	const { previous, threads } = run;
	const signal = run.options.signal;
	const blocks = maySkip(run);
	let skipping = blocks ? new ListingSkip(blocks) : undefined;
	let skippedBlocks = 0;
	// the old entries are read from the first block not skipped, once the merge needs them
	let reader: DbReader | undefined;
	async function* oldBatches(): AsyncGenerator<OldEntry[]> {
		const from = skipping?.blocksSkipped ?? skippedBlocks;
		// every block skipped: no entry left to read
		if (!previous || previous.entriesFrom(from) === 0) return;
		reader = previous.reader(from);
		yield* withDue(run, reader.batches());
	}
	const old = new BatchCursor<OldEntry>(oldBatches());
	const flight: InFlight = { units: [], hashing: 0, window: threads.pool ? (run.lowMemory ? WORKER_WINDOW / 4 : WORKER_WINDOW) : 2 * threads.hereWidth };
	try {
		for await (const folder of scan) {
			if (signal?.aborted) return await stop(run, flight, scan);
			const unreadable = unreadableFolder(folder);
			if (skipping) {
				// an unreadable folder keeps its old entries: that is the merge's to do (below)
				const left = unreadable ? skipping.giveBack() : await skipFolder(run, skipping, folder, flight);
				if (left === STOPPED) return await stop(run, flight, scan);
				if (!left) continue;
				// the listing differs from here on: the rest of the run compares entry by entry
				skippedBlocks = skipping.blocksSkipped;
				skipping = undefined;
				if (await planAll(run, flight, old, left.batch, undefined, left.resolved)) return await stop(run, flight, scan);
				if (!unreadable) continue;
			}
			if (unreadable) {
				if (await keepUnreadable(run, flight, old, unreadable)) return await stop(run, flight, scan);
				continue;
			}
			// a folder listed here (a thread died) is stat'ed here (see planWork)
			if (await planAll(run, flight, old, folder.batch, folder.stats)) return await stop(run, flight, scan);
		}
		if (skipping?.held) {
			const { batch, resolved } = skipping.giveBack();
			if (await planAll(run, flight, old, batch, undefined, resolved)) return await stop(run, flight, scan);
		}
		await goneBefore(run, old, undefined);
		if (await settleReady(run, flight, 1)) return await stop(run, flight, scan);
		run.progress.committing = true;
		run.options.onProgress?.(run.progress);
		return false;
	} finally {
		// a stopped run leaves the old database's reader mid-file: close it
		await old.close();
		await reader?.close();
	}
}

const STOPPED = 'stopped';

/**
 * A folder's run while the listing still matches the database's: its blocks skipped, or,
 * where one may hold files to verify again, compared entry by entry with that block alone.
 * What differs is given back, for the rest of the run to compare entry by entry.
 */
async function skipFolder(run: RunState, skipping: ListingSkip, folder: FolderRun, flight: InFlight): Promise<GivenBack | typeof STOPPED | undefined> {
	for (let at = 0; ; ) {
		const step = await skipUnchanged(run, skipping, folder, at);
		if (!step || !('block' in step)) return step;
		const cursor = new BatchCursor<OldEntry>(withDue(run, run.previous!.block(step.block, (reader) => reader.batches())));
		try {
			if ((await planAll(run, flight, cursor, step.given.batch, undefined, step.given.resolved)) || (await settleReady(run, flight, 1))) return STOPPED;
		} finally {
			await cursor.close();
		}
		at = step.resume;
	}
}

/** Everything that was below a folder that cannot be listed now is kept, not lost; true if stopped. */
async function keepUnreadable(run: RunState, flight: InFlight, old: BatchCursor<OldEntry>, folder: ScanProblem): Promise<boolean> {
	if (await settleReady(run, flight, 1)) return true;
	await goneBefore(run, old, folder.key);
	emit(run, { type: 'FileUnreadable', key: folder.key, details: folder.reason, at: run.now() });
	for (;;) {
		if (old.needsLoad) await old.load();
		const entry = old.peek();
		if (!entry || !entry.key.startsWith(folder.key)) break;
		old.shift();
		write(run, entry, false, entry);
	}
	await drain(run);
	return false;
}

/** A run of listed files merged, cut into units and sent to be hashed, within the window; true if stopped. */
async function planAll(run: RunState, flight: InFlight, old: BatchCursor<OldEntry>, batch: ListedItem[], stats: FolderStats | undefined, resolved?: (ScanItem | undefined)[]): Promise<boolean> {
	for (const unit of cutUnits(run, await planWork(run, batch, old, stats, resolved))) {
		// no more files in flight than the window: a stop then has little to wait for
		if (unit.files.length && (await settleReady(run, flight, flight.window - unit.files.length + 1))) return true;
		startHashing(run, unit);
		flight.units.push(unit);
		flight.hashing += unit.hashing;
	}
	return settleReady(run, flight, flight.window);
}

/** Settles the ready units in order, and waits for units until fewer than `until` files are hashing; true if stopped. */
async function settleReady(run: RunState, flight: InFlight, until: number): Promise<boolean> {
	const signal = run.options.signal;
	const units = flight.units;
	while (units.length > 0) {
		const unit = units[0]!;
		if (!unit.ready) {
			if (flight.hashing < until) return false;
			// a large file can take minutes: a stop must not wait for its digest
			if (signal ? await settledOrStopped(unit.hashed!, signal) : (await unit.hashed, false)) return true;
		}
		if (signal?.aborted) return true;
		// a stop in the middle of a unit leaves its unsettled rest for stop()
		if (!settleUnit(run, unit)) return true;
		units.shift();
		flight.hashing -= unit.hashing;
		await drain(run);
	}
	return false;
}

/** Stopped: digests already computed go to the checkpoint, in key order. Nothing is lost. */
async function stop(run: RunState, flight: InFlight, scan: AsyncGenerator<unknown>): Promise<true> {
	run.threads.pool?.abort();
	await scan.return(undefined);
	for (const unit of flight.units) {
		await unit.hashed;
		for (const work of unit.items) if ('outcome' in work && work.outcome) toCheckpoint(run, work.file.key, work.outcome);
	}
	return true;
}

/** The old entries, each marked due or not for rolling verification. */
function withDue(run: RunState, batches: AsyncGenerator<StoredEntry[]>): AsyncGenerator<OldEntry[]> {
	return run.rolling ? run.rolling.withDue(batches) : batches;
}

/** The one item of a folder that could not be listed. */
function unreadableFolder(folder: FolderRun): ScanProblem | undefined {
	if (folder.length !== 1) return undefined;
	const first = folder.batch[0]!;
	return first.kind === 'unreadable' && first.key.endsWith('/') ? first : undefined;
}

/**
 * True if `signal` aborts before `work` settles. The listener goes when the work settles:
 * racing every file against one never-settling promise would keep a reaction per file.
 */
function settledOrStopped(work: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) return Promise.resolve(true);
	return new Promise((resolve) => {
		const onAbort = () => resolve(true);
		signal.addEventListener('abort', onAbort, { once: true });
		void work.then(() => {
			signal.removeEventListener('abort', onAbort);
			resolve(false);
		});
	});
}
