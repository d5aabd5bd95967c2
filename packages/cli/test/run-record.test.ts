// The run record through the real command line: every way a run can end leaves
// equilybrium.<role>.last-run.json (SPEC §12), and `run --json` prints exactly it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureBundle, runCli } from '../../core/test/util/bundle.ts';
import { corruptInPlace, removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';

const record = (cfg: string, role: 'A' | 'B') => JSON.parse(readFileSync(join(cfg, `equilybrium.${role}.last-run.json`), 'utf8'));
const history = (cfg: string, role: 'A' | 'B') => readFileSync(join(cfg, `equilybrium.${role}.run-history.jsonl`), 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

let dir = '';
let cfg = '';
const outcomes = suite('each way a run ends leaves its record');
outcomes.before.each(() => {
	dir = tempDir();
	cfg = join(dir, 'cfg');
	writeTree(join(dir, 'pc'), { 'a.txt': 'alpha', 'sub/b.txt': 'beta' });
	writeTree(join(dir, 'nas'), { 'a.txt': 'alpha', 'sub/b.txt': 'beta' });
	writeConfig(cfg, { a: { Docs: join(dir, 'pc') }, b: { Docs: join(dir, 'nas') } });
});
outcomes.after.each(() => removeDir(dir));

outcomes('ok: exit 0, the counts of every event type, files and bytes, times', () => {
	const r = runCli(['run', '--config', cfg, '--role', 'B']);
	assert.is(r.status, 0, r.stderr);
	const rec = record(cfg, 'B');
	assert.equal(
		{ ...rec, startedAt: 'x', finishedAt: 'x', durationMs: 0, toolVersion: 'x' },
		{
			version: 1, role: 'B', toolVersion: 'x', startedAt: 'x', finishedAt: 'x', durationMs: 0, exitCode: 0, outcome: 'ok', folders: 1,
			files: 2, bytes: 9, hashedFiles: 2, hashedBytes: 9, firstRun: true,
			counts: { NewFile: 2, FileModified: 0, FileCorrupted: 0, FileMovedOrRenamed: 0, FileNotFound: 0, HashCollision: 0, FileUnreadable: 0, DuplicateFile: 0, ChangedSinceImport: 0 },
		},
	);
	assert.match(rec.startedAt, ISO);
	assert.ok(Date.parse(rec.finishedAt) >= Date.parse(rec.startedAt));
	assert.is(rec.durationMs, Date.parse(rec.finishedAt) - Date.parse(rec.startedAt));
	assert.equal(history(cfg, 'B'), [rec]);
});

outcomes("found: exit 1 for rot on B; A's record holds the verdict and the report's headline", () => {
	assert.is(runCli(['run', '--config', cfg, '--role', 'B']).status, 0);
	corruptInPlace(join(dir, 'nas/sub/b.txt'), 'bet4');
	const b = runCli(['run', '--config', cfg, '--role', 'B']);
	assert.is(b.status, 1, b.stderr);
	assert.equal([record(cfg, 'B').outcome, record(cfg, 'B').counts.FileCorrupted, record(cfg, 'B').firstRun], ['found', 1, false]);
	assert.is(history(cfg, 'B').length, 2);
	const a = runCli(['run', '--config', cfg, '--role', 'A']);
	assert.is(a.status, 1);
	const rec = record(cfg, 'A');
	assert.is(rec.outcome, 'found');
	assert.equal(rec.verdict.counts, { backedUp: 1, pending: 0, missingOnB: 0, outdatedOnB: 0, corruptedOnB: 1, corruptedOnA: 0, onlyOnB: 0 });
	assert.equal([rec.verdict.status, rec.verdict.b, rec.verdict.atRisk], ['at-risk', 'ok', { files: 1, bytes: 4 }]);
	assert.match(rec.verdict.bLastRunAt, ISO);
	const report = readFileSync(join(cfg, 'equilybrium.report.txt'), 'utf8').split('\n');
	assert.is(rec.verdict.headline, report[1]);
	assert.match(rec.verdict.headline, /^ACTION NEEDED/);
});

outcomes('failed: a damaged database, exit 3 with its error code and message', () => {
	assert.is(runCli(['run', '--config', cfg, '--role', 'B']).status, 0);
	const db = join(cfg, 'equilybrium.B.DB.json');
	const text = readFileSync(db, 'utf8');
	writeFileSync(db, text.slice(0, text.lastIndexOf('"seal":')) + '"seal":"0"}\n');
	const r = runCli(['run', '--config', cfg, '--role', 'B']);
	assert.is(r.status, 3);
	const rec = record(cfg, 'B');
	assert.equal([rec.exitCode, rec.outcome, rec.error.code, rec.files], [3, 'failed', 'E_DB_CORRUPT', 0]);
	assert.match(rec.error.message, /equilybrium\.B\.DB\.json: has no seal/);
	assert.match(r.stderr, /has no seal/, 'the person is still told on stderr');
});

outcomes('failed: another run holds the lock', () => {
	writeFileSync(join(cfg, 'equilybrium.A.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
	const r = runCli(['run', '--config', cfg, '--role', 'A']);
	assert.is(r.status, 3, r.stderr);
	assert.equal([record(cfg, 'A').outcome, record(cfg, 'A').error.code], ['failed', 'E_LOCKED']);
});

outcomes('bad config: exit 2, the error with its file:line, when the config folder is known', () => {
	writeConfig(cfg, { a: { Docs: join(dir, 'nowhere') } });
	const r = runCli(['run', '--config', cfg, '--role', 'A']);
	assert.is(r.status, 2);
	const rec = record(cfg, 'A');
	assert.equal([rec.exitCode, rec.outcome, rec.error.code, rec.folders], [2, 'bad-config', 'E_CONFIG', 1]);
	assert.match(rec.error.message, /equilybrium\.config\.ini:\d+: \[Monitored Directories\] A: .*nowhere/);
	writeFileSync(join(cfg, 'equilybrium.config.ini'), '[Settings]\nBlock size = big\n[Monitored Directories]\nB = []\n');
	assert.is(runCli(['run', '--config', cfg, '--role', 'B']).status, 2);
	assert.equal([record(cfg, 'B').outcome, record(cfg, 'B').folders], ['bad-config', 0]);
	assert.match(record(cfg, 'B').error.message, /equilybrium\.config\.ini:2: \[Settings\] Block size/);
});

outcomes('no record where none can be named or no config is: no role, no config file', () => {
	writeFileSync(join(cfg, 'equilybrium.config.ini'), '[Settings]\nBlock size = big\n');
	assert.is(runCli(['run', '--config', cfg]).status, 2);
	const empty = join(dir, 'empty');
	writeTree(empty, { 'x.txt': 'x' });
	assert.is(runCli(['run', '--config', empty, '--role', 'A']).status, 2);
	assert.not.ok(existsSync(join(cfg, 'equilybrium.A.last-run.json')) || existsSync(join(cfg, 'equilybrium.B.last-run.json')));
	assert.not.ok(existsSync(join(empty, 'equilybrium.A.last-run.json')));
});

outcomes('stopped: SIGTERM in the middle of a large file, exit 3, outcome stopped', async () => {
	writeConfig(cfg, { b: { Docs: join(dir, 'nas') }, algorithm: 'sha3_512' });
	assert.is(runCli(['run', '--config', cfg, '--role', 'B']).status, 0);
	writeTree(join(dir, 'nas'), { 'big.bin': '' });
	truncateSync(join(dir, 'nas/big.bin'), 6 * 2 ** 30);
	const code = await new Promise<number | null>((resolve) => {
		const child = spawn(process.execPath, [ensureBundle(), 'run', '--role', 'B', '--config', cfg], { stdio: 'ignore' });
		const timer = setTimeout(() => child.kill('SIGTERM'), 1500);
		const guard = setTimeout(() => child.kill('SIGKILL'), 60_000);
		child.on('close', (c) => {
			clearTimeout(timer);
			clearTimeout(guard);
			resolve(c);
		});
	});
	assert.is(code, 3);
	const rec = record(cfg, 'B');
	assert.equal([rec.exitCode, rec.outcome], [3, 'stopped']);
	assert.is(rec.error, undefined);
	assert.is(history(cfg, 'B').length, 2);
});

outcomes.run();

// ---

const json = suite('run --json');

json('prints the record and nothing else; it equals the file', () => {
	const dir = tempDir();
	const cfg = join(dir, 'cfg');
	writeTree(join(dir, 'nas'), { 'a.txt': 'alpha' });
	writeConfig(cfg, { b: [join(dir, 'nas')] });
	for (const round of [1, 2]) {
		const r = runCli(['run', '--config', cfg, '--role', 'B', '--json']);
		assert.is(r.status, 0, r.stderr);
		assert.equal(JSON.parse(r.stdout), record(cfg, 'B'), `round ${round}`);
		assert.is(r.stdout, readFileSync(join(cfg, 'equilybrium.B.last-run.json'), 'utf8'), 'byte for byte');
	}
	removeDir(dir);
});

json('a failed run prints its record too, and says why on stderr', () => {
	const dir = tempDir();
	writeConfig(dir, { b: [join(dir, 'missing')] });
	const r = runCli(['run', '--config', dir, '--role', 'B', '--json']);
	assert.is(r.status, 2);
	assert.is(JSON.parse(r.stdout).outcome, 'bad-config');
	assert.match(r.stderr, /is not a folder this machine can reach/);
	removeDir(dir);
});

json.run();
