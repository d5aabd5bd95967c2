import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { parseConfig } from '@equilybrium/core';
import { runCli } from '../../core/test/util/bundle.ts';
import { corruptInPlace, removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';
import { MALFORMED_CONFIGS, seedText } from '../../core/test/util/malformed.ts';

const basics = suite('the command line');

basics('--version prints the package version', () => {
	const r = runCli(['--version']);
	assert.is(r.status, 0);
	assert.is(r.stdout.trim(), JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version);
});

basics('--help lists the commands; each command has its own --help', () => {
	const r = runCli(['--help']);
	assert.is(r.status, 0);
	for (const command of ['run', 'id', 'init']) {
		assert.match(r.stdout, new RegExp(`\\n  ${command} `));
		const own = runCli([command, '--help']);
		assert.is(own.status, 0, command);
		assert.match(own.stdout, new RegExp(`Usage: equilybrium ${command}`));
	}
});

basics('bad usage exits 2 with one line', () => {
	for (const args of [['frobnicate'], ['run', '--colour'], ['run', '--role', 'C'], ['run', 'extra']]) {
		const r = runCli(args);
		assert.is(r.status, 2, args.join(' '));
		assert.is(r.stderr.trim().split('\n').length, 1, r.stderr);
		assert.is(r.stdout, '');
	}
});

basics('no config file: exit 2 and how to make one', () => {
	const dir = tempDir();
	const r = runCli(['run', '--config', dir]);
	assert.is(r.status, 2);
	assert.match(r.stderr, /no config file here \(run "equilybrium init"/);
	removeDir(dir);
});

basics.run();

// ---

const configs = suite('malformed configs through the CLI: exit 2, one line, no stack trace');

for (const [what, edit, expected] of MALFORMED_CONFIGS) {
	configs(what, () => {
		const dir = tempDir();
		writeFileSync(join(dir, 'equilybrium.config.ini'), edit(seedText));
		const r = runCli(['run', '--config', dir, '--role', 'A']);
		assert.is(r.status, 2, r.stderr);
		const lines = r.stderr.trim().split('\n');
		assert.is(lines.length, 1, r.stderr);
		assert.match(lines[0]!, /^equilybrium: \//);
		assert.match(lines[0]!.replace(/^equilybrium: .*?equilybrium\.config\.ini/, 'equilybrium.config.ini'), expected);
		assert.not.match(r.stderr, /\n\s+at /);
		removeDir(dir);
	});
}

configs('a monitored folder that does not exist', () => {
	const dir = tempDir();
	writeConfig(dir, { a: [join(dir, 'nowhere')] });
	const r = runCli(['run', '--config', dir, '--role', 'A']);
	assert.is(r.status, 2);
	assert.match(r.stderr, /equilybrium\.config\.ini:\d+: \[Monitored Directories\] A: ".*nowhere" \(label "nowhere"\) is not a folder this machine can reach/);
	removeDir(dir);
});

configs('a machine that is neither A nor B', () => {
	const dir = tempDir();
	writeConfig(dir, { a: [dir] });
	const r = runCli(['run', '--config', dir]);
	assert.is(r.status, 2);
	assert.match(r.stderr, /this machine is neither A nor B by "hostname"/);
	removeDir(dir);
});

configs.run();

// ---

const codes = suite('runs and their exit codes');

codes('a database without its seal line stops the run with exit 3 at once, while its folders are being listed on threads', () => {
	const dir = tempDir();
	const tree: Record<string, string> = {};
	for (let f = 0; f < 20; f++) for (let i = 0; i < 5; i++) tree[`d${f}/f${i}.txt`] = `file ${f} ${i}`;
	writeTree(join(dir, 'nas'), tree);
	writeConfig(join(dir, 'cfg'), { b: [join(dir, 'nas')] });
	const run = () => runCli(['run', '--config', join(dir, 'cfg'), '--role', 'B']);
	assert.is(run().status, 0);
	const db = join(dir, 'cfg', 'equilybrium.B.DB.json');
	const text = readFileSync(db, 'utf8');
	const damaged = text.slice(0, text.lastIndexOf('"seal":')) + '"seal":"0"}\n';
	writeFileSync(db, damaged);
	for (let i = 0; i < 3; i++) {
		// threads restarted by the listing after the run gave up would keep it from ending (status null: killed)
		const r = run();
		assert.is(r.status, 3, r.stderr);
		assert.match(r.stderr, /equilybrium\.B\.DB\.json: has no seal/);
	}
	assert.is(readFileSync(db, 'utf8'), damaged, 'left as it was');
	removeDir(dir);
});

codes('a run that takes no thread (Workers = 0) ends as soon as it is done: the threads started early keep nothing alive', () => {
	const dir = tempDir();
	writeTree(join(dir, 'nas'), { 'a.txt': 'alpha' });
	writeConfig(join(dir, 'cfg'), { b: [join(dir, 'nas')], extra: 'Workers = 0' });
	for (let i = 0; i < 2; i++) {
		const r = runCli(['run', '--config', join(dir, 'cfg'), '--role', 'B']);
		// a thread left running would hold the process until spawnSync's timeout kills it (status null)
		assert.is(r.status, 0, r.stderr);
		assert.match(r.stdout, /^B: 1 file, 5 B/m);
	}
	removeDir(dir);
});

codes('0 when all is well, 1 on corruption, 3 when the database is damaged', () => {
	const dir = tempDir();
	writeTree(join(dir, 'docs'), { 'a.txt': 'alpha', 'b.txt': 'beta' });
	writeTree(join(dir, 'nas'), { 'a.txt': 'alpha', 'b.txt': 'beta' });
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'docs')], b: [join(dir, 'nas')] });
	const run = () => runCli(['run', '--config', join(dir, 'cfg'), '--role', 'A']);
	assert.is(runCli(['run', '--config', join(dir, 'cfg'), '--role', 'B']).status, 0);
	const first = run();
	assert.is(first.status, 0, first.stderr);
	assert.match(first.stdout, /^A: 2 files, 9 B, .* first run, database created — 2 NewFile$/m);
	assert.match(first.stdout, /^BACKUP OK — all 2 files/m);
	assert.not.match(first.stdout + first.stderr, /\r|\x1b\[/, 'no progress drawing when not on a terminal');
	corruptInPlace(join(dir, 'docs/b.txt'), 'bXta');
	const second = run();
	assert.is(second.status, 1);
	assert.match(second.stdout, /FileCorrupted\s+docs\/b\.txt/);
	assert.match(second.stdout, /1 FileCorrupted — LOOK AT THIS/);
	const db = join(dir, 'cfg/equilybrium.A.DB.json');
	writeFileSync(db, readFileSync(db, 'utf8').replace('"docs/a.txt",5', '"docs/a.txt",6'));
	const third = run();
	assert.is(third.status, 3);
	assert.match(third.stderr, /equilybrium\.A\.DB\.json: fails its seal .* left untouched/);
	removeDir(dir);
});

