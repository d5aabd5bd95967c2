import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf, FileChangingError, type AlgorithmName } from '../src/index.ts';
import { HashPool } from '../src/hashing/pool.ts';
import { LARGE_READ } from '../src/hashing/wire.ts';

const dir = mkdtempSync(join(tmpdir(), 'eq-pool-'));
const files: Record<string, Buffer> = {
	'empty': Buffer.alloc(0),
	'small': Buffer.from('hello, world\n'),
	'block': Buffer.alloc(4096, 7),
	'large': Buffer.alloc(LARGE_READ + 12345, 3),
};
for (const [name, data] of Object.entries(files)) writeFileSync(join(dir, name), data);
const at = (name: string) => join(dir, name);
const statOf = (name: string) => statSync(at(name));

const pool = suite('HashPool');


for (const algorithm of ['sha256', 'crc32'] as AlgorithmName[]) {
	pool(`${algorithm}: one batch of files and failures mixed, each answer to its own file`, async () => {
		const p = HashPool.create({ workers: 1, algorithm, blockSize: 4096 })!;
		// files missing between files read, first and last: the answers come back by column
		const names = ['gone-a', 'small', 'empty', 'gone-b', 'block', 'large', 'small', 'gone-c'];
		try {
			const results = await p.hashMany(names.map((name) => ({ path: at(name), size: -1, mtimeMs: -1 })));
			names.forEach((name, i) => {
				const result = results[i]!;
				if (name.startsWith('gone')) {
					assert.instance(result, Error, name);
					assert.is((result as NodeJS.ErrnoException).code, 'ENOENT');
				} else {
					assert.not.instance(result, Error, name);
					const hashed = result as { hash: string; size: number; mtimeMs: number };
					assert.is(hashed.hash, digestOf(algorithm, files[name]!), name);
					assert.is(hashed.size, files[name]!.length);
					assert.is(hashed.mtimeMs, statOf(name).mtimeMs);
				}
			});
		} finally {
			await p.close();
		}
	});
}

for (const algorithm of ['sha256', 'md5', 'blake2b', 'sha3_256', 'crc32'] as AlgorithmName[]) {
	pool(`${algorithm}: the same digests as the main thread, any block size`, async () => {
		const p = HashPool.create({ workers: 2, algorithm, blockSize: 4096 })!;
		try {
			const results = await Promise.all(Object.keys(files).map((name) => p.hash(at(name), statOf(name).size, statOf(name).mtimeMs)));
			Object.values(files).forEach((data, i) => {
				assert.is(results[i]!.hash, digestOf(algorithm, data));
				assert.is(results[i]!.size, data.length);
			});
		} finally {
			await p.close();
		}
	});
}

pool('a file that does not match what the scan saw is read again, not trusted', async () => {
	const p = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 1024 })!;
	try {
		// the scan saw 3 bytes and another mtime: the worker falls back to fstat before/after
		const result = await p.hash(at('small'), 3, 1);
		assert.is(result.hash, digestOf('sha256', files.small!));
		assert.is(result.size, files.small!.length);
	} finally {
		await p.close();
	}
});

pool('errors come back with their code; FileChangingError is its own type', async () => {
	const p = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 1024 })!;
	try {
		const missing = await p.hash(at('nope'), 1, 1).catch((e: NodeJS.ErrnoException) => e);
		assert.is((missing as NodeJS.ErrnoException).code, 'ENOENT');
		assert.not.instance(missing, FileChangingError);
	} finally {
		await p.close();
	}
});

pool('a spinning disk gets one large read at a time; an SSD several; every file is hashed', async () => {
	const names = ['large', 'large', 'small', 'large', 'large', 'block'];
	const p = HashPool.create({ workers: 2, algorithm: 'sha256', blockSize: 1 << 16, sequential: new Set(['hdd']) })!;
	try {
		const hashAll = (device: string) => Promise.all(names.map((n) => p.hash(at(n), statOf(n).size, statOf(n).mtimeMs, device)));
		for (const device of ['hdd', 'ssd']) {
			const results = await hashAll(device);
			results.forEach((r, i) => assert.is(r.hash, digestOf('sha256', files[names[i]!]!), `${device} ${names[i]}`));
		}
		assert.is(p.peakLargeReads('hdd'), 1, 'large reads of the spinning disk never overlap');
		assert.ok(p.peakLargeReads('ssd') > 1, `the SSD's large reads overlap (peak ${p.peakLargeReads('ssd')})`);
	} finally {
		await p.close();
	}
});

pool('no threads with Workers = 0 (every algorithm has them otherwise: algorithms-threads.test.ts)', () => {
	assert.is(HashPool.create({ workers: 0, algorithm: 'sha256', blockSize: 1024 }), undefined);
});

pool.after(() => rmSync(dir, { recursive: true, force: true }));

pool.run();

const broken = suite('a worker that dies');

broken('fails what it held and says so; the run then hashes on the main thread', async () => {
	const dir2 = mkdtempSync(join(tmpdir(), 'eq-pool-broken-'));
	try {
		writeFileSync(join(dir2, 'f'), 'x');
		const p = HashPool.create({ workers: 1, algorithm: 'sha256', blockSize: 1024 })!;
		const first = await p.hash(join(dir2, 'f'), 1, statSync(join(dir2, 'f')).mtimeMs);
		assert.is(first.hash, digestOf('sha256', Buffer.from('x')));
		assert.not.ok(p.broken);
		(p as unknown as { fail(e: Error): void }).fail(new Error('worker out of memory'));
		assert.ok(p.broken);
		await p.hash(join(dir2, 'f'), 1, 1).then(
			() => assert.unreachable('a broken pool hashes nothing'),
			(e: Error) => assert.match(e.message, /out of memory/),
		);
		await p.close();
	} finally {
		rmSync(dir2, { recursive: true, force: true });
	}
});

broken.run();
