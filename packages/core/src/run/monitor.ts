// One monitoring run of one side, from its lock to its result. Its phases, in order:
//
//   start (start.ts)      the folders checked, the threads started, the scan under way
//   set up (here)         the database opened (its seal checked beside the merge), the events
//                         journal, the new database's writer, the checkpoint, rolling's plan
//   merge (merge.ts)      the scan and the old database walked together; each file compared,
//                         hashed if need be, and settled in key order into the new database
//   commit (here)         moves paired, the database finished and sealed, collisions found,
//                         the events journal made whole, then the one rename that commits
//                         (docs/reliability.md), and the events appended to their logs
//
// What the phases share is the run's state (state.ts), passed to each. Memory grows with what
// changed, never with the number of files.

import { join } from 'node:path';
import { rootsOf, type Root } from '../config/config.ts';
import { dbFileName } from '../config/folder.ts';
import { DbWriter, openDb, sealAfter } from '../db/index.ts';
import { EventLogWriter } from '../events/eventlog.ts';
import { ALARMING, emptyCounts, type FileEvent } from '../events/events.ts';
import type { FolderRun } from '../scan/scan.ts';
import { enterCommonFolder } from '../scan/workdir.ts';
import { CheckpointReader, CheckpointWriter, removeCheckpoints } from './checkpoint.ts';
import { CollisionWatch } from './collisions.ts';
import { DuplicateWatch } from './duplicates.ts';
import { acquireLock, type LockOwner } from './lock.ts';
import { merge } from './merge.ts';
import { LeftOut } from './leftout.ts';
import { MoveCandidates, removeScratch } from './moves.ts';
import type { Progress, RunOptions, RunResult } from './options.ts';
import { checkRoots, openScan, startThreads } from './start.ts';
import { emit, type RunState, type Threads } from './state.ts';
import { RollingRun } from './verifying.ts';

/**
 * One monitoring run of one side: scan, hash, compare with the previous database as two
 * sorted streams, emit events, write the new database.
 */
export async function runMonitor(options: RunOptions): Promise<RunResult> {
	const { config, role } = options;
	const now = options.now ?? Date.now;
	const roots = rootsOf(config, role);
	await checkRoots(config, role, roots);
	const lock = await acquireLock(config.dir, role);
	try {
		return await monitor(options, roots, now, lock.tookOverFrom);
	} finally {
		await lock.release();
	}
}

async function monitor(options: RunOptions, roots: Root[], now: () => number, tookOverFrom: LockOwner | undefined): Promise<RunResult> {
	const startedAt = now();
	const threads = await startThreads(options, roots);
	const directory = options.host.workingDirectory;
	const workdir = directory ? enterCommonFolder(roots, directory) : undefined;
	threads.pool?.openFrom(workdir?.path);
	// the listing (on the threads, with its lstat) starts now, before the database is opened
	const { scan, listing } = openScan(options, roots, threads.pool, workdir?.statBases);
	try {
		return await setUpAndMerge(options, roots, now, startedAt, threads, scan, tookOverFrom);
	} finally {
		await scan.return(undefined).catch(() => {});
		// a run that ended before taking its first folder (a damaged database) ends its listing too
		await listing.return(undefined).catch(() => {});
		await threads.pool?.close();
		workdir?.leave();
	}
}

