import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { acquireLock, type Progress } from '@equilybrium/core';
import type { ProgressRecord } from '@equilybrium/core';
import { createProgressFile } from '../src/progress-file.ts';
import { main } from '../src/index.ts';
import { runCli } from '../../core/test/util/bundle.ts';
import { removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';
import { testIo } from './util/win.ts';

// `run --progress-file FILE` (contracts §4): what the NAS page reads while a run goes on.

const read = (path: string): ProgressRecord => JSON.parse(readFileSync(path, 'utf8'));
const MiB = 2 ** 20;

const unit = suite('the progress file, update by update');

unit('written at the first progress, about once a second and at each new phase, atomically; removed at the end', () => {
	const dir = tempDir();
	const path = join(dir, 'progress.json');
	let t = Date.parse('2026-12-03T10:00:00Z');
	const warnings: string[] = [];
	const file = createProgressFile({ path, role: 'B', measure: 'bytes', now: () => t, warn: (m) => warnings.push(m) });
	assert.not.ok(existsSync(path), 'nothing before the run holds its lock and reports');
	const p: Progress = { files: 10, bytes: 40 * MiB, hashedFiles: 5, hashedBytes: 10 * MiB, totalFiles: 100, totalBytes: 100 * MiB };
	t += 500;
	file.update(p);
	assert.equal(read(path), {
		role: 'B', startedAt: '2026-12-03T10:00:00.000Z', updatedAt: '2026-12-03T10:00:00.500Z', phase: 'hashing',
		files: 10, bytes: 40 * MiB, hashedFiles: 5, hashedBytes: 10 * MiB, totalFiles: 100, totalBytes: 100 * MiB,
		bytesPerSecond: null, etaSeconds: null,
	});
	// within the second: not rewritten
	Object.assign(p, { hashedFiles: 6, hashedBytes: 20 * MiB });
	t += 500;
	file.update(p);
	assert.is(read(path).hashedFiles, 5);
	t += 2000;
	file.update(p);
	const later = read(path);
	assert.is(later.updatedAt, '2026-12-03T10:00:03.000Z');
	assert.is(later.hashedBytes, 20 * MiB);
	assert.is(later.bytesPerSecond, Math.round((10 * MiB) / 2.5), 'over what was seen');
	assert.is(later.etaSeconds, 20, '80 % left at 10 % in 2.5 s');
	// a new phase is written at once
	Object.assign(p, { committing: true, hashedFiles: 100, hashedBytes: 100 * MiB });
	t += 10;
	file.update(p);
	assert.is(read(path).phase, 'committing');
	assert.is(read(path).etaSeconds, null);
	assert.not.ok(existsSync(path + '.tmp'), 'written beside, then renamed over');
	file.close();
	assert.not.ok(existsSync(path));
	assert.equal(warnings, []);
	removeDir(dir);
});

unit('a first run has no totals: null, as the page expects', () => {
	const dir = tempDir();
	const path = join(dir, 'progress.json');
	const file = createProgressFile({ path, role: 'A', measure: 'bytes', now: () => 0, warn: () => {} });
	file.update({ files: 3, bytes: 0, hashedFiles: 1, hashedBytes: 10 });
	const record = read(path);
	assert.is(record.totalFiles, null);
	assert.is(record.totalBytes, null);
	file.close();
	removeDir(dir);
});

unit('a file that cannot be written is one warning, and the run goes on', () => {
	const dir = tempDir();
	const warnings: string[] = [];
	const file = createProgressFile({ path: join(dir, 'no/such/folder/progress.json'), role: 'B', measure: 'bytes', now: () => 0, warn: (m) => warnings.push(m) });
	file.update({ files: 1, bytes: 1, hashedFiles: 1, hashedBytes: 1 });
	file.update({ files: 2, bytes: 2, hashedFiles: 2, hashedBytes: 2, committing: true });
	file.close();
	assert.is(warnings.length, 1);
	assert.match(warnings[0]!, /progress\.json cannot be written .*; the run goes on/);
	removeDir(dir);
});

unit.run();

// ---

const run = suite('equilybrium run --progress-file');

function tree(dir: string) {
	writeTree(join(dir, 'B/photos'), Object.fromEntries(Array.from({ length: 1500 }, (_, i) => [`d${i % 10}/p${i}.jpg`, `photo ${i} `.repeat(1 + (i % 40))])));
	writeConfig(join(dir, 'cfg'), { b: [join(dir, 'B/photos')] });
}

/**
 * A run in-process whose clock moves a second at each look, so every progress is written, and
 * looks at the file each time (what a page polling it would see).
 */
async function observedRun(dir: string, path: string): Promise<{ code: number; seen: ProgressRecord[]; errors: string[] }> {
	const seen: ProgressRecord[] = [];
	let t = Date.parse('2026-12-03T03:00:00Z');
	const io = testIo({ cwd: dir });
	const now = () => {
		if (existsSync(path)) seen.push(read(path));
		return (t += 1000);
	};
	const code = await main(['run', '--config', 'cfg', '--role', 'B', '--progress-file', 'var/progress.json', '--quiet'], { ...io, now });
	return { code, seen, errors: io.errors };
}

run('a first run: files and bytes move, no totals; the file is gone at the end', async () => {
	const dir = tempDir();
	tree(dir);
	mkdirSync(join(dir, 'var'));
	const path = join(dir, 'var/progress.json');
	const { code, seen, errors } = await observedRun(dir, path);
	assert.is(code, 0, errors.join('\n'));
	assert.ok(seen.length >= 10, `${seen.length} looks`);
	assert.ok(seen.every((r) => r.role === 'B' && r.totalFiles === null && r.totalBytes === null && r.startedAt === seen[0]!.startedAt));
	const hashed = seen.map((r) => r.hashedFiles);
	for (let i = 1; i < hashed.length; i++) assert.ok(hashed[i]! >= hashed[i - 1]!);
	assert.ok(hashed.some((n) => n > 0 && n < 1500), 'seen while reading');
	assert.is(seen.at(-1)!.hashedFiles, 1500);
	// a look comes before each write, so the "committing" written last is seen only if the
	// once-a-second timer wrote again before the end (the unit test above sees it)
	const phases = seen.map((r) => r.phase).join(' ');
	assert.match(phases, /^(hashing )*hashing( committing)*$/);
	assert.ok(seen.some((r) => typeof r.bytesPerSecond === 'number'));
	assert.not.ok(existsSync(path), 'removed at the end');
	assert.not.ok(existsSync(path + '.tmp'));
	removeDir(dir);
});

run('a later run: the previous database\'s totals, and a time left', async () => {
	const dir = tempDir();
	tree(dir);
	mkdirSync(join(dir, 'var'));
	const path = join(dir, 'var/progress.json');
	await observedRun(dir, path);
	const { code, seen } = await observedRun(dir, path);
	assert.is(code, 0);
	const bytes = seen[0]!.totalBytes!;
	assert.ok(seen.every((r) => r.totalFiles === 1500 && r.totalBytes === bytes));
	assert.ok(bytes > 1500 * 6);
	assert.ok(seen.some((r) => typeof r.etaSeconds === 'number' && r.etaSeconds > 0));
	assert.not.ok(existsSync(path));
	removeDir(dir);
});

run('a run refused by the lock leaves the file of the run going on as it is', async () => {
	const dir = tempDir();
	tree(dir);
	mkdirSync(join(dir, 'var'));
	const path = join(dir, 'var/progress.json');
	const going = '{"role":"B","phase":"hashing"}\n';
	writeFileSync(path, going);
	const lock = await acquireLock(join(dir, 'cfg'), 'B');
	const { code, errors } = await observedRun(dir, path);
	await lock.release();
	assert.is(code, 3);
	assert.match(errors.join('\n'), /another B run is going on/);
	assert.is(readFileSync(path, 'utf8'), going);
	removeDir(dir);
});

run('through the built command: usage, and the file gone after the run', () => {
	const dir = tempDir();
	writeTree(join(dir, 'B'), { 'a.txt': 'alpha' });
	writeConfig(join(dir, 'cfg'), { b: [join(dir, 'B')] });
	const r = runCli(['run', '--config', join(dir, 'cfg'), '--role', 'B', '--progress-file', join(dir, 'progress.json')]);
	assert.is(r.status, 0, r.stderr);
	assert.not.ok(existsSync(join(dir, 'progress.json')));
	assert.is(runCli(['run', '--config', join(dir, 'cfg'), '--progress-file']).status, 2, 'a value is needed');
	removeDir(dir);
});

run.run();
