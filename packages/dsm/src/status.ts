import { open, readFile, rename, unlink } from 'node:fs/promises';

// status.json in the package's var folder: written by the daemon only (atomically, so the
// settings page never reads half a file), read by the settings page.

export type RunOutcome = 'ok' | 'found' | 'bad-config' | 'failed' | 'stopped';

export interface LastRun {
	startedAt: string;
	finishedAt: string;
	reason: 'scheduled' | 'manual';
	outcome: RunOutcome;
	exitCode: number | null;
	/** The run's own one-line summary. */
	summary: string;
	/** Events found, by type, when the summary names them. */
	counts: Record<string, number>;
	files?: number;
	/** What went wrong, in the run's words (the end of its error output). */
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

export const OUTCOME_OF_EXIT: Record<number, RunOutcome> = { 0: 'ok', 1: 'found', 2: 'bad-config', 3: 'failed' };
