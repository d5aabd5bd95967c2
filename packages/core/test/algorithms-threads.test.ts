// Every algorithm is hashed on the threads (issue 19: adler32, crc32, xxh128 and blake3 were
// hashed on the main thread, and a run with them listed its folders there too), with the
// digests Python's hashlib/zlib, xxhsum and b3sum give; adler32 by SIMD, checked against its
// definition where its sums come closest to overflowing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_ALGORITHMS, ALGORITHMS, digestOf, prepareAlgorithm, type AlgorithmName } from '../src/index.ts';
import { adler32Space, simdAdler32 } from '../src/hashing/adler32.ts';
import { HashPool } from '../src/hashing/pool.ts';
import { loadWasm, wasmHasher } from '../src/hashing/wasm.ts';
import { LARGE_READ } from '../src/hashing/wire.ts';
import { patternBytes } from './util/tree.ts';

const vectors = JSON.parse(readFileSync(new URL('../../../fixtures/digests/vectors.json', import.meta.url), 'utf8')) as {
	blockSize: number;
	files: Record<string, { size: number; digests: Record<string, string> }>;
};
const dir = mkdtempSync(join(tmpdir(), 'eq-threads-'));
const noise = (n: number) => createCipheriv('aes-128-ctr', Buffer.alloc(16, 2), Buffer.alloc(16)).update(Buffer.alloc(n));
// 0xff everywhere gives adler32's largest sums; sizes around its steps (16) and reductions (5552)
const samples: Record<string, Uint8Array> = {
	empty: new Uint8Array(0),
	ff15: new Uint8Array(15).fill(0xff),
	ff5552: new Uint8Array(5552).fill(0xff),
	ff5553: new Uint8Array(5553).fill(0xff),
	ffLarge: new Uint8Array(LARGE_READ + 5552 * 3 + 9).fill(0xff),
	noise: noise(70_001),
	large: noise(LARGE_READ + 12_345),
};
for (const [name, data] of Object.entries(samples)) writeFileSync(join(dir, name), data);

/** adler32 by its definition (RFC 1950), a byte at a time. */
function adler32Reference(data: Uint8Array): string {
	let a = 1;
	let b = 0;
	for (const byte of data) {
		a = (a + byte) % 65521;
		b = (b + a) % 65521;
	}
	return (((b << 16) | a) >>> 0).toString(16).padStart(8, '0');
}

const threads = suite('every algorithm on the hashing threads');

threads.before(async () => {
	for (const algorithm of ALL_ALGORITHMS) await prepareAlgorithm(algorithm);
});
threads.after(() => rmSync(dir, { recursive: true, force: true }));

threads('every algorithm has a pool: no algorithm makes a run hash, or list its folders, on the main thread', () => {
	for (const algorithm of ALL_ALGORITHMS) assert.ok(HashPool.create({ workers: 2, algorithm, blockSize: 4096 }), algorithm);
	assert.is(HashPool.create({ workers: 0, algorithm: 'adler32', blockSize: 4096 }), undefined, 'Workers = 0: the main thread');
});

threads('Python’s digests (fixtures/digests/vectors.json), in blocks of 256 KiB and of 4 KiB + 3', async () => {
	const paths = Object.entries(vectors.files).map(([label, file]) => {
		const path = join(dir, `vector-${label}`);
		writeFileSync(path, patternBytes(file.size));
		return { path, size: file.size, mtimeMs: statSync(path).mtimeMs };
	});
	for (const blockSize of [vectors.blockSize, 4096 + 3]) {
		for (const algorithm of ALGORITHMS) {
			const pool = HashPool.create({ workers: 2, algorithm, blockSize })!;
			try {
				// as a first run asks (size unknown: the thread stats) and as a later one (size known)
				for (const known of [false, true]) {
					const results = await pool.hashMany(paths.map((p) => (known ? p : { path: p.path, size: -1, mtimeMs: -1 })));
					Object.values(vectors.files).forEach((file, i) => {
						assert.is((results[i] as { hash: string }).hash, file.digests[algorithm], `${algorithm}, blocks of ${blockSize}, ${Object.keys(vectors.files)[i]}`);
					});
				}
			} finally {
				await pool.close();
			}
		}
	}
});

threads('xxh128, blake3, adler32 and crc32: the threads’ digests are this thread’s, around their steps and at the largest sums', async () => {
	for (const algorithm of ['xxh128', 'blake3', 'adler32', 'crc32'] as AlgorithmName[]) {
		for (const blockSize of [1 << 18, 4096 + 3]) {
			const pool = HashPool.create({ workers: 2, algorithm, blockSize })!;
			try {
				const names = Object.keys(samples);
				const results = await pool.hashMany(names.map((name) => ({ path: join(dir, name), size: -1, mtimeMs: -1 })));
				names.forEach((name, i) => {
					const expected = algorithm === 'adler32' ? adler32Reference(samples[name]!) : digestOf(algorithm, samples[name]!);
					assert.is((results[i] as { hash: string }).hash, expected, `${algorithm} ${name}, blocks of ${blockSize}`);
				});
			} finally {
				await pool.close();
			}
		}
	}
});

threads.run();

const simd = suite('adler32 by SIMD');

simd('equals its definition, whole, split anywhere, and read into its own memory', () => {
	const make = simdAdler32();
	if (!make) {
		console.warn('this Node’s WebAssembly has no SIMD: adler32 is hash-wasm’s here');
		return;
	}
	for (const [name, data] of Object.entries(samples)) {
		const expected = adler32Reference(data);
		const whole = make();
		whole.update(data);
		assert.is(whole.digest(), expected, `${name} whole`);
		for (const split of [1, 15, 16, 17, 5551, 5552, 70_000]) {
			if (split >= data.length) continue;
			const parts = make();
			parts.update(data.subarray(0, split));
			parts.update(data.subarray(split));
			assert.is(parts.digest(), expected, `${name} split at ${split}`);
		}
		// a thread reads into the module's memory and updates in place, several blocks a file
		const block = 4096 + 3;
		const space = adler32Space(block)!;
		const inPlace = make();
		for (let at = 0; at < data.length; at += block) {
			const piece = data.subarray(at, at + block);
			space.set(piece);
			inPlace.update(space.subarray(0, piece.length));
		}
		assert.is(inPlace.digest(), expected, `${name} in place`);
	}
});

simd('two digests in flight do not mix', () => {
	const make = simdAdler32();
	if (!make) return;
	const a = make();
	const b = make();
	a.update(samples.noise!.subarray(0, 100));
	b.update(samples.ff5553!);
	a.update(samples.noise!.subarray(100));
	assert.is(a.digest(), adler32Reference(samples.noise!));
	assert.is(b.digest(), adler32Reference(samples.ff5553!));
});

simd('hash-wasm’s adler32, where WebAssembly has no SIMD, gives the same digests', async () => {
	await loadWasm('adler32');
	const hasher = wasmHasher('adler32')!;
	for (const [name, data] of Object.entries(samples)) {
		hasher.init();
		hasher.update(data);
		assert.is(hasher.digest('hex'), adler32Reference(data), name);
	}
});

simd.run();
