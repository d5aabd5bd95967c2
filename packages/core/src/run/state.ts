// What one run carries from phase to phase (monitor.ts sets it up and runs the phases in
// order): what it started from, where what it finds goes, and what it has counted so far. A
// phase is a function given this state, so what it reads and changes is in its signature.

import type { Config, Root } from '../config/config.ts';
import type { DbEntry, DbWriter, OpenedDb, StoredEntry } from '../db/index.ts';
import type { EventLogWriter } from '../events/eventlog.ts';
import type { EventCounts, FileEvent } from '../events/events.ts';
import type { HashPool } from '../hashing/pool.ts';
import type { CheckpointReader, CheckpointWriter } from './checkpoint.ts';
import type { CollisionWatch } from './collisions.ts';
import type { MoveCandidates } from './moves.ts';
import type { Progress, RunOptions } from './options.ts';
import type { RollingRun } from './verifying.ts';

export interface RunState {
	readonly options: RunOptions;
	readonly config: Config;
	readonly roots: Root[];
	/** The run's clock (injectable), and when the run started by it. */
	readonly now: () => number;
	readonly startedAt: number;
	/** The process runs with a small heap (RunHost.lowMemory). */
	readonly lowMemory: boolean;
	/** The database the run started from, and whether its digests are of this run's algorithm. */
	readonly previous: OpenedDb | undefined;
	readonly sameAlgorithm: boolean;
	/** Where settled files go: the new database, the events journal, the checkpoint. */
	readonly writer: DbWriter;
	readonly log: EventLogWriter;
	readonly journal: CheckpointWriter;
	/** A stopped run's digests, taken instead of reading the files again. */
	readonly resume: CheckpointReader | undefined;
	/** What the run found and lost, paired into moves once every file is settled (a run with a database). */
	readonly moves: MoveCandidates | undefined;
	readonly collisions: CollisionWatch;
	/** Verify = rolling N. */
	readonly rolling: RollingRun | undefined;
	readonly threads: Threads;
	readonly counts: EventCounts;
	readonly progress: Progress;
	/** Entries put in the new database so far: the next one's place in it. */
	position: number;
	/** Files whose listing matched the database's, block by block, not compared one by one. */
	skipped: number;
	/** Entries dropped because their files, still there, are now left out (leftout.ts). */
	noLongerMonitored: number;
}

/** Where files are hashed. */
export interface Threads {
	/** None: hashed on this thread (Workers = 0, an algorithm no thread computes). */
	pool: HashPool | undefined;
	/** Root label → the device it is on, for per-disk read scheduling. */
	devices: ReadonlyMap<string, string>;
	/** Files hashed at once on this thread. */
	hereWidth: number;
}

/** An event found: counted, journaled, told. */
export function emit(run: RunState, event: FileEvent): void {
	run.counts[event.type]++;
	run.log.put(event);
	run.options.onEvent?.(event);
}

/** The file the run is at, for progress. */
export function report(run: RunState, current: string): void {
	run.progress.current = current;
	run.options.onProgress?.(run.progress);
}

/** An entry into the new database (`stored`: the old entry's lines, when it is kept as it was). */
export function write(run: RunState, entry: DbEntry, changed: boolean, stored?: StoredEntry): void {
	run.writer.put(entry, stored);
	run.rolling?.coverage.add(entry.size, entry.verifiedAt);
	run.collisions.written(run.position++, entry.hash, entry.size, changed);
}

/** Everything buffered goes out once there is enough of it, and the checkpoint when due. */
export async function drain(run: RunState): Promise<void> {
	await run.writer.drain();
	await run.log.drain();
	await run.journal.tick();
	await run.moves?.drain();
}
