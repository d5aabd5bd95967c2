// What a run is given (RunOptions), tells as it goes (Progress) and returns (RunResult).

import type { Config, Role } from '../config/config.ts';
import type { EventCounts, FileEvent } from '../events/events.ts';
import type { RunHost } from '../host.ts';
import type { Coverage } from './coverage.ts';
import type { LockOwner } from './lock.ts';

export interface RunOptions {
	config: Config;
	role: Role;
	toolVersion: string;
	/** The clock, injectable for deterministic tests (ms since epoch). */
	now?: () => number;
	signal?: AbortSignal;
	onEvent?: (event: FileEvent) => void;
	onProgress?: (progress: Progress) => void;
	/** Files read at once on the main thread (when there are no workers). */
	concurrency?: number;
	/** Overrides the config's `Workers`: hashing threads, 0 = the main thread. */
	workers?: number;
	/** How often the checkpoint is handed to the OS (ms; default 2000). Tests kill runs. */
	checkpointFlushMs?: number;
	/** The machine and the process the run runs in, as the shell found them. */
	host: RunHost;
	/**
	 * `run --new-only`: only files the database does not hold are read; a known file keeps its
	 * entry as it is (its mtime too, so the next full run reads it if it changed). A database of
	 * another algorithm is still read again whole: its digests cannot be kept.
	 */
	newOnly?: boolean;
	/**
	 * `run --dry-run`: the whole run, but whatever it would write in the config folder (the new
	 * database, the events journal and logs, checkpoints, scratch files) goes to `into`, a folder
	 * of the shell's outside it, which the shell reads and removes. The config folder is only
	 * read; the lock is taken there as for any run (no run replaces the database while it is
	 * read) and removed at the end. A stopped run's checkpoint is not used, nor a journal left
	 * behind delivered.
	 */
	dryRun?: { into: string };
}

export interface Progress {
	files: number;
	bytes: number;
	hashedFiles: number;
	hashedBytes: number;
	/** The files and bytes the previous database held: what this run will likely see (unknown on a first run). */
	totalFiles?: number;
	totalBytes?: number;
	current?: string;
	/** Every file is settled: the run is finding moves, writing and sealing its database. */
	committing?: boolean;
}

export interface RunResult {
	role: Role;
	startedAt: number;
	finishedAt: number;
	algorithm: string;
	/** Files whose digest came from the checkpoint of a stopped run instead of being read again. */
	resumedFiles: number;
	/** Files found unchanged a block at a time (listing digests), not compared one by one. */
	skippedFiles: number;
	/** Entries of the database whose files are still there but now left out by `Exclude` or a filter: dropped quietly (SPEC §3). */
	noLongerMonitored?: number;
	/** Set when the database was made with another algorithm and every file was re-hashed. */
	previousAlgorithm?: string;
	firstRun: boolean;
	files: number;
	bytes: number;
	hashedFiles: number;
	hashedBytes: number;
	counts: EventCounts;
	/** Something a person must look at: corruption, unreadable files, hash collisions. */
	alarming: boolean;
	aborted: boolean;
	tookOverLockFrom?: LockOwner;
	/** Verify = rolling N: what was planned and done, and how fresh the whole tree is. */
	rolling?: RollingSummary;
	coverage?: Coverage;
}

export interface RollingSummary {
	plannedFiles: number;
	plannedBytes: number;
	/** Unchanged files re-hashed for rolling verification this run. */
	verifiedFiles: number;
	verifiedBytes: number;
	/** Due files left for the next run because Max run time was reached. */
	deferredFiles: number;
}