async function setUpAndMerge(options: RunOptions, roots: Root[], now: () => number, startedAt: number, threads: Threads, scan: AsyncGenerator<FolderRun>, tookOverFrom: LockOwner | undefined): Promise<RunResult> {
	const { config, role } = options;
	const lowMemory = options.host.lowMemory;
	const dbPath = join(config.dir, dbFileName(role));
	// where the run writes: the config folder, or a dry run's own folder (RunOptions.dryRun)
	const out = options.dryRun?.into ?? config.dir;
	// the seal is checked once the run is set up, beside the merge; nothing is committed before it is
	let setUp!: () => void;
	const previous = await openDb(dbPath, { sealer: sealAfter(new Promise<void>((resolve) => (setUp = resolve))), lowMemory });
	const progress: Progress = { files: 0, bytes: 0, hashedFiles: 0, hashedBytes: 0 };
	if (previous) Object.assign(progress, { totalFiles: previous.run.count, totalBytes: previous.run.bytes });
	if (!options.dryRun) await EventLogWriter.recover(config.dir, role, previous?.run.startedAt);
	const log = await EventLogWriter.open(out, role, new Date(startedAt).toISOString(), lowMemory);
	const sameAlgorithm = !previous || previous.header.algorithm === config.algorithm;
	const writer = await DbWriter.create(join(out, dbFileName(role)), { role, algorithm: config.algorithm }, sameAlgorithm ? previous : undefined, lowMemory);
	const moves = previous ? await MoveCandidates.create(out, role, lowMemory) : undefined;
	let resume: CheckpointReader | undefined;
	let journal: CheckpointWriter | undefined;
	let run: RunState | undefined;
	let aborted = false;
	let committed = false;
	try {
		// open (and merge) the old checkpoint before the new one is started over it
		// (opening it merges and drops journals: a dry run leaves them as they are)
		if (!options.dryRun) resume = await CheckpointReader.open(config.dir, role, config.algorithm, previous?.run.startedAt);
		journal = await CheckpointWriter.create(out, role, config.algorithm, new Date(startedAt).toISOString(), { flushMs: options.checkpointFlushMs, lowMemory });
		const rolling = await RollingRun.start(config, previous, sameAlgorithm, startedAt);
		// a first run indexes every entry for its collisions as it goes (see CollisionWatch)
		const collisions = new CollisionWatch(!previous && !lowMemory);
		run = { options, config, roots, now, startedAt, lowMemory, previous, sameAlgorithm, writer, log, journal, resume, moves, collisions, rolling, threads, counts: emptyCounts(), progress, position: 0, skipped: 0, noLongerMonitored: 0 };
		setUp();
		aborted = await merge(run, scan);
		if (aborted) await writer.discard();
		else {
			await commit(run);
			committed = true;
		}
	} catch (error) {
		await writer.discard();
		// a database that fails its seal explains whatever went wrong reading it
		setUp();
		await previous?.sealed;
		throw error;
	} finally {
		// stopped or failed: the checkpoint stays for the next run to continue from
		await resume?.close().catch(() => {});
		// committed, the journal is removed: its last lines need not reach the disk first
		if (committed) await journal?.discard().catch(() => {});
		else await journal?.close().catch(() => {});
		await moves?.close();
		await removeScratch(out, role);
		if (committed) await removeCheckpoints(out, role);
		if (!committed) await log.discard();
	}
	// committed: the events go to their logs (a failure here leaves them for the next run)
	if (committed) log.commit();
	return resultOf(run!, aborted, tookOverFrom);
}

/** Every file settled: the moves, the database finished and sealed, its collisions, the events made whole, then the commit. */
async function commit(run: RunState): Promise<void> {
	const { writer, rolling } = run;
	// nothing is left to hash or list: the threads end while the run commits
	const closing = run.threads.pool?.close();
	const duplicates = new DuplicateWatch();
	const found = (event: FileEvent) => {
		emit(run, event);
		if (event.type === 'NewFile') duplicates.noteNew(event.hash!, event.size!);
	};
	const leftOut = new LeftOut(run.roots);
	run.noLongerMonitored = (await run.moves?.settle(run.now, found, (key) => leftOut.stillThere(key))) ?? 0;
	await run.previous?.sealed;
	await writer.finish({
		startedAt: new Date(run.startedAt).toISOString(),
		finishedAt: new Date(run.now()).toISOString(),
		toolVersion: run.options.toolVersion,
		roots: run.roots,
		counts: run.counts,
		...(rolling ? { coverage: rolling.coverage.result(), rolling: rolling.summary, rollingHint: rolling.coverage.hint() } : {}),
	});
	// their memory goes before the collision index is sorted
	await closing;
	const collisions = run.collisions;
	const seen = duplicates.any ? (file: { key: string; size: number; hash: string }, changed: boolean) => duplicates.see(file, changed) : undefined;
	const passed = await collisions.find(writer.pending, run.config.algorithm, run.lowMemory, run.now, (event) => emit(run, event), seen);
	if (run.moves) {
		const pass = passed ? undefined : { dbPath: writer.pending, lowMemory: run.lowMemory, changed: (ordinal: number) => collisions.changedAt(ordinal) };
		await duplicates.find(run.moves.newFiles(), pass, run.now, (event) => emit(run, event));
	}
	// every event on the disk before the commit that makes them due (SPEC §13)
	await run.log.prepare();
	await writer.publish();
}

function resultOf(run: RunState, aborted: boolean, tookOverFrom: LockOwner | undefined): RunResult {
	const { counts, progress, previous, rolling } = run;
	const result: RunResult = {
		role: run.options.role,
		startedAt: run.startedAt,
		finishedAt: run.now(),
		algorithm: run.config.algorithm,
		firstRun: !previous,
		files: progress.files,
		bytes: progress.bytes,
		hashedFiles: progress.hashedFiles,
		hashedBytes: progress.hashedBytes,
		resumedFiles: run.resume?.used ?? 0,
		skippedFiles: run.skipped,
		counts,
		alarming: [...ALARMING].some((type) => counts[type] > 0),
		aborted,
	};
	if (run.noLongerMonitored > 0) result.noLongerMonitored = run.noLongerMonitored;
	if (!run.sameAlgorithm) result.previousAlgorithm = previous!.header.algorithm;
	if (tookOverFrom) result.tookOverLockFrom = tookOverFrom;
	if (rolling) result.rolling = rolling.summary;
	if (rolling && !aborted) result.coverage = rolling.coverage.result();
	return result;
}
