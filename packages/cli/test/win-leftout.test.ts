// equilybrium.exe under Wine, whose file names ignore case as Windows' do: a file renamed in
// case only (Photo.JPG → photo.jpg) is still a move, never a file "no longer monitored" though
// its old name still opens; a file newly left out by Exclude is no longer monitored, not gone.
// Builds dist/ first if it is missing or stale (pnpm build:win, ~1.5 min).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dist, ensureWinBuild, openWine, removeTree, winPath, type Wine } from './util/wine.ts';

const MTIME = new Date('2024-03-01T12:00:00Z');
let wine: Wine;
let work = '';

const test = suite('equilybrium.exe: left out or renamed in case only');
test.before(() => {
	ensureWinBuild();
	wine = openWine('leftout');
	work = mkdtempSync(join(tmpdir(), 'eq-win-leftout-'));
});
test.after(() => {
	wine?.stop();
	removeTree(work);
});

function config(tree: string, extra = ''): string {
	const cfg = join(work, 'cfg');
	mkdirSync(cfg, { recursive: true });
	const docs = JSON.stringify(winPath(tree));
	writeFileSync(join(cfg, 'equilybrium.config.ini'), `[Settings]\nID method = hostname\nA = test-machine-a\nB = test-machine-b\n${extra}\n\n[Monitored Directories]\nA = []\nB = {"Docs": ${docs}}\n`);
	return cfg;
}

/** Every event line logged, as `Type key`, sorted. */
function logged(cfg: string): string[] {
	return readdirSync(cfg)
		.filter((n) => /^equilybrium\.B\.Event\..+\.log$/.test(n))
		.flatMap((n) => readFileSync(join(cfg, n), 'utf8').split('\n').filter(Boolean))
		.map((line) => line.split('\t').slice(1, 3).join(' '))
		.sort();
}

test('Photo.JPG renamed photo.jpg is FileMovedOrRenamed; d/app.log, now excluded, is 1 file no longer monitored', () => {
	const tree = join(work, 'tree');
	for (const [path, content] of Object.entries({ 'Photo.JPG': 'jpeg bytes', 'keep.txt': 'keep', 'd/app.log': 'log lines' })) {
		const file = join(tree, path);
		mkdirSync(dirname(file), { recursive: true });
		writeFileSync(file, content);
		utimesSync(file, MTIME, MTIME);
	}
	let cfg = config(tree);
	const first = wine.run([dist.exe, 'run', '--role', 'B', '--config', winPath(cfg)]);
	assert.is(first.code, 0, first.stdout + first.stderr);
	assert.equal(logged(cfg), ['NewFile Docs/Photo.JPG', 'NewFile Docs/d/app.log', 'NewFile Docs/keep.txt']);
	for (const name of readdirSync(cfg)) if (name.includes('.Event.')) rmSync(join(cfg, name));

	renameSync(join(tree, 'Photo.JPG'), join(tree, 'photo.jpg'));
	cfg = config(tree, 'Exclude = ["*.log"]');
	const second = wine.run([dist.exe, 'run', '--role', 'B', '--config', winPath(cfg)]);
	assert.is(second.code, 0, second.stdout + second.stderr);
	assert.equal(logged(cfg), ['FileMovedOrRenamed Docs/photo.jpg'], second.stdout);
	assert.match(second.stdout, /1 file no longer monitored/);
});

test.run();
