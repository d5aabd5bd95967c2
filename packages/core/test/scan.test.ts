import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { scanRoots, type ScanItem } from '../src/index.ts';
import { scanFolders, type FolderRun } from '../src/scan/scan.ts';
import { HashPool } from '../src/hashing/pool.ts';
import { listingLine } from '../src/db/codecs.ts';
import { folderFilters } from '../src/scan/filters.ts';
import { DEFAULT_FILTERS } from '../src/config/filters.ts';
import { removeDir, tempDir, writeTree } from './util/tree.ts';

async function keysOf(items: AsyncIterable<ScanItem>): Promise<string[]> {
	const out: string[] = [];
	for await (const item of items) out.push(item.kind === 'file' ? item.key : `! ${item.key}`);
	return out;
}

const scan = suite('scan');

scan('yields keys in ascending order across nested folders, whatever readdir returns', async () => {
	const dir = tempDir();
	writeTree(dir, { 'b.txt': '', 'a/z.txt': '', 'a.txt': '', 'a-b/c.txt': '', 'a/b/c.txt': '', 'A.txt': '', '0.txt': '' });
	const keys = await keysOf(scanRoots([{ label: 'root', path: dir }]));
	assert.equal(keys, ['root/0.txt', 'root/A.txt', 'root/a-b/c.txt', 'root/a.txt', 'root/a/b/c.txt', 'root/a/z.txt', 'root/b.txt']);
	assert.equal(keys, [...keys].sort());
	removeDir(dir);
});

scan('several roots come out sorted by label', async () => {
	const dir = tempDir();
	writeTree(dir, { 'z/1.txt': '', 'y/2.txt': '', 'y-x/3.txt': '' });
	const keys = await keysOf(scanRoots([{ label: 'Zed', path: join(dir, 'z') }, { label: 'y', path: join(dir, 'y') }, { label: 'y-x', path: join(dir, 'y-x') }]));
	assert.equal(keys, ['Zed/1.txt', 'y-x/3.txt', 'y/2.txt']);
	removeDir(dir);
});

scan('skips the default junk of Synology, Windows, macOS, FreeFileSync and our own files', async () => {
	const dir = tempDir();
	writeTree(dir, {
		'keep.jpg': '',
		'@eaDir/keep.jpg/SYNOFILE_THUMB_M.jpg': '',
		'#recycle/old.txt': '',
		'Thumbs.db': '',
		'thumbs.DB': '',
		'desktop.ini': '',
		'$RECYCLE.BIN/x': '',
		'~$report.docx': '',
		'.DS_Store': '',
		'._keep.jpg': '',
		'sync.ffs_db': '',
		'equilybrium.A.DB.json': '',
		'equilybrium.B.Event.NewFile.log': '',
		'equilybrium.report.txt': '',
		'equilybrium.notes.txt': '',
	});
	assert.equal(await keysOf(scanRoots([{ label: 'r', path: dir }])), ['r/equilybrium.notes.txt', 'r/keep.jpg']);
	removeDir(dir);
});

scan('Exclude globs: by name at any depth, by path with / and **', async () => {
	const dir = tempDir();
	writeTree(dir, { 'a.tmp': '', 'sub/b.tmp': '', 'cache/x/y.bin': '', 'keep/cache.txt': '', 'docs/draft.txt': '', 'docs/final.txt': '' });
	const keys = await keysOf(scanRoots([{ label: 'r', path: dir }], ['*.tmp', 'cache/**', 'docs/draft.*']));
	assert.equal(keys, ['r/docs/final.txt', 'r/keep/cache.txt']);
	removeDir(dir);
});

scan('symlinks are not followed, FIFOs are never opened', async () => {
	const dir = tempDir();
	writeTree(dir, { 'real/a.txt': 'a' });
	mkdirSync(join(dir, 'outside'));
	writeTree(join(dir, 'outside'), { 'secret.txt': 's' });
	symlinkSync(join(dir, 'outside'), join(dir, 'real/linked-folder'));
	symlinkSync(join(dir, 'real/a.txt'), join(dir, 'real/linked-file.txt'));
	execFileSync('mkfifo', [join(dir, 'real/pipe')]);
	// a FIFO opened for reading would block this test forever
	assert.equal(await keysOf(scanRoots([{ label: 'r', path: join(dir, 'real') }])), ['r/a.txt']);
	removeDir(dir);
});

