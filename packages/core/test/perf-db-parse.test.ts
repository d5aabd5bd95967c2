// The database reader parses its lines by hand (a run reads the whole database): every key
// JSON can hold must come back exactly as written.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DbWriter, openDb, type DbEntry } from '../src/db/index.ts';

const parse = suite('database lines read without JSON.parse');

parse('tricky keys, sizes and good hashes round-trip', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'eq-dbparse-'));
	try {
		const keys = [
			'a/"quoted", with commas,2,"x"',
			'a/back\\slash',
			'a/plain.txt',
			'a/tab\there',
			'a/ünïcödé 日本.jpg',
			'a/x,123,"ff"]',
			'b/emoji 📷',
		].sort();
		const written: DbEntry[] = keys.map((key, i) => ({
			key,
			size: i === 2 ? 0 : 10 ** (i + 3) + i,
			hash: (i % 2 ? 'ab' : 'cd').repeat(32),
			mtimeMs: 1_700_000_000_000.5 + i,
			verifiedAt: 1_700_000_100_000 + i,
			...(i === 3 ? { goodHash: 'ef'.repeat(32) } : {}),
		}));
		const path = join(dir, 'equilybrium.A.DB.json');
		const writer = await DbWriter.create(path, { role: 'A', algorithm: 'sha256' });
		for (const e of written) await writer.add(e);
		await writer.commit({ startedAt: 'x', finishedAt: 'y', toolVersion: 't', roots: [] });
		const db = await openDb(path);
		const read: DbEntry[] = [];
		for await (const e of db!.entries()) read.push({ ...e });
		assert.equal(read, written);
		const files = [];
		for await (const f of db!.files()) files.push(f);
		assert.equal(files, written.map(({ key, size, hash }) => ({ key, size, hash })));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

parse.run();
