// Files the scan did not stat (new ones) are stat'ed by the hashing thread itself, and a
// thread can lstat a folder's files for the merge. Neither may hang on a FIFO or trust a
// directory, and a large new file on a one-read-at-a-time disk still waits its turn.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf } from '../src/index.ts';
import { HashPool, LARGE_READ } from '../src/_pool.ts';

const dir = mkdtempSync(join(tmpdir(), 'eq-probe-'));
const small = Buffer.from('small file\n');
const large = Buffer.alloc(LARGE_READ * 2 + 7, 9);
writeFileSync(join(dir, 'small'), small);
for (let i = 0; i < 4; i++) writeFileSync(join(dir, `large${i}`), large);
mkdirSync(join(dir, 'folder'));
execFileSync('mkfifo', [join(dir, 'fifo')]);
const at = (name: string) => join(dir, name);
const UNKNOWN = -1;

const probe = suite('files of unknown size');


probe('a thread stats them itself: size and mtime come back with the digest', async () => {
	const pool = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		const [result] = await pool.hashMany([{ path: at('small'), size: UNKNOWN, mtimeMs: UNKNOWN }]);
		assert.not.instance(result, Error);
		const hashed = result as { hash: string; size: number; mtimeMs: number };
		assert.is(hashed.hash, digestOf('sha256', small));
		assert.is(hashed.size, small.length);
		assert.is(hashed.mtimeMs, lstatSync(at('small')).mtimeMs);
	} finally {
		await pool.close();
	}
});

probe('a FIFO or a folder in a file’s place is answered "not a file", without hanging', async () => {
	const pool = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		const results = await Promise.race([
			pool.hashMany([{ path: at('fifo'), size: UNKNOWN, mtimeMs: UNKNOWN }, { path: at('folder'), size: UNKNOWN, mtimeMs: UNKNOWN }]),
			new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5000).unref()),
		]);
		assert.ok(results !== 'hung', 'the thread answered');
		for (const result of results as Error[]) assert.is((result as NodeJS.ErrnoException).code, 'E_NOTFILE');
	} finally {
		await pool.close();
	}
});

probe('large new files on a sequential disk are read one at a time, and all hashed', async () => {
	const pool = HashPool.create({ workers: 2, algorithm: 'sha256', blockSize: 1 << 16, sequential: new Set(['hdd']) })!;
	try {
		const names = ['large0', 'small', 'large1', 'large2', 'large3'];
		const results = await pool.hashMany(names.map((name) => ({ path: at(name), size: UNKNOWN, mtimeMs: UNKNOWN, device: 'hdd' })));
		results.forEach((result, i) => {
			assert.not.instance(result, Error, names[i]);
			assert.is((result as { hash: string }).hash, digestOf('sha256', names[i] === 'small' ? small : large), names[i]);
		});
		assert.is(pool.peakLargeReads('hdd'), 1, 'never two large reads of the spinning disk at once');
	} finally {
		await pool.close();
	}
});

const stats = suite('lstat on a thread');
stats.after(() => rmSync(dir, { recursive: true, force: true }));

stats('sizes and mtimes as lstat gives them; gone and non-files are 0, errors carry their code', async () => {
	const pool = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		const paths = [at('small'), at('gone'), at('folder'), at('fifo'), at('large0'), join(at('small'), 'below-a-file')];
		const reply = await pool.statMany(paths);
		const kind = (i: number) => reply.values[i * 3 + 2];
		assert.is(kind(0), 1);
		assert.is(reply.values[0], small.length);
		assert.is(reply.values[1], lstatSync(at('small')).mtimeMs);
		assert.is(kind(1), 0, 'gone');
		assert.is(kind(2), 0, 'a folder');
		assert.is(kind(3), 0, 'a FIFO');
		assert.is(kind(4), 1);
		assert.is(reply.values[12], large.length);
		assert.is(kind(5), -1, 'an error');
		assert.is(reply.errors[5]![0], 'ENOTDIR');
	} finally {
		await pool.close();
	}
});

probe.run();
stats.run();
