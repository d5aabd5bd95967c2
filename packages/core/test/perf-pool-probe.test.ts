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
import { HashPool } from '../src/hashing/pool.ts';
import { LARGE_READ } from '../src/hashing/wire.ts';
import { prestartThreads, spareThreads } from '../src/hashing/threads.ts';
import { lowMemory, physicalCores } from '../../cli/src/machine.ts';

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

const stats = suite('listing on a thread');

stats('a folder listed with its files’ sizes and mtimes; folders, FIFOs and excluded names apart; errors carry their code', async () => {
	const pool = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		const listing = await pool.listFolder({ dir, base: dir + '/', prefix: 'p', relative: '', byName: '^large3$' }, true);
		assert.equal(listing.entries().keys, ['p/folder', 'p/large0', 'p/large1', 'p/large2', 'p/small'], 'the FIFO and the excluded file left out, in key order');
		assert.equal(listing.kinds, [1, 0, 0, 0, 0]);
		const values = listing.stats!.values;
		assert.equal([...values.subarray(0, 3)], [0, 0, 0], 'a folder is not stat’ed');
		assert.equal([...values.subarray(12, 15)], [small.length, lstatSync(at('small')).mtimeMs, 1]);
		assert.is(values[3], large.length);
		const gone = await pool.listFolder({ dir: at('gone'), base: at('gone') + '/', prefix: 'p/gone', relative: 'gone' }, true);
		assert.is(gone.error?.[0], 'ENOENT');
		const file = await pool.listFolder({ dir: at('small'), base: at('small') + '/', prefix: 'p/small', relative: 'small' }, true);
		assert.is(file.error?.[0], 'ENOTDIR');
	} finally {
		await pool.close();
	}
});

stats('a folder listed without lstat (a first run): the same entries, no stats and no lines', async () => {
	const pool = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		const request = { dir, base: dir + '/', prefix: 'p', relative: '', byName: '^large3$' };
		const bare = await pool.listFolder(request, false);
		const stated = await pool.listFolder(request, true);
		assert.equal(bare.entries(), stated.entries());
		assert.equal(bare.kinds, stated.kinds);
		assert.equal(bare.folders, stated.folders);
		assert.is(bare.stats, undefined);
		assert.is(bare.lines, undefined);
		assert.ok(stated.stats && stated.lines);
	} finally {
		await pool.close();
	}
});

probe.run();
stats.run();

const early = suite('threads started before the program knows it wants them');

early('a pool takes the threads started early (as many as a run lists on), and lists on them', async () => {
	prestartThreads({ cores: physicalCores(), lowMemory: lowMemory() });
	const started = spareThreads();
	assert.is(started, lowMemory() ? 1 : Math.min(2, physicalCores()));
	prestartThreads({ cores: physicalCores(), lowMemory: lowMemory() });
	assert.is(spareThreads(), started, 'started once, not again');
	const pool = HashPool.create({ workers: 2, algorithm: 'sha256', blockSize: 4096 })!;
	try {
		const listing = await pool.listFolder({ dir, base: dir + '/', prefix: 'p', relative: '', byName: '^large3$' }, true);
		assert.is(spareThreads(), Math.max(0, started - 2), 'taken by the pool');
		assert.equal(listing.entries().keys, ['p/folder', 'p/large0', 'p/large1', 'p/large2', 'p/small']);
		const [hashed] = await pool.hashMany([{ path: at('small'), size: UNKNOWN, mtimeMs: UNKNOWN }]);
		assert.is((hashed as { hash: string }).hash, digestOf('sha256', small));
	} finally {
		await pool.close();
	}
});

early.after(() => rmSync(dir, { recursive: true, force: true }));

early.run();
