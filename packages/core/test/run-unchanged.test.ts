// A run whose listing matches its database block by block skips those entries (and, with
// no change at all, copies the old database). It must find exactly what the entry-by-entry
// run finds, and a damaged database must still be refused.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dbFileName, openDb } from '../src/index.ts';
import { LISTING_BLOCK } from '../src/db/index.ts';
import { refusedAsCorrupt, runSide } from './util/run.ts';
import { forceCrc } from './util/crc.ts';
import { corruptInPlace, removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';

// three full blocks and a partial one, in several folders
const FILES = 3 * LISTING_BLOCK + 300;
const name = (i: number) => `d${i % 5}/f${String(i).padStart(5, '0')}.txt`;

function setup(workers: string) {
	const dir = tempDir();
	const docs = join(dir, 'docs');
	writeTree(docs, Object.fromEntries(Array.from({ length: FILES }, (_, i) => [name(i), `content ${i}`])));
	writeConfig(join(dir, 'cfg'), { a: [docs], extra: `Workers = ${workers}\nVerify = rolling 30` });
	return { dir, docs, cfg: join(dir, 'cfg'), db: join(dir, 'cfg', dbFileName('A')) };
}

const body = (path: string) => {
	const text = readFileSync(path, 'utf8');
	return text.slice(0, text.lastIndexOf('"run":'));
};

const skip = suite('an unchanged listing');

for (const workers of ['auto', '0']) {
	skip(`Workers = ${workers}: nothing changed: the same entries, no events, coverage of every file`, async () => {
		const s = setup(workers);
		await runSide(s.cfg);
		const before = body(s.db);
		const again = await runSide(s.cfg);
		assert.is(again.result.skippedFiles, FILES, 'every entry skipped');
		assert.equal(again.lines, []);
		assert.is(again.result.files, FILES);
		assert.is(again.result.hashedFiles, 0);
		assert.is(again.result.coverage!.files, FILES, 'coverage counts the skipped files too');
		assert.is(body(s.db), before);
		assert.is((await openDb(s.db))!.run.count, FILES);
		removeDir(s.dir);
	});

	skip(`Workers = ${workers}: changes amid unchanged blocks are found as entry by entry`, async () => {
		const s = setup(workers);
		await runSide(s.cfg);
		// in the last two folders (d3, d4): the blocks of d0–d2 are unchanged
		corruptInPlace(join(s.docs, name(2503)), 'rotten!!!', new Date('2024-05-01T10:00:00Z'));
		writeTree(s.docs, { [name(3204)]: 'edited' }, new Date('2024-05-03T10:00:00Z'));
		renameSync(join(s.docs, name(13)), join(s.docs, 'd4/moved.txt'));
		rmSync(join(s.docs, name(24)));
		const run = await runSide(s.cfg);
		assert.ok(run.result.skippedFiles >= LISTING_BLOCK, 'the unchanged block before the first change is skipped');
		assert.equal(run.lines, ['FileCorrupted docs/' + name(2503), 'FileModified docs/' + name(3204), 'FileMovedOrRenamed docs/d4/moved.txt', 'FileNotFound docs/' + name(24)].sort());
		assert.is(run.result.files, FILES - 1);
		const db = (await openDb(s.db))!;
		assert.is(db.run.count, FILES - 1);
		// and the next run, with nothing changed, keeps all that
		const quiet = await runSide(s.cfg);
		assert.equal(quiet.lines, []);
		removeDir(s.dir);
	});

	skip(`Workers = ${workers}: a damaged database whose listing still matches is refused, and kept`, async () => {
		const s = setup(workers);
		await runSide(s.cfg);
		// one digit of one digest: sizes and mtimes (the listing) are untouched
		const text = readFileSync(s.db, 'utf8');
		const at = text.indexOf('"', text.indexOf(`"docs/${name(1500)}"`) + name(1500).length + 8) + 1;
		const damaged = text.slice(0, at) + (text[at] === '0' ? '1' : '0') + text.slice(at + 1);
		writeFileSync(s.db, damaged);
		await refusedAsCorrupt(() => runSide(s.cfg));
		assert.is(readFileSync(s.db, 'utf8'), damaged);
		removeDir(s.dir);
	});
}

skip('a collision with a file in a skipped block is found (its digest is read when needed)', async () => {
	const dir = tempDir();
	const docs = join(dir, 'docs');
	const original = new TextEncoder().encode('the original file');
	// the original sorts first: its block is skipped on the second run
	writeTree(docs, { 'a/original.txt': original, ...Object.fromEntries(Array.from({ length: 2 * LISTING_BLOCK }, (_, i) => [name(i), `content ${i}`])) });
	writeConfig(join(dir, 'cfg'), { a: [docs], algorithm: 'crc32', extra: 'Verify = rolling 30' });
	await runSide(join(dir, 'cfg'));
	const { crc32Js } = await import('../src/index.ts');
	writeTree(docs, { 'z/impostor.txt': forceCrc(new TextEncoder().encode('another, longer file with other bytes'), crc32Js(original)) });
	const run = await runSide(join(dir, 'cfg'));
	assert.ok(run.result.skippedFiles >= LISTING_BLOCK, 'the block of the original was skipped');
	assert.equal(run.lines, ['HashCollision docs/z/impostor.txt', 'NewFile docs/z/impostor.txt']);
	assert.match(run.events.find((e) => e.type === 'HashCollision')!.details!, /docs\/a\/original\.txt/);
	removeDir(dir);
});

skip('with a small heap, a first run finds a collision between two new files (its index is built after the commit)', async () => {
	const dir = tempDir();
	const docs = join(dir, 'docs');
	const original = new TextEncoder().encode('the original file');
	const { crc32Js } = await import('../src/index.ts');
	writeTree(docs, { 'a/original.txt': original, 'z/impostor.txt': forceCrc(new TextEncoder().encode('another, longer file'), crc32Js(original)), 'm/other.txt': 'other' });
	writeConfig(join(dir, 'cfg'), { a: [docs], algorithm: 'crc32' });
	const child = fileURLToPath(new URL('./util/low-memory-child.ts', import.meta.url));
	const out = execFileSync(process.execPath, ['--max-semi-space-size=1', '--max-old-space-size=48', '--import', 'tsx', child, join(dir, 'cfg'), 'A'], { encoding: 'utf8' });
	const events = out.trim().split('\n').map((line) => JSON.parse(line) as { type?: string; key?: string; files?: number });
	const collisions = events.filter((e) => e.type === 'HashCollision').map((e) => e.key).sort();
	assert.equal(collisions, ['docs/a/original.txt', 'docs/z/impostor.txt']);
	assert.is(events.at(-1)!.files, 3);
	removeDir(dir);
});

skip.run();
