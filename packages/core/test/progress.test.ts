import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { loadConfig, runMonitor, type Progress } from '../src/index.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { host } from './util/host.ts';

// What runMonitor tells a progress display (the CLI's line, the NAS page's progress file): it
// must move while files are hashed, and say how much the run will likely see.

/** Every progress report of one run on threads, copied as it was when reported. */
async function observe(cfg: string): Promise<Progress[]> {
	const seen: Progress[] = [];
	const config = await loadConfig(cfg);
	await runMonitor({ host, config, role: 'A', toolVersion: 'test', workers: 2, onProgress: (p) => seen.push({ ...p }) });
	return seen;
}

const progress = suite('progress reports');

progress('a first run counts hashed files one at a time, not a unit at a time; no totals yet', async () => {
	const dir = tempDir();
	// one folder: a first run does not know sizes, so its files form one unit for the threads
	writeTree(join(dir, 'A'), Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`video-${i}.bin`, 'x'.repeat(1000 + i)])));
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'A')] });
	const seen = await observe(join(dir, 'cfg'));
	const hashed = [...new Set(seen.map((p) => p.hashedFiles))];
	assert.equal(hashed, [1, 2, 3, 4, 5, 6], 'each file reported as it is done');
	assert.ok(seen.every((p) => p.totalFiles === undefined && p.totalBytes === undefined));
	removeDir(dir);
});

progress('a later run carries the previous database\'s files and bytes as totals', async () => {
	const dir = tempDir();
	writeTree(join(dir, 'A'), { 'a.txt': 'alpha', 'b.txt': 'beta', 'sub/c.txt': 'gamma' });
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'A')] });
	await observe(join(dir, 'cfg'));
	writeTree(join(dir, 'A'), { 'd.txt': 'delta' });
	const seen = await observe(join(dir, 'cfg'));
	assert.ok(seen.length > 0);
	for (const p of seen) {
		assert.is(p.totalFiles, 3);
		assert.is(p.totalBytes, 'alphabetagamma'.length);
	}
	assert.is(seen.at(-1)!.files, 4, 'a total is a likely one: this run may see more');
	removeDir(dir);
});

progress('the last report says every file is settled and the run commits', async () => {
	const dir = tempDir();
	writeTree(join(dir, 'A'), { 'a.txt': 'alpha', 'b.txt': 'beta' });
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'A')] });
	const seen = await observe(join(dir, 'cfg'));
	assert.is(seen.at(-1)!.committing, true);
	assert.is(seen.at(-1)!.hashedFiles, 2);
	assert.ok(seen.slice(0, -1).every((p) => !p.committing));
	removeDir(dir);
});

progress.run();
