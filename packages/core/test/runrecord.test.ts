import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Worker } from 'node:worker_threads';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	buildRunRecord,
	emptyCounts,
	readRunHistory,
	readRunRecord,
	writeFileAtomic,
	writeRunRecord,
	RUN_HISTORY_FILE,
	RUN_RECORD_FILE,
	type RunRecord,
	type RunResult,
} from '../src/index.ts';
import { removeDir, tempDir } from './util/tree.ts';

const T = Date.parse('2026-03-01T03:00:00Z');

function result(extra: Partial<RunResult> = {}): RunResult {
	return {
		role: 'B', startedAt: T, finishedAt: T + 2500, algorithm: 'sha256', resumedFiles: 0, skippedFiles: 0, firstRun: false,
		files: 12, bytes: 3400, hashedFiles: 2, hashedBytes: 100, counts: { ...emptyCounts(), NewFile: 2 }, alarming: false, aborted: false, ...extra,
	};
}

const build = suite('the record of a run (SPEC §12)');

build('a finished run: times, counts of every event type, files and bytes', () => {
	const r = buildRunRecord({ role: 'B', toolVersion: '1.2.3', startedAt: T - 50, finishedAt: T + 2600, exitCode: 0, folders: 2, result: result() });
	assert.equal(r, {
		version: 1, role: 'B', toolVersion: '1.2.3', startedAt: '2026-03-01T03:00:00.000Z', finishedAt: '2026-03-01T03:00:02.600Z', durationMs: 2600,
		exitCode: 0, outcome: 'ok', folders: 2, files: 12, bytes: 3400, hashedFiles: 2, hashedBytes: 100, firstRun: false,
		counts: { NewFile: 2, FileModified: 0, FileCorrupted: 0, FileMovedOrRenamed: 0, FileNotFound: 0, HashCollision: 0, FileUnreadable: 0, DuplicateFile: 0, ChangedSinceImport: 0 },
	});
});

build('outcomes: found, failed with its error, stopped, a bad config', () => {
	assert.is(buildRunRecord({ role: 'A', toolVersion: 't', startedAt: T, finishedAt: T, exitCode: 1, folders: 1, result: result() }).outcome, 'found');
	const failed = buildRunRecord({ role: 'A', toolVersion: 't', startedAt: T, finishedAt: T + 5, exitCode: 3, folders: 1, error: { code: 'E_LOCKED', message: 'held' } });
	assert.equal([failed.outcome, failed.error, failed.files, failed.durationMs], ['failed', { code: 'E_LOCKED', message: 'held' }, 0, 5]);
	assert.is(buildRunRecord({ role: 'A', toolVersion: 't', startedAt: T, finishedAt: T, exitCode: 3, folders: 1, result: result({ aborted: true }) }).outcome, 'stopped');
	assert.is(buildRunRecord({ role: 'A', toolVersion: 't', startedAt: T, finishedAt: T, exitCode: 3, folders: 1, stopped: true }).outcome, 'stopped');
	assert.is(buildRunRecord({ role: 'A', toolVersion: 't', startedAt: T, finishedAt: T, exitCode: 2, folders: 0, error: { code: 'E_CONFIG', message: 'x' } }).outcome, 'bad-config');
});

build('coverage with its oldest verification as a date', () => {
	const coverage = { days: 30, files: 10, verifiedFiles: 9, bytes: 1, verifiedBytes: 1, share: 0.9, oldestVerifiedAt: T - 86_400_000 };
	const r = buildRunRecord({ role: 'B', toolVersion: 't', startedAt: T, finishedAt: T, exitCode: 0, folders: 1, result: result({ coverage }) });
	assert.equal(r.coverage, { days: 30, share: 0.9, oldestVerifiedAt: '2026-02-28T03:00:00.000Z' });
});

build.run();

// ---

const files = suite('written atomically, read back, kept as a short history');

files('write, read, and the other role or a garbled file reads as none', async () => {
	const dir = tempDir();
	const r = buildRunRecord({ role: 'B', toolVersion: 't', startedAt: T, finishedAt: T + 1, exitCode: 0, folders: 1, result: result() });
	await writeRunRecord(dir, r);
	assert.equal(await readRunRecord(dir, 'B'), r);
	assert.is(await readRunRecord(dir, 'A'), undefined);
	assert.equal(readdirSync(dir).sort(), [RUN_RECORD_FILE('B'), RUN_HISTORY_FILE('B')].sort(), 'no temporary file left');
	writeFileSync(join(dir, RUN_RECORD_FILE('A')), '{"version":1,"role":"A"');
	assert.is(await readRunRecord(dir, 'A'), undefined);
	removeDir(dir);
});

files('the history: newest last, cut to its last 100 once it passes 200', async () => {
	const dir = tempDir();
	const at = (i: number): RunRecord => buildRunRecord({ role: 'A', toolVersion: 't', startedAt: T + i, finishedAt: T + i, exitCode: 0, folders: 1 });
	for (let i = 0; i < 200; i++) await writeRunRecord(dir, at(i));
	const lines = () => readFileSync(join(dir, RUN_HISTORY_FILE('A')), 'utf8').trimEnd().split('\n');
	assert.is(lines().length, 200);
	await writeRunRecord(dir, at(200));
	assert.is(lines().length, 100);
	assert.is(JSON.parse(lines()[99]!).finishedAt, new Date(T + 200).toISOString());
	const last3 = await readRunHistory(dir, 'A', 3);
	assert.equal(last3.map((r) => r.finishedAt), [T + 198, T + 199, T + 200].map((t) => new Date(t).toISOString()));
	writeFileSync(join(dir, RUN_HISTORY_FILE('A')), lines().join('\n') + '\n{"torn":\n');
	assert.is((await readRunHistory(dir, 'A', 500)).length, 100, 'a line that does not parse is skipped');
	removeDir(dir);
});

files('a reader on another thread never sees half a record while it is rewritten', async () => {
	const dir = tempDir();
	const path = join(dir, RUN_RECORD_FILE('B'));
	const big = (i: number) => JSON.stringify({ i, pad: 'x'.repeat(200_000 + (i % 7) * 10_000) });
	await writeFileAtomic(path, big(0));
	const reader = new Worker(
		`const { parentPort, workerData } = require('node:worker_threads');
		const { readFileSync } = require('node:fs');
		let reads = 0, torn = 0;
		parentPort.on('message', () => parentPort.postMessage({ reads, torn }));
		(function loop() {
			for (let k = 0; k < 50; k++) {
				try { JSON.parse(readFileSync(workerData, 'utf8')); } catch { torn++; }
				reads++;
			}
			setImmediate(loop);
		})();`,
		{ eval: true, workerData: path },
	);
	for (let i = 1; i <= 150; i++) await writeFileAtomic(path, big(i));
	const seen = await new Promise<{ reads: number; torn: number }>((resolve) => {
		reader.once('message', resolve);
		reader.postMessage('done?');
	});
	await reader.terminate();
	assert.ok(seen.reads > 0);
	assert.is(seen.torn, 0, `${seen.torn} of ${seen.reads} reads saw a torn file`);
	assert.is(JSON.parse(readFileSync(path, 'utf8')).i, 150);
	removeDir(dir);
});

files.run();
