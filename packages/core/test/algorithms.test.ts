import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALGORITHMS, crc32Js, digestOf, hashFile, type AlgorithmName } from '../src/index.ts';
import { patternBytes, removeDir, tempDir } from './util/tree.ts';

const vectors = JSON.parse(readFileSync(new URL('../../../fixtures/digests/vectors.json', import.meta.url), 'utf8')) as {
	blockSize: number;
	files: Record<string, { size: number; digests: Record<string, string> }>;
};

const python = suite('digests equal Python hashlib/zlib');
const dir = tempDir();
python.after(() => removeDir(dir));

python('the fixture covers all 14 seed algorithms', () => {
	assert.equal(ALGORITHMS.length, 14);
	for (const file of Object.values(vectors.files)) assert.equal(Object.keys(file.digests).sort(), [...ALGORITHMS].sort());
});

for (const [label, file] of Object.entries(vectors.files)) {
	python(`${label} (${file.size} bytes), streamed in blocks of ${vectors.blockSize}`, async () => {
		const path = join(dir, label);
		writeFileSync(path, patternBytes(file.size));
		for (const algorithm of ALGORITHMS) {
			const hashed = await hashFile(path, { algorithm, blockSize: vectors.blockSize });
			assert.is(hashed.hash, file.digests[algorithm], `${algorithm} of ${label}`);
			assert.is(hashed.size, file.size);
		}
	});
}

python('a small block size streams to the same digests', async () => {
	const file = vectors.files['one-block-plus-one']!;
	const path = join(dir, 'small-blocks');
	writeFileSync(path, patternBytes(file.size));
	for (const algorithm of ['sha256', 'crc32', 'adler32', 'blake2s'] as AlgorithmName[]) {
		const hashed = await hashFile(path, { algorithm, blockSize: 4096 + 3 });
		assert.is(hashed.hash, file.digests[algorithm]);
	}
});

python.run();

// ---

const fallback = suite('crc32 without zlib.crc32 (Node < 20.15)');

fallback('the JS table gives zlib values, also when chained', () => {
	const data = patternBytes(100_000);
	const whole = crc32Js(data);
	const chained = crc32Js(data.subarray(60_000), crc32Js(data.subarray(0, 60_000)));
	assert.is(whole.toString(16).padStart(8, '0'), digestOf('crc32', data));
	assert.is(chained, whole);
	assert.is(crc32Js(new TextEncoder().encode('123456789')), 0xcbf43926);
});

fallback.run();

// ---

const changing = suite('a file written to while it is read');
const dir2 = tempDir();
changing.after(() => removeDir(dir2));

changing('is read again until steady, never reported with a torn digest', async () => {
	const path = join(dir2, 'growing');
	writeFileSync(path, patternBytes(1 << 20));
	let grown = false;
	const hashed = await hashFile(path, {
		algorithm: 'sha256',
		blockSize: 1 << 16,
		onBytes: () => {
			if (!grown) {
				grown = true;
				writeFileSync(path, patternBytes((1 << 20) + 10));
			}
		},
	});
	assert.ok(grown);
	assert.is(hashed.size, (1 << 20) + 10);
	assert.is(hashed.hash, digestOf('sha256', patternBytes((1 << 20) + 10)));
});

changing('gives up with E_CHANGING when it never settles', async () => {
	const path = join(dir2, 'always-changing');
	writeFileSync(path, patternBytes(1 << 18));
	let n = 0;
	try {
		await hashFile(path, { algorithm: 'md5', blockSize: 1 << 16, onBytes: () => writeFileSync(path, patternBytes((1 << 18) + ++n)) });
		assert.unreachable('should have thrown');
	} catch (error) {
		assert.is((error as { code?: string }).code, 'E_CHANGING');
	}
});

changing.run();
