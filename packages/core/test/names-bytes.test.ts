// File names that are not valid UTF-8 (old NAS shares: Latin-1 `caf\xe9.txt`) are monitored
// like any other (SPEC §13): their keys escape the bad bytes the same way on every run and on
// both sides, the files are read (bit rot in them is found), and the logs name them with
// \xHH. Through the built CLI, on the main thread and on hashing threads.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBundle } from './util/bundle.ts';
import { FIXED_MTIME, removeDir, tempDir, writeConfig } from './util/tree.ts';

const bundle = () => process.env.EQ_BUNDLE ?? ensureBundle();
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

/** Files whose names hold bytes that are not UTF-8, in a folder whose name holds one too. */
function makeTree(root: string): void {
	mkdirSync(root, { recursive: true });
	const files: [Buffer, string][] = [
		[bytes(root, '/caf', [0xe9], '.txt'), 'latin-1 name'],
		[bytes(root, '/caf\u00e9.txt'), 'the same name in UTF-8: another file'],
		[bytes(root, '/real \ufffd replacement.txt'), 'a name holding U+FFFD itself'],
		[bytes(root, '/skull \u{1f480}.txt'), 'a character whose low surrogate is DC80'],
		[bytes(root, '/plain.txt'), 'plain'],
	];
	const folder = bytes(root, '/d', [0xfc], 'r');
	mkdirSync(folder);
	files.push([Buffer.concat([folder, bytes('/inside ', [0xff, 0xfe], '.bin')]), 'in a folder with a bad name']);
	for (const [path, content] of files) {
		writeFileSync(path, content);
		utimesSync(path, FIXED_MTIME, FIXED_MTIME);
	}
}

const EXPECTED_KEYS = ['T/caf\udce9.txt', 'T/caf\u00e9.txt', 'T/d\udcfcr/inside \udcff\udcfe.bin', 'T/plain.txt', 'T/real \ufffd replacement.txt', 'T/skull \u{1f480}.txt'].sort();

function run(cfg: string, role: 'A' | 'B', ...extra: string[]) {
	return spawnSync(process.execPath, [bundle(), ...(extra.length ? extra : ['run', '--role', role]), '--config', cfg], { encoding: 'utf8', timeout: 60_000, killSignal: 'SIGKILL' });
}

/** The keys of a database, as JSON reads them. */
function keysOf(cfg: string, role: 'A' | 'B'): string[] {
	const text = readFileSync(join(cfg, `equilybrium.${role}.DB.json`), 'utf8');
	const files = text.slice(text.indexOf('"files":[\n') + 10, text.indexOf('\n],\n"local"'));
	return files.split(',\n').map((line) => (JSON.parse(line) as [string])[0]).sort();
}

for (const workers of ['0', '2']) {
	const test = suite(`names that are not UTF-8 (Workers = ${workers})`);
	let dir = '';
	test.before(() => {
		ensureBundle();
		dir = tempDir('eq-bytes-');
		makeTree(join(dir, 'nas'));
		// cp(1): Node's own cpSync cannot copy such names (it lstats them decoded)
		assert.is(spawnSync('cp', ['-a', join(dir, 'nas'), join(dir, 'pc')]).status, 0);
		writeConfig(join(dir, 'cfg'), { a: { T: join(dir, 'pc') }, b: { T: join(dir, 'nas') }, extra: `Workers = ${workers}` });
	});
	test.after(() => removeDir(dir));

	test('every file is monitored, under a key that escapes its bad bytes', () => {
		const cfg = join(dir, 'cfg');
		const first = run(cfg, 'B');
		assert.is(first.status, 0, first.stdout + first.stderr);
		assert.equal(keysOf(cfg, 'B'), EXPECTED_KEYS);
		const log = readFileSync(join(cfg, 'equilybrium.B.Event.NewFile.log'), 'utf8');
		assert.match(log, /\tNewFile\tT\/caf\\xE9\.txt\n/, 'the log names it with \\xHH');
		assert.match(log, /\tNewFile\tT\/d\\xFCr\/inside \\xFF\\xFE\.bin\n/);
		assert.match(log, /\tNewFile\tT\/skull \u{1f480}\.txt\n/u, 'a valid character is left as it is');
	});

	test('the next run finds nothing: the same keys, the files found again', () => {
		const again = run(join(dir, 'cfg'), 'B');
		assert.is(again.status, 0, again.stdout + again.stderr);
		assert.match(again.stdout, /no changes/);
	});

	test('bit rot in such a file is found', () => {
		const victim = bytes(dir, '/nas/caf', [0xe9], '.txt');
		writeFileSync(victim, 'LATIN-1 NAME');
		utimesSync(victim, FIXED_MTIME, FIXED_MTIME);
		const rot = run(join(dir, 'cfg'), 'B');
		assert.is(rot.status, 1, rot.stdout + rot.stderr);
		assert.match(readFileSync(join(dir, 'cfg', 'equilybrium.B.Event.FileCorrupted.log'), 'utf8'), /\tFileCorrupted\tT\/caf\\xE9\.txt\t/);
		writeFileSync(victim, 'latin-1 name');
		utimesSync(victim, FIXED_MTIME, FIXED_MTIME);
	});

	test('A keys them the same way: compare finds every file backed up', () => {
		const cfg = join(dir, 'cfg');
		assert.is(run(cfg, 'B').status, 0);
		const a = run(cfg, 'A');
		assert.ok(a.status === 0, a.stdout + a.stderr);
		assert.equal(keysOf(cfg, 'A'), EXPECTED_KEYS);
		const compared = run(cfg, 'A', 'compare', '--json');
		const verdict = JSON.parse(compared.stdout) as { backedUp: string[]; missingOnB: string[] };
		assert.equal(verdict.backedUp.sort(), EXPECTED_KEYS);
		assert.equal(verdict.missingOnB, []);
	});

	test.run();
}
