// The original Equilybrium's database read as a stream (legacy/original.ts): the same entries
// as JSON.parse gives, whichever byte a chunk ends at, for names with every escape Python's
// json.dumps writes; a file of the wrong shape or cut short is an E_INPUT naming it.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOriginalDb, type OriginalEntry } from '../src/legacy/original.ts';
import { isCoreError } from '../src/index.ts';
import { removeDir, tempDir } from './util/tree.ts';

/** Python's json.dumps(db, indent=2) with ensure_ascii: every character past ASCII as \uXXXX. */
const pythonJson = (db: Record<string, [number, string][]>) => JSON.stringify(db, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const NAMES = ['plain.txt', 'café.txt', 'say "hi".txt', 'back\\slash.txt', 'tab\there.txt', 'emoji 😀.jpg', 'ends with backslash\\', '日本語/ファイル.txt'];

async function read(file: string, algorithm: 'adler32' | 'sha256', chunk?: number): Promise<OriginalEntry[]> {
	const out: OriginalEntry[] = [];
	await readOriginalDb(file, algorithm, async (entries) => void out.push(...entries), chunk);
	return out;
}

const test = suite("the original's database, streamed");
let dir = '';
test.before.each(() => {
	dir = tempDir();
});
test.after.each(() => removeDir(dir));

test('every name and digest as JSON.parse reads them, at any chunk size (tokens cut anywhere)', async () => {
	const db: Record<string, [number, string][]> = {
		'6553601': [[100, '/root/zeros.bin']],
		'102359126496999175042902170853030160675124675646138809563614359856005766000': NAMES.map((n, i) => [i * 1000, `D:/video/${n}`] as [number, string]),
	};
	const file = join(dir, 'A.DB.json');
	writeFileSync(file, pythonJson(db));
	const want = NAMES.map((n, i) => ({ path: `D:/video/${n}`, size: i * 1000, hash: '0039eee7' }));
	for (const chunk of [1, 2, 3, 7, 64, 1 << 20]) {
		const got = await read(file, 'sha256', chunk);
		assert.is(got.length, NAMES.length + 1, `chunk ${chunk}`);
		assert.equal(got[0], { path: '/root/zeros.bin', size: 100, hash: '0000000000000000000000000000000000000000000000000000000000640001' }, `chunk ${chunk}`);
		assert.equal(got.slice(1).map((e) => ({ ...e, hash: e.hash.slice(0, 8) })), want, `chunk ${chunk}`);
		assert.ok(got.slice(1).every((e) => e.hash.length === 64));
	}
	// compact JSON (no indent) reads the same
	writeFileSync(file, JSON.stringify(db));
	assert.is((await read(file, 'sha256', 5)).length, NAMES.length + 1);
});

test('an empty database, {}, has no entries', async () => {
	const file = join(dir, 'A.DB.json');
	writeFileSync(file, '{}');
	assert.equal(await read(file, 'adler32', 1), []);
});

test('wrong shapes, cut short, trailing text, a digest too wide: E_INPUT naming the file, and what was wrong', async () => {
	const good = pythonJson({ '6553601': [[100, '/root/zeros.bin']] });
	const cases: [string, string, RegExp][] = [
		['empty', '', /is empty/],
		['not JSON', 'hello', /is not JSON/],
		['a list', '[1, 2]', /is not JSON|where \{ was expected/],
		['our own format', '{"format":"equilybrium-db","version":2}', /already this Equilybrium's database/],
		['a key that is no digest', '{"abc": []}', /"abc" is not a decimal digest/],
		['an entry of three', '{"1": [[1, "a", 3]]}', /where \] was expected/],
		['a negative size', '{"1": [[-1, "a"]]}', /where a size was expected/],
		['a path that is a number', '{"1": [[1, 2]]}', /where a path was expected/],
		['text after the end', `${good} {}`, /where nothing more was expected/],
		['a digest too wide for adler32', '{"4294967296": [[1, "a"]]}', /wider than adler32's/],
		...[1, 10, 20, good.length - 1].map((n): [string, string, RegExp] => [`cut at ${n}`, good.slice(0, n), /cut short|ends inside a string|is not JSON/]),
	];
	for (const [name, text, message] of cases) {
		const file = join(dir, 'A.DB.json');
		writeFileSync(file, text);
		try {
			await read(file, 'adler32', 3);
			assert.unreachable(`${name}: read`);
		} catch (error) {
			assert.ok(isCoreError(error) && error.code === 'E_INPUT', `${name}: ${String(error)}`);
			assert.ok((error as Error).message.startsWith(file), `${name}: names the file: ${(error as Error).message}`);
			assert.match((error as Error).message, message, name);
		}
	}
});

test('a missing file: E_INPUT, "no such file"', async () => {
	try {
		await read(join(dir, 'nowhere.json'), 'adler32');
		assert.unreachable();
	} catch (error) {
		assert.ok(isCoreError(error) && error.code === 'E_INPUT');
		assert.match((error as Error).message, /nowhere\.json: no such file/);
	}
});

test.run();
