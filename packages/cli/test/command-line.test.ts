import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../core/test/util/bundle.ts';
import { removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';

// What a person meets at the command line, held to what chkbit, rclone check and restic do:
// help everywhere, a --quiet that still says what matters, and the "What to do" the verdict
// announces.

const help = suite('-h and --help, for every command, whatever else is on the line');

/** The commands the top-level usage lists. */
function commands(): string[] {
	const r = runCli(['--help']);
	assert.is(r.status, 0);
	const list = r.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!;
	return list.split('\n').map((line) => line.trim().split(/\s+/)[0]!);
}

help('every command answers -h and --help with its own usage, exit 0', () => {
	const names = commands();
	assert.ok(names.includes('run') && names.includes('compare') && names.length >= 7, names.join(' '));
	for (const name of names) {
		for (const asked of ['-h', '--help']) {
			const r = runCli([name, asked]);
			assert.is(r.status, 0, `${name} ${asked}: ${r.stderr}`);
			assert.match(r.stdout, new RegExp(`^Usage: equilybrium ${name}\\b`, 'm'), `${name} ${asked}`);
			assert.is(r.stderr, '');
		}
	}
});

help('asked among other flags, even wrong ones or a config that is not there: still the usage, exit 0', () => {
	for (const line of [
		['run', '--config', '/no/such/folder', '-h'],
		['run', '--role', 'C', '--help'],
		['run', '--colour', '-h'],
		['run', '-h', '--quiet'],
		['compare', '--json', '-h'],
		['schedule', 'install', '-h'],
		['help', 'run'],
	]) {
		const r = runCli(line);
		assert.is(r.status, 0, `${line.join(' ')}: ${r.stderr}`);
		assert.match(r.stdout, /^Usage: equilybrium (run|compare|schedule)\b/m, line.join(' '));
	}
	assert.match(runCli(['run', '-h']).stdout, /--progress-file FILE/);
});

help('-h alone is the top-level usage; other single-dash options are unknown, exit 2', () => {
	const top = runCli(['-h']);
	assert.is(top.status, 0);
	assert.match(top.stdout, /^Usage: equilybrium <command> \[options\]$/m);
	const r = runCli(['run', '-x']);
	assert.is(r.status, 2);
	assert.match(r.stderr, /^equilybrium: unknown option -x \(see "equilybrium --help"\)\n$/);
});

help.run();

// ---

const output = suite("what A's run prints");

/** A with `missing` files B never received (older than B's run), and one B has. */
function atRisk(missing: number) {
	const dir = tempDir();
	const files: Record<string, string> = { 'kept.txt': 'on both sides' };
	for (let i = 1; i <= missing; i++) files[`lost-${i}.txt`] = `never synced ${i}`;
	writeTree(join(dir, 'A/docs'), files);
	writeTree(join(dir, 'B/docs'), { 'kept.txt': 'on both sides' });
	const cfg = join(dir, 'cfg');
	writeConfig(cfg, { a: [join(dir, 'A/docs')], b: [join(dir, 'B/docs')] });
	assert.is(runCli(['run', '--config', cfg, '--role', 'B']).status, 0);
	return { dir, cfg };
}

output('--quiet: no event lines, but the summary, the verdict and what to do about the files at risk', () => {
	const { dir, cfg } = atRisk(4);
	const r = runCli(['run', '--config', cfg, '--role', 'A', '--quiet']);
	assert.is(r.status, 1, r.stderr);
	assert.is(r.stderr, '');
	const lines = r.stdout.trimEnd().split('\n');
	assert.match(lines[0]!, /^A: 5 files, .* first run, database created — 5 NewFile$/);
	assert.match(lines[1]!, /^ACTION NEEDED — 4 files \(.*\) at risk: 4 missing on B\. See "What to do" below\.$/);
	assert.equal(lines.slice(2, 5), ['', 'What to do:', "  Missing on B (4 files, 56 B): on A since before B's last run, but B has no copy: check the sync tool's log and filters."]);
	assert.equal(lines.slice(5, 9), ['    docs/lost-1.txt (14 B)', '    docs/lost-2.txt (14 B)', '    docs/lost-3.txt (14 B)', '    docs/lost-4.txt (14 B)']);
	assert.is(lines[9], `The whole report: ${join(cfg, 'equilybrium.report.txt')} ("equilybrium report" prints it).`);
	assert.is(lines.length, 10);
	assert.not.match(r.stdout, /NewFile\s+docs\//, 'no event lines');
	removeDir(dir);
});

output('without --quiet: the event lines first, then the same ending', () => {
	const { dir, cfg } = atRisk(1);
	const r = runCli(['run', '--config', cfg, '--role', 'A']);
	assert.is(r.status, 1);
	assert.match(r.stdout, /^  NewFile +docs\/kept\.txt\n  NewFile +docs\/lost-1\.txt\nA: 2 files, [^\n]*\nACTION NEEDED — 1 file [^\n]*\n\nWhat to do:\n  Missing on B \(1 file, 14 B\)[^\n]*\n    docs\/lost-1\.txt \(14 B\)\nThe whole report: /);
	removeDir(dir);
});

output('the terminal lists five files a list; the report keeps twenty, and says where the rest is', () => {
	const { dir, cfg } = atRisk(8);
	const r = runCli(['run', '--config', cfg, '--role', 'A', '--quiet']);
	const printed = r.stdout.split('\n').filter((l) => l.startsWith('    '));
	assert.equal(printed, [
		'    docs/lost-1.txt (14 B)', '    docs/lost-2.txt (14 B)', '    docs/lost-3.txt (14 B)', '    docs/lost-4.txt (14 B)', '    docs/lost-5.txt (14 B)',
		'    … and 3 more: run "equilybrium compare --json" for the full list',
	]);
	const report = readFileSync(join(cfg, 'equilybrium.report.txt'), 'utf8');
	assert.match(report, /docs\/lost-8\.txt/);
	removeDir(dir);
});

output('all backed up: the verdict alone, no "What to do"', () => {
	const { dir, cfg } = atRisk(0);
	const r = runCli(['run', '--config', cfg, '--role', 'A', '--quiet']);
	assert.is(r.status, 0, r.stdout);
	assert.match(r.stdout, /^A: 1 file, [^\n]*\nBACKUP OK — all 1 file \(13 B\) on A have a correct copy on B\.\n$/);
	removeDir(dir);
});

output('B alone: its summary line, no verdict (A compares)', () => {
	const dir = tempDir();
	writeTree(join(dir, 'B'), { 'a.txt': 'alpha' });
	writeConfig(join(dir, 'cfg'), { b: [join(dir, 'B')] });
	const r = runCli(['run', '--config', join(dir, 'cfg'), '--role', 'B', '--quiet']);
	assert.is(r.status, 0);
	assert.match(r.stdout, /^B: 1 file, 5 B, [^\n]*\n$/);
	removeDir(dir);
});

output.run();
