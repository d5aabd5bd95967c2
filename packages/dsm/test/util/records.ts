import { chownSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunRecord } from '@equilybrium/core';
import type { Progress, Status } from '../../src/index.ts';

// Run records, run histories, progress files and daemon statuses as the command line and the
// daemon write them (contracts §1 and §4), for the page and CGI tests: the page is checked
// against these files, whatever wrote them.

const TYPES = ['NewFile', 'FileModified', 'FileCorrupted', 'FileMovedOrRenamed', 'FileNotFound', 'HashCollision', 'FileUnreadable'];
const HOUR = 3_600_000;

/** A record's fields a test sets; counts and verdict counts name only what is not 0. */
export type RecordExtra = Omit<Partial<RunRecord>, 'counts' | 'verdict'> & {
	counts?: Record<string, number>;
	verdict?: Omit<NonNullable<RunRecord['verdict']>, 'counts'> & { counts: Record<string, number> };
};

export function record(role: 'A' | 'B', finishedAt: number, extra: RecordExtra = {}): RunRecord {
	const durationMs = extra.durationMs ?? 94_000;
	const counts = Object.fromEntries(TYPES.map((t) => [t, extra.counts?.[t] ?? 0])) as RunRecord['counts'];
	const verdict = extra.verdict && ({ ...extra.verdict, counts: { backedUp: 0, pending: 0, missingOnB: 0, outdatedOnB: 0, corruptedOnB: 0, corruptedOnA: 0, onlyOnB: 0, ...extra.verdict.counts } } as RunRecord['verdict']);
	return {
		version: 1,
		role,
		toolVersion: '1.0.0',
		startedAt: new Date(finishedAt - durationMs).toISOString(),
		finishedAt: new Date(finishedAt).toISOString(),
		durationMs,
		exitCode: 0,
		outcome: 'ok',
		folders: 2,
		files: 12_034,
		bytes: 48_318_230_528,
		hashedFiles: 12_034,
		hashedBytes: 48_318_230_528,
		firstRun: false,
		...(extra as Partial<RunRecord>),
		counts,
		...(verdict ? { verdict } : {}),
	};
}

/** `n` nightly runs of B, the last ending `lastAt`, one a day; a few found something or failed, the last did not. */
export function nightlyHistory(n: number, lastAt: number): RunRecord[] {
	const runs: RunRecord[] = [];
	for (let ago = n - 1; ago >= 0; ago--) {
		const at = lastAt - ago * 24 * HOUR;
		if (ago % 9 === 5) runs.push(record('B', at, { outcome: 'found', exitCode: 1, counts: { FileCorrupted: 1, NewFile: 3 } }));
		else if (ago % 13 === 8) runs.push(record('B', at, { outcome: 'failed', exitCode: 3, durationMs: 4000, files: 0, bytes: 0, hashedFiles: 0, hashedBytes: 0, error: { code: 'E_IO', message: 'cannot read /volume1/photo: EIO' } }));
		else runs.push(record('B', at, { files: 12_034 - ago, durationMs: 94_000 - ago * 1000, counts: { NewFile: ago % 3, FileModified: ago % 2 } }));
	}
	return runs;
}

export function progress(startedAt: number, extra: Partial<Progress> = {}): Progress {
	return {
		role: 'B',
		startedAt: new Date(startedAt).toISOString(),
		updatedAt: new Date().toISOString(),
		phase: 'hashing',
		files: 5_210,
		bytes: 20_937_965_568,
		hashedFiles: 5_210,
		hashedBytes: 20_937_965_568,
		totalFiles: 12_034,
		totalBytes: 48_318_230_528,
		bytesPerSecond: 118_489_088,
		etaSeconds: 231,
		...extra,
	};
}

export function daemonStatus(pid: number, extra: Partial<Status> = {}): Status {
	return { state: 'idle', pid, version: '1.0.0', daemonStartedAt: new Date(Date.now() - 30 * 24 * HOUR).toISOString(), updatedAt: new Date().toISOString(), schedule: '0 3 * * *', problems: [], warnings: [], ...extra };
}

/** Writes a file as the package user would (the CGI runs as that user and may need to read it). */
export function put(path: string, content: unknown, owner?: { uid: number; gid: number }): void {
	writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
	if (owner) chownSync(path, owner.uid, owner.gid);
}

export function putHistory(dir: string, runs: RunRecord[], owner?: { uid: number; gid: number }): void {
	put(join(dir, 'equilybrium.B.run-history.jsonl'), runs.map((r) => JSON.stringify(r)).join('\n') + '\n', owner);
}