codes('a second run of the same role while one holds the lock: exit 3', () => {
	const dir = tempDir();
	writeTree(join(dir, 'docs'), { 'a.txt': 'alpha' });
	writeConfig(join(dir, 'cfg'), { b: [join(dir, 'docs')] });
	// a live process on this host holds it: this test's own
	writeFileSync(join(dir, 'cfg/equilybrium.B.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
	const r = runCli(['run', '--config', join(dir, 'cfg'), '--role', 'B']);
	assert.is(r.status, 3);
	assert.match(r.stderr, /another B run is going on \(pid \d+/);
	// the same lock left by a dead process is taken over
	writeFileSync(join(dir, 'cfg/equilybrium.B.lock'), JSON.stringify({ pid: 2 ** 22 + 1, host: hostname(), startedAt: new Date().toISOString() }));
	const taken = runCli(['run', '--config', join(dir, 'cfg'), '--role', 'B']);
	assert.is(taken.status, 0, taken.stderr);
	assert.ok(!existsSync(join(dir, 'cfg/equilybrium.B.lock')), 'released after the run');
	removeDir(dir);
});

codes.run();

// ---

const setup = suite('id and init');

setup('id prints an ID for every method', () => {
	const r = runCli(['id', '--config', tempDir()]);
	assert.is(r.status, 0);
	assert.match(r.stdout, /^Python uuid: /m);
	assert.match(r.stdout, new RegExp(`^hostname: .*${hostname()}`, 'm'));
});

setup('init writes a commented config that parses and runs; it never overwrites silently', () => {
	const dir = tempDir();
	mkdirSync(join(dir, 'Pictures'));
	writeTree(join(dir, 'Pictures'), { 'p.jpg': 'pixels' });
	const cfg = join(dir, 'config');
	const r = runCli(['init', '--config', cfg, '--id-method', 'hostname', '--folder', join(dir, 'Pictures')]);
	assert.is(r.status, 0, r.stderr);
	const text = readFileSync(join(cfg, 'equilybrium.config.ini'), 'utf8');
	assert.match(text, /^# /m);
	const config = parseConfig(text, 'equilybrium.config.ini');
	assert.equal(config.roots.A, [{ label: 'Pictures', path: join(dir, 'Pictures') }]);
	assert.is(config.ids.A, hostname());
	const again = runCli(['init', '--config', cfg]);
	assert.is(again.status, 2);
	assert.match(again.stderr, /already exists; it was left as it is/);
	const ran = runCli(['run', '--config', cfg]);
	assert.is(ran.status, 1, 'ran as A by its hostname; B has not run yet, so nothing is verified');
	assert.match(ran.stdout, /NewFile\s+Pictures\/p\.jpg/);
	assert.match(ran.stdout, /^NOT VERIFIED — 1 file \(6 B\) on A could not be checked against B/m);
	removeDir(dir);
});

setup.run();
