import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { scanRoots, type ScanItem } from '../src/index.ts';
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

scan.run();