scan('names are keyed in NFC, and two names equal after normalisation are flagged, not merged', async () => {
	const dir = tempDir();
	writeTree(dir, { 'cafe\u0301.txt': 'nfd', 'caf\u00e9.txt': 'nfc' });
	const keys = await keysOf(scanRoots([{ label: 'r', path: dir }]));
	assert.is(keys.length, 2);
	assert.is(keys.filter((k) => k === 'r/caf\u00e9.txt').length, 1);
	assert.is(keys.filter((k) => k === '! r/caf\u00e9.txt').length, 1);
	removeDir(dir);
});

scan('a name that normalises to plain ASCII (KELVIN SIGN is K) is flagged as a twin too, among many ASCII names', async () => {
	const dir = tempDir();
	const tree: Record<string, string> = { 'K.txt': 'ascii', '\u212a.txt': 'kelvin sign' };
	for (let i = 0; i < 50; i++) tree[`f${i}.txt`] = '';
	writeTree(dir, tree);
	const pool = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		for (const lister of [undefined, { list: (request: Parameters<typeof pool.listFolder>[0]) => pool.listFolder(request, true), ahead: 3, stat: true }]) {
			const keys: string[] = [];
			for await (const run of scanFolders([{ label: 'r', path: dir }], [], lister)) {
				for (const item of run.batch) keys.push(item.kind === 'listed' ? item.key : `! ${item.key}`);
			}
			const where = lister ? 'on a thread' : 'here';
			assert.is(keys.length, 52, where);
			assert.is(keys.filter((k) => k === 'r/K.txt').length, 1, where);
			assert.is(keys.filter((k) => k === '! r/K.txt').length, 1, where);
		}
	} finally {
		await pool.close();
	}
	removeDir(dir);
});

