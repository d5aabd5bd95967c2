import { open, readFile, rename, unlink } from 'node:fs/promises';
import type { RunOutcome } from '@equilybrium/core';

// status.json in the package's var folder: written by the daemon only (atomically, so the
// settings page never reads half a file), read by the settings page.

export type { RunOutcome } from '@equilybrium/core';

/** One run of B as the daemon saw it: from the run's record when it left one, else from how its process ended. */
export interface LastRun {
	startedAt: string;
	finishedAt: string;
	reason: 'scheduled' | 'manual';
	outcome: RunOutcome;
	exitCode: number | null;
	durationMs: number;
	/** Events found, by type (only those found), from the run record. */
	counts: Record<string, number>;
	files?: number;
	bytes?: number;
	hashedFiles?: number;
	hashedBytes?: number;
	firstRun?: boolean;
	/** What went wrong: the record's error, else the end of the run's error output. */
	message?: string;
}

export interface Status {
	state: 'idle' | 'running' | 'stopped';
	pid: number;
	version: string;
	daemonStartedAt: string;
	updatedAt: string;
	configDir?: string;
	schedule?: string;
	nextRun?: string;
	running?: { startedAt: string; reason: 'scheduled' | 'manual' };
	lastRun?: LastRun;
	/** Problems a person must fix (config folder, permissions, config errors), in plain words. */
	problems: string[];
	warnings: string[];
}

export async function writeStatus(file: string, status: Status): Promise<void> {
	const tmp = `${file}.tmp`;
	const handle = await open(tmp, 'w');
	try {
		await handle.writeFile(JSON.stringify(status, null, 2) + '\n');
		await handle.sync();
	} finally {
		await handle.close();
	}
	await rename(tmp, file).catch(async (error: unknown) => {
		await unlink(tmp).catch(() => {});
		throw error;
	});
}

export async function readStatus(file: string): Promise<Status | undefined> {
	try {
		return JSON.parse(await readFile(file, 'utf8')) as Status;
	} catch {
		return undefined;
	}
}

/** Is the daemon that wrote this status still running? (A daemon killed hard leaves "running" behind.) */
export async function daemonAlive(status: Status | undefined): Promise<boolean> {
	if (!status || status.state === 'stopped' || !Number.isInteger(status.pid) || status.pid <= 0) return false;
	try {
		process.kill(status.pid, 0);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false; // EPERM: alive, another user's
	}
	// A recycled pid is not our daemon (the stop script checks the same).
	const cmdline = await readFile(`/proc/${status.pid}/cmdline`, 'utf8').catch(() => undefined);
	return cmdline === undefined || cmdline.includes('equilybrium-dsm-daemon');
}

export const OUTCOME_OF_EXIT: Record<number, RunOutcome> = { 0: 'ok', 1: 'found', 2: 'bad-config', 3: 'failed' };
