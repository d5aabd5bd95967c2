// A run that may change the working directory (the CLI's) lstats its files by paths relative
// to the folder holding every monitored folder: it must find exactly what a run with whole
// paths finds, on threads and without, and leave the working directory as it found it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { realpathSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import { dbFileName, digestOf, loadConfig, runMonitor, type FileEvent } from '../src/index.ts';
import { HashPool } from '../src/hashing/pool.ts';
import { commonFolder, enterCommonFolder } from '../src/scan/workdir.ts';
import { refusedAsCorrupt } from './util/run.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { host } from './util/host.ts';
import { processDirectory } from '../../cli/src/machine.ts';

const folders = suite('the folder holding every monitored folder');

folders('the deepest common folder, not fooled by a shared prefix of names', () => {
	assert.is(commonFolder(['/a/b/c', '/a/b/d/e']), '/a/b');
	assert.is(commonFolder(['/a/b', '/a/b/c']), '/a/b');
	assert.is(commonFolder(['/a/b']), '/a/b');
	assert.is(commonFolder(['/a/bc', '/a/b']), '/a');
	assert.is(commonFolder(['/x', '/y']), '/');
	assert.is(commonFolder([]), undefined);
});

folders('entered and left: relative paths from there, the working directory put back', () => {
	const dir = realpathSync(tempDir());
	const before = process.cwd();
	const entered = enterCommonFolder([{ label: 'p', path: join(dir, 'photos') }, { label: 'd', path: join(dir, 'docs', 'work') }], processDirectory)!;
	assert.is(process.cwd(), dir);
	assert.equal([...entered.statBases], [[join(dir, 'photos'), 'photos' + sep], [join(dir, 'docs', 'work'), join('docs', 'work') + sep]]);
	entered.leave();
	assert.is(process.cwd(), before);
	// nothing shared but the file system's root, or a relative root: not entered
	assert.is(enterCommonFolder([{ label: 'a', path: '/tmp' }, { label: 'b', path: '/usr' }], processDirectory), undefined);
	assert.is(enterCommonFolder([{ label: 'a', path: 'relative/path' }], processDirectory), undefined);
	assert.is(process.cwd(), before);
	removeDir(dir);
});

folders.run();

const runs = suite('a run from the common folder');

async function run(cfg: string, changeDirectory: boolean, at: number): Promise<string[]> {
	const config = await loadConfig(cfg);
	const events: FileEvent[] = [];
	await runMonitor({ host: changeDirectory ? { ...host, workingDirectory: processDirectory } : host, config, role: 'A', toolVersion: 'test', now: () => at, onEvent: (e) => events.push(e) });
	return events.map((e) => `${e.type} ${e.key}`).sort();
}

function twoRoots(workers: string) {
	const dir = realpathSync(tempDir());
	const tree = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`f${i % 3}/n${i}.txt`, `content ${i}`]));
	writeTree(join(dir, 'photos'), tree);
	writeTree(join(dir, 'deep', 'docs'), tree);
	writeConfig(join(dir, 'cfg'), { a: { photos: join(dir, 'photos'), docs: join(dir, 'deep', 'docs') }, extra: `Workers = ${workers}\nVerify = rolling 30` });
	return dir;
}

function change(dir: string): void {
	for (const root of [join(dir, 'photos'), join(dir, 'deep', 'docs')]) {
		writeFileSync(join(root, 'f1/n1.txt'), 'changed, longer');
		utimesSync(join(root, 'f1/n1.txt'), new Date(), new Date(Date.now() + 5000));
		rmSync(join(root, 'f2/n2.txt'));
		writeFileSync(join(root, 'f0/new.txt'), 'new');
	}
}

for (const workers of ['auto', '0']) {
	runs(`Workers = ${workers}: the same events as from whole paths, and the working directory as it was`, async () => {
		const before = process.cwd();
		const relative = twoRoots(workers);
		const whole = twoRoots(workers);
		const t = Date.parse('2024-06-01T00:00:00Z');
		assert.equal(await run(join(relative, 'cfg'), true, t), await run(join(whole, 'cfg'), false, t));
		assert.is(process.cwd(), before);
		assert.equal(await run(join(relative, 'cfg'), true, t + 60_000), []);
		change(relative);
		change(whole);
		const found = await run(join(relative, 'cfg'), true, t + 120_000);
		assert.equal(found, await run(join(whole, 'cfg'), false, t + 120_000));
		assert.ok(found.includes('NewFile docs/f0/new.txt') && found.includes('FileNotFound photos/f2/n2.txt'), found.join('\n'));
		assert.ok(found.some((line) => line.endsWith(' docs/f1/n1.txt')), 'the changed file is seen');
		assert.is(process.cwd(), before);
		removeDir(relative);
		removeDir(whole);
	});
}

runs('a run that fails (a damaged database) puts the working directory back too', async () => {
	const before = process.cwd();
	const dir = twoRoots('auto');
	await run(join(dir, 'cfg'), true, Date.parse('2024-06-01T00:00:00Z'));
	writeFileSync(join(dir, 'cfg', dbFileName('A')), '{"format":"equilybrium-db"');
	await refusedAsCorrupt(() => run(join(dir, 'cfg'), true, Date.parse('2024-06-02T00:00:00Z')));
	assert.is(process.cwd(), before);
	removeDir(dir);
});

runs.run();

const opens = suite('hashing threads open files from the working directory');

opens('below the folder they were told is the working directory, by the path from it; errors name the whole path', async () => {
	const before = process.cwd();
	const one = realpathSync(tempDir());
	const other = realpathSync(tempDir());
	writeTree(one, { 'sub/f.txt': 'in one', 'sub/g.txt': 'in one too' });
	writeTree(other, { 'sub/f.txt': 'in the other' });
	const pool = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 4096 })!;
	const hashOf = async (path: string) => {
		const [result] = await pool.hashMany([{ path, size: -1, mtimeMs: -1 }]);
		return result instanceof Error ? result : result!.hash;
	};
	try {
		// told the wrong folder on purpose: what is read shows which path was opened
		process.chdir(other);
		pool.openFrom(one);
		assert.is(await hashOf(join(one, 'sub/f.txt')), digestOf('sha256', Buffer.from('in the other')), 'opened by its path from the working directory');
		pool.openFrom(undefined);
		assert.is(await hashOf(join(one, 'sub/f.txt')), digestOf('sha256', Buffer.from('in one')), 'by its whole path again');
		process.chdir(one);
		pool.openFrom(one);
		assert.is(await hashOf(join(one, 'sub/g.txt')), digestOf('sha256', Buffer.from('in one too')));
		// ENOTDIR has no reason of its own: its message, with the path, is what the user sees
		const error = await hashOf(join(one, 'sub/g.txt/x'));
		assert.instance(error, Error);
		assert.is((error as NodeJS.ErrnoException).code, 'ENOTDIR');
		assert.ok((error as Error).message.includes(`'${join(one, 'sub/g.txt/x')}'`), (error as Error).message);
	} finally {
		await pool.close();
		process.chdir(before);
		removeDir(one);
		removeDir(other);
	}
});

opens.run();