scan('folders listed on the threads come out as listed here, with their files’ lstat', async () => {
	const dir = tempDir();
	const tree: Record<string, string> = { 'a.tmp': '', 'Thumbs.db': '', 'cache/x/y.bin': '', 'cafe\u0301.txt': 'nfd', 'caf\u00e9.txt': 'nfc', 'z.txt': 'zz' };
	// more subfolders than are listed ahead, nested, with files before, between and after them
	for (let i = 0; i < 20; i++) tree[`deep/${String(i).padStart(2, '0')}/f.txt`] = 'x'.repeat(i);
	for (let i = 0; i < 5; i++) tree[`deep/${i}-file.txt`] = String(i);
	tree['deep/07/inner/g.txt'] = 'g';
	writeTree(dir, tree);
	symlinkSync(join(dir, 'z.txt'), join(dir, 'link.txt'));
	execFileSync('mkfifo', [join(dir, 'pipe')]);
	const roots = [{ label: 'r', path: dir }, { label: 'q', path: join(dir, 'deep') }];
	const runs = async (scan: AsyncIterable<FolderRun>) => {
		const out: FolderRun[] = [];
		for await (const run of scan) out.push(run);
		return out;
	};
	const here = await runs(scanFolders(roots, ['*.tmp', 'cache/**']));
	const pool = HashPool.create({ workers: 2, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		const threads = await runs(scanFolders(roots, ['*.tmp', 'cache/**'], { list: (request) => pool.listFolder(request, true), ahead: 3, stat: true }));
		const unstated = await runs(scanFolders(roots, ['*.tmp', 'cache/**'], { list: (request) => pool.listFolder(request, false), ahead: 3, stat: false }));
		assert.equal(unstated.map((run) => run.batch), here.map((run) => run.batch), 'listed on the threads without lstat (a first run): the same items');
		assert.ok(unstated.every((run) => run.stats === undefined), 'a first run stats nothing: the thread that hashes a file stats it');
		assert.equal(threads.map((run) => run.batch), here.map((run) => run.batch));
		assert.is(threads[0]!.lines(0, 2), threads[0]!.lines(0, 1)! + threads[0]!.lines(1, 2)!, 'lines of a range are its files’ lines');
		assert.ok(here.every((run) => run.stats === undefined), 'listed here: the merge stats the files');
		let files = 0;
		for (const run of threads) {
			const { batch, stats } = run;
			batch.forEach((item, i) => {
				if (item.kind !== 'listed') return assert.is(stats!.values[i * 3 + 2], 0, `${item.key}: no lstat for a twin`);
				const expected = lstatSync(item.path);
				assert.equal([...stats!.values.subarray(i * 3, i * 3 + 3)], [expected.size, expected.mtimeMs, 1], item.key);
				// the thread's listing line and key, as the database's block digests are made of
				assert.is(run.lines(i, i + 1), listingLine(item.key, expected.size, expected.mtimeMs));
				assert.is(run.keyOf(i), item.key);
				files++;
			});
		}
		// r: café (its twin apart), z.txt and deep's 26; q: deep's 26 again
		assert.is(files, 54);
	} finally {
		await pool.close();
	}
	removeDir(dir);
});

scan('a folder whose thread died is listed here, with its files’ lstat as the thread would have', async () => {
	const dir = tempDir();
	writeTree(dir, { 'a/1.txt': 'one', 'a/b/2.txt': 'two', 'c.txt': 'three' });
	const roots = [{ label: 'r', path: dir }];
	const dead = { list: () => Promise.reject(new Error('the hashing threads were closed')), ahead: 2, stat: true };
	const runs: FolderRun[] = [];
	for await (const run of scanFolders(roots, [], dead)) runs.push(run);
	assert.equal(runs.flatMap((run) => run.batch.map((item) => item.key)), ['r/a/1.txt', 'r/a/b/2.txt', 'r/c.txt']);
	for (const run of runs) {
		run.batch.forEach((item, i) => {
			assert.ok(run.isStatedFile(i), item.key);
			assert.is(run.stats!.values[i * 3], lstatSync(item.path).size);
		});
	}
	removeDir(dir);
});

scan('the original Equilybrium filters leave files out wherever the folder is listed: here, on the threads, with or without lstat', async () => {
	const dir = tempDir();
	const tree: Record<string, string> = {
		'keep.txt': 'x'.repeat(10), 'exact.txt': 'x'.repeat(5), 'small.txt': 'x'.repeat(4), 'empty.txt': '',
		noext: 'x'.repeat(10), 'dir.d/noext2': 'x'.repeat(10), '.hidden': 'x'.repeat(10),
		'a.log': 'x'.repeat(10), 'b.LOG': 'x'.repeat(10), 'log.txt': 'x'.repeat(10), 'x.logx': 'x'.repeat(10), 'arch.tar.gz': 'x'.repeat(10),
		'Secret.txt': 'x'.repeat(10), 'sub/Secret.txt': 'x'.repeat(10), 'sub/secret.txt': 'x'.repeat(10),
		'@eaDir2/in.txt': 'x'.repeat(10), 'deep/@x/y.txt': 'x'.repeat(10), '@top.txt': 'x'.repeat(10), 'a@b/z.txt': 'x'.repeat(10),
	};
	writeTree(dir, tree);
	const filters = { minFileSize: 5, includeNoExtension: false, excludedExtensions: ['.log', '.tar.gz'], excludedFiles: ['Secret.txt'], avoidAtDirs: ['B' as const] };
	const roots = [{ label: 'r', path: dir }];
	const keysOfRuns = async (scan: AsyncIterable<FolderRun>) => {
		const out: string[] = [];
		for await (const run of scan) for (const item of run.batch) out.push(item.key);
		return out;
	};
	const common = ['r/.hidden', 'r/@top.txt', 'r/a@b/z.txt', 'r/exact.txt', 'r/keep.txt', 'r/log.txt', 'r/sub/secret.txt', 'r/x.logx'];
	const onB = folderFilters(filters, 'B');
	assert.equal(await keysOf(scanRoots(roots, [], onB)), common, 'B: @ folders skipped');
	assert.equal(await keysOf(scanRoots(roots, [], folderFilters(filters, 'A'))), [...common, 'r/@eaDir2/in.txt', 'r/deep/@x/y.txt'].sort(), 'A keeps @ folders');
	assert.is(folderFilters(DEFAULT_FILTERS, 'A'), undefined, 'the defaults leave everything in');
	const pool = HashPool.create({ workers: 2, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		for (const stat of [true, false]) {
			const runs: FolderRun[] = [];
			for await (const run of scanFolders(roots, [], { list: (request) => pool.listFolder(request, stat), ahead: 2, stat }, undefined, onB)) runs.push(run);
			assert.equal(runs.flatMap((run) => run.batch.map((item) => item.key)), common, `on the threads, stat ${stat}`);
			if (!stat) assert.ok(runs.every((run) => run.stats === undefined), 'a first run still gets no lstat: the size filter stats for itself');
			// the lstat and lines still belong to the files kept
			for (const run of stat ? runs : []) run.batch.forEach((item, i) => assert.is(run.lines(i, i + 1), listingLine(item.key, lstatSync(item.path).size, lstatSync(item.path).mtimeMs), item.key));
		}
	} finally {
		await pool.close();
	}
	removeDir(dir);
});

scan.run();
