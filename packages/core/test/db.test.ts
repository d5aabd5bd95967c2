import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DbWriter, DB_VERSION, openDb, dbFileName, type DbEntry } from '../src/index.ts';
import { sealFor } from '../src/db/seal.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { refusedAsCorrupt, runSide } from './util/run.ts';

/** The canonical part: from the `"files":[` line to its closing `],`. */
export function filesPart(db: string): string {
	const start = db.indexOf('\n"files":[\n');
	const end = db.indexOf('\n],\n"local":[');
	assert.ok(start > 0 && end > start, 'the database has a files part');
	return db.slice(start + 1, end + 3);
}

const canonical = suite('the files part is canonical');

const TREE = {
	'a.txt': 'alpha',
	'B.txt': 'upper',
	'sub/deeper/c.bin': new Uint8Array([0, 1, 2, 255]),
	'sub.txt': 'sorts between sub/ and sub-',
	'sub-x/d.txt': 'dash',
	'café.txt': 'nfc or nfd on disk, NFC in the key',
	'empty': '',
};

canonical('the same tree under two different roots gives byte-identical files parts', async () => {
	const one = tempDir();
	const two = tempDir();
	writeTree(join(one, 'deep/path/Photos'), TREE);
	const { 'café.txt': accented, ...rest } = TREE;
	writeTree(join(two, 'Photos'), { ...rest, ['cafe\u0301.txt']: accented }); // NFD, as macOS writes it
	writeConfig(join(one, 'cfg'), { a: [join(one, 'deep/path/Photos')] });
	writeConfig(join(two, 'cfg'), { b: { Photos: join(two, 'Photos') } });
	await runSide(join(one, 'cfg'), 'A');
	await runSide(join(two, 'cfg'), 'B');
	const a = readFileSync(join(one, 'cfg', dbFileName('A')), 'utf8');
	const b = readFileSync(join(two, 'cfg', dbFileName('B')), 'utf8');
	assert.is(filesPart(a), filesPart(b));
	assert.not.equal(a, b, 'the whole files differ (role, roots, times): only the files part is shared');
	const keys = filesPart(a).split('\n').slice(1, -1).map((l) => JSON.parse(l.replace(/,$/, ''))[0]);
	assert.equal(keys, [...keys].sort(), 'entries in ascending key order');
	assert.ok(keys.includes('Photos/café.txt'.normalize('NFC')));
	assert.ok(keys.includes('Photos/sub/deeper/c.bin'));
	removeDir(one);
	removeDir(two);
});

canonical.run();

// ---

const seal = suite('the seal');

async function sealedDb() {
	const dir = tempDir();
	writeTree(join(dir, 'docs'), { 'a.txt': 'alpha', 'b.txt': 'beta' });
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'docs')] });
	await runSide(join(dir, 'cfg'));
	return { dir, cfg: join(dir, 'cfg'), path: join(dir, 'cfg', dbFileName('A')) };
}

seal('a sealed database opens and streams its entries', async () => {
	const s = await sealedDb();
	const db = await openDb(s.path);
	const entries: DbEntry[] = [];
	for await (const e of db!.entries()) entries.push(e);
	assert.equal(entries.map((e) => e.key), ['docs/a.txt', 'docs/b.txt']);
	assert.is(db!.run.count, 2);
	assert.is(db!.header.algorithm, 'sha256');
	removeDir(s.dir);
});

seal('one changed byte breaks the seal: the database is refused and kept as it was', async () => {
	const s = await sealedDb();
	const damaged = readFileSync(s.path, 'utf8').replace('"docs/b.txt",4', '"docs/b.txt",5');
	writeFileSync(s.path, damaged);
	await refusedAsCorrupt(() => openDb(s.path), /fails its seal/);
	// a run refuses too, and neither rewrites nor removes the damaged file
	await refusedAsCorrupt(() => runSide(s.cfg));
	assert.is(readFileSync(s.path, 'utf8'), damaged);
	removeDir(s.dir);
});

seal('a truncated database is refused, not taken for an empty one', async () => {
	const s = await sealedDb();
	const text = readFileSync(s.path, 'utf8');
	writeFileSync(s.path, text.slice(0, text.length / 2));
	await refusedAsCorrupt(() => openDb(s.path));
	removeDir(s.dir);
});

seal('a database from a newer version is refused with its own code', async () => {
	const dir = tempDir();
	const path = join(dir, 'db.json');
	const writer = await DbWriter.create(path, { role: 'A', algorithm: 'sha256' });
	await writer.commit({ startedAt: '', finishedAt: '', toolVersion: 't', roots: [] });
	// re-seal a copy that claims version 99
	resealAs(path, 99);
	try {
		await openDb(path);
		assert.unreachable();
	} catch (error) {
		assert.is((error as { code?: string }).code, 'E_DB_VERSION');
	}
	removeDir(dir);
});

/** Rewrites a database as format `version` claims it, sealed as that version is (see db/seal.ts). */
function resealAs(path: string, version: number): string {
	const body = readFileSync(path, 'utf8').replace(`"version":${DB_VERSION},`, `"version":${version},`);
	const unsealed = body.slice(0, body.lastIndexOf('"seal":'));
	const text = unsealed + `"seal":"${sealFor(version).update(unsealed).digest()}"}\n`;
	writeFileSync(path, text);
	return text;
}

seal('a version 1 database (SHA3-512 over every byte) opens; the next run keeps its entries and writes the current version', async () => {
	const s = await sealedDb();
	const v2 = readFileSync(s.path, 'utf8');
	const v1 = resealAs(s.path, 1);
	// the old seal: SHA3-512 of every byte before the seal line
	const unsealed = v1.slice(0, v1.lastIndexOf('"seal":'));
	assert.ok(v1.endsWith(`"seal":"${createHash('sha3-512').update(unsealed).digest('hex')}"}\n`));
	const db = await openDb(s.path);
	assert.is(db!.header.version, 1);
	const again = await runSide(s.cfg);
	assert.equal(again.lines, []);
	const now = readFileSync(s.path, 'utf8');
	assert.match(now, new RegExp(`^\\{"format":"equilybrium-db","version":${DB_VERSION},`));
	assert.is(filesPart(now), filesPart(v2));
	assert.is(readFileSync(s.path + '.bak', 'utf8'), v1);
	assert.is((await openDb(s.path))!.header.version, DB_VERSION);
	removeDir(s.dir);
});

seal('a version 1 database with one changed byte fails its seal', async () => {
	const s = await sealedDb();
	const v1 = resealAs(s.path, 1);
	writeFileSync(s.path, v1.replace('"docs/b.txt",4', '"docs/b.txt",5'));
	await refusedAsCorrupt(() => openDb(s.path), /fails its seal/);
	// a current file claiming version 1 (its seal is not SHA3-512 over every byte) fails too
	const s2 = await sealedDb();
	writeFileSync(s2.path, readFileSync(s2.path, 'utf8').replace(`"version":${DB_VERSION},`, '"version":1,'));
	await refusedAsCorrupt(() => openDb(s2.path), /fails its seal/);
	removeDir(s.dir);
	removeDir(s2.dir);
});

seal.run();

// ---

const atomic = suite('atomic writes');

atomic('each commit keeps the previous version as .bak', async () => {
	const s = await sealedDb();
	const before = readFileSync(s.path, 'utf8');
	writeTree(join(s.dir, 'docs'), { 'c.txt': 'gamma' });
	await runSide(s.cfg);
	assert.is(readFileSync(s.path + '.bak', 'utf8'), before);
	assert.ok(!existsSync(s.path + '.new'));
	removeDir(s.dir);
});

atomic('a .new alone is never taken for the database: it was not committed (SPEC §13)', async () => {
	// a first run killed after sealing its .new but before the commit's rename: its events
	// never reached the logs, so adopting the file would lose them all
	const s = await sealedDb();
	const { renameSync } = await import('node:fs');
	renameSync(s.path, s.path + '.new');
	assert.is(await openDb(s.path), undefined, 'no database');
	assert.ok(existsSync(s.path + '.new'), 'the .new is left for the next run to overwrite');
	assert.not.ok(existsSync(s.path));
	removeDir(s.dir);
});

atomic('the .bak is the previous version, kept before the one rename that commits', async () => {
	const s = await sealedDb();
	const first = readFileSync(s.path, 'utf8');
	writeTree(join(s.dir, 'docs'), { 'c.txt': 'gamma' });
	await runSide(s.cfg);
	const second = readFileSync(s.path, 'utf8');
	writeTree(join(s.dir, 'docs'), { 'd.txt': 'delta' });
	await runSide(s.cfg);
	assert.is(readFileSync(s.path + '.bak', 'utf8'), second, 'the .bak is the version before the last commit');
	assert.is.not(second, first);
	assert.is.not(statSync(s.path).ino, statSync(s.path + '.bak').ino, 'two files, not one');
	removeDir(s.dir);
});

atomic('writing out of order is a bug caught at once', async () => {
	const dir = tempDir();
	const writer = await DbWriter.create(join(dir, 'db.json'), { role: 'A', algorithm: 'md5' });
	await writer.add({ key: 'b', size: 1, hash: '00', mtimeMs: 0, verifiedAt: 0 });
	try {
		await writer.add({ key: 'a', size: 1, hash: '00', mtimeMs: 0, verifiedAt: 0 });
		assert.unreachable();
	} catch (error) {
		assert.match((error as Error).message, /out of order/);
	}
	await writer.discard();
	assert.ok(!existsSync(join(dir, 'db.json.new')));
	removeDir(dir);
});

atomic.run();
