// The database writer writes nothing while every entry is the previous database's own,
// kept as it was: a run that changed nothing copies the old bytes and seals only its run
// line. Whatever happens, the result must be the database a full rewrite would have made.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DB_VERSION, DbWriter, LISTING_BLOCK, openDb, type DbEntry, type OpenedDb, type StoredEntry } from '../src/db/index.ts';
import { removeDir, tempDir } from './util/tree.ts';

const RUN = { startedAt: '2026-01-02T03:04:05.000Z', finishedAt: '2026-01-02T03:04:06.000Z', toolVersion: 't', roots: [] };
const HEX = (i: number) => i.toString(16).padStart(64, '0');
const entry = (i: number): DbEntry => ({ key: `r/f${String(i).padStart(5, '0')}`, size: i * 10, hash: HEX(i), mtimeMs: 1_700_000_000_000 + i, verifiedAt: 1_700_000_100_000 + i });

async function write(path: string, entries: DbEntry[], previous?: OpenedDb, run = RUN): Promise<void> {
	const writer = await DbWriter.create(path, { role: 'B', algorithm: 'sha256' }, previous);
	for (const e of entries) writer.put(e, 'ordinal' in e ? (e as StoredEntry) : undefined);
	await writer.commit(run);
}

async function stored(db: OpenedDb): Promise<StoredEntry[]> {
	const out: StoredEntry[] = [];
	for await (const batch of db.entryBatches()) out.push(...batch);
	return out;
}

const plain = ({ key, size, hash, mtimeMs, verifiedAt }: DbEntry): DbEntry => ({ key, size, hash, mtimeMs, verifiedAt });

/** Everything before the run line: the header, the files, the local facts. */
const body = (path: string) => {
	const text = readFileSync(path, 'utf8');
	return text.slice(0, text.lastIndexOf('"run":'));
};

const same = suite('a run that changed no entry');

// enough entries to span several chunks of the reader and several flushes of the writer
const MANY = Array.from({ length: 30_000 }, (_, i) => entry(i));

same('writes the same entries, a valid seal, and its own run facts', async () => {
	const dir = tempDir();
	const path = join(dir, 'db.json');
	await write(path, MANY);
	const before = body(path);
	const previous = (await openDb(path))!;
	await write(path, await stored(previous), previous, { ...RUN, startedAt: '2026-02-02T00:00:00.000Z' });
	const after = (await openDb(path))!;
	assert.is(body(path), before, 'header, files and local facts are byte for byte the same');
	assert.is(after.run.startedAt, '2026-02-02T00:00:00.000Z', "this run's facts");
	assert.is(after.run.count, MANY.length);
	assert.is(after.run.filesAt, previous.run.filesAt);
	assert.is(after.run.localAt, previous.run.localAt);
	removeDir(dir);
});

for (const [name, change] of [
	// a changed entry is a new object, without the old one's stored lines (as a run makes it)
	['one entry in the middle changed', (list: DbEntry[]) => list.map((e, i) => (i === 17_000 ? { ...plain(e), hash: HEX(999_999), verifiedAt: 1 } : e))],
	['the first entry changed', (list: DbEntry[]) => list.map((e, i) => (i === 0 ? { ...plain(e), mtimeMs: 5 } : e))],
	['the last entries gone', (list: DbEntry[]) => list.slice(0, -3)],
	['an entry gone in the middle', (list: DbEntry[]) => list.filter((_, i) => i !== 12_345)],
	['a new entry at the end', (list: DbEntry[]) => [...list, { ...entry(99_999) }]],
	// the entries before the first change are copied a block at a time, as bytes
	['the first entry of a block changed', (list: DbEntry[]) => list.map((e, i) => (i === 2 * LISTING_BLOCK ? { ...plain(e), verifiedAt: 7 } : e))],
	['the last entry of a block changed', (list: DbEntry[]) => list.map((e, i) => (i === 3 * LISTING_BLOCK - 1 ? { ...plain(e), verifiedAt: 7 } : e))],
] as const) {
	same(`${name}: the database a full rewrite makes`, async () => {
		const dir = tempDir();
		const path = join(dir, 'db.json');
		const fresh = join(dir, 'fresh.json');
		await write(path, MANY);
		const previous = (await openDb(path))!;
		const next = change(await stored(previous));
		await write(path, next, previous);
		// the same entries written by a writer that never saw the old database
		await write(fresh, next.map(plain));
		assert.is(body(path), body(fresh));
		const reopened = (await openDb(path))!;
		const rewritten = (await openDb(fresh))!;
		assert.is(reopened.run.count, next.length);
		assert.is(reopened.run.bytes, rewritten.run.bytes);
		assert.equal(reopened.run.listing, rewritten.run.listing, 'the listing facts, copied blocks included');
		let n = 0;
		for await (const e of reopened.entries()) {
			assert.is(e.key, next[n]!.key);
			assert.is(e.hash, next[n]!.hash);
			n++;
		}
		assert.is(n, next.length);
		removeDir(dir);
	});
}

for (const total of [MANY.length, 28 * LISTING_BLOCK]) {
	same(`${total} entries, one block changed amid kept ones: kept blocks copied as bytes, the database a full rewrite makes`, async () => {
		const dir = tempDir();
		const path = join(dir, 'db.json');
		const fresh = join(dir, 'fresh.json');
		const list = MANY.slice(0, total);
		await write(path, list);
		const previous = (await openDb(path))!;
		const old = await stored(previous);
		const changedBlock = 5;
		const next = old.map((e, i) => (Math.floor(i / LISTING_BLOCK) === changedBlock ? { ...plain(e), verifiedAt: 7 } : e));
		const openFiles = () => readdirSync('/proc/self/fd').length;
		const before = openFiles();
		const writer = await DbWriter.create(path, { role: 'B', algorithm: 'sha256' }, previous);
		const blocks = Math.ceil(total / LISTING_BLOCK);
		for (let b = 0; b < blocks; b++) {
			const part = next.slice(b * LISTING_BLOCK, (b + 1) * LISTING_BLOCK);
			if (b === changedBlock) for (const e of part) writer.put(e);
			else await writer.keepBlock(b, part.length, part[part.length - 1]!.key);
		}
		await writer.commit(RUN);
		assert.is(openFiles(), before, 'every file the writer read from is closed');
		await write(fresh, next.map(plain));
		assert.is(body(path), body(fresh));
		const reopened = (await openDb(path))!;
		const rewritten = (await openDb(fresh))!;
		assert.is(reopened.run.count, total);
		assert.is(reopened.run.bytes, rewritten.run.bytes);
		assert.equal(reopened.run.listing, rewritten.run.listing, 'offsets shifted, digests and facts of the copied blocks');
		// and a reader opened at a copied block after the change reads it
		const at = changedBlock + 2;
		const reader = reopened.reader(at);
		const first = await reader.batches().next();
		await reader.close();
		assert.is(first.value![0]!.key, next[at * LISTING_BLOCK]!.key);
		removeDir(dir);
	});
}

same('a database of another format version is rewritten, not copied', async () => {
	const dir = tempDir();
	const path = join(dir, 'db.json');
	await write(path, MANY.slice(0, 10));
	const previous = (await openDb(path))!;
	previous.header = { ...previous.header, version: 0 };
	await write(path, await stored(previous), previous);
	assert.match(readFileSync(path, 'utf8'), new RegExp(`^\\{"format":"equilybrium-db","version":${DB_VERSION},`));
	assert.is((await openDb(path))!.run.count, 10);
	removeDir(dir);
});

same('each block of the listing: where its lines start, its bytes and oldest verification', async () => {
	const dir = tempDir();
	const path = join(dir, 'db.json');
	// keys with multi-byte characters, so byte offsets differ from character counts
	const entries = Array.from({ length: 2600 }, (_, i) => ({ ...entry(i), key: `r/é${String(i).padStart(5, '0')}`, verifiedAt: 1_700_000_000_000 + ((i * 7919) % 100_000) * 1000 }));
	await write(path, entries);
	const db = (await openDb(path))!;
	const listing = db.run.listing!;
	assert.is(listing.digests.length, 3);
	for (let block = 0; block < 3; block++) {
		const members = entries.slice(block * LISTING_BLOCK, (block + 1) * LISTING_BLOCK);
		const reader = db.reader(block);
		const first = (await reader.batches().next()).value![0]!;
		await reader.close();
		assert.is(first.key, members[0]!.key, `block ${block} starts at its first entry`);
		assert.is(first.ordinal, block * LISTING_BLOCK);
		assert.is(listing.bytes[block], members.reduce((sum, e) => sum + e.size, 0));
		const oldest = Math.min(...members.map((e) => e.verifiedAt));
		assert.is(listing.oldest[block], oldest);
		const firstOldest = members.find((e) => Math.floor(e.verifiedAt / 1000) === Math.floor(oldest / 1000))!;
		assert.is(listing.oldestSizes[block], firstOldest.size);
	}
	removeDir(dir);
});

same.run();

const offsets = suite('block offsets');

offsets('each block’s offsets point at its first line in both sections, with multi-byte keys', async () => {
	const dir = tempDir();
	const path = join(dir, 'db.json');
	// keys of one, two, three and four UTF-8 bytes a character, so bytes and characters differ
	const names = ['a', 'é', '✓', '𝄞'];
	const list = Array.from({ length: 3 * LISTING_BLOCK + 100 }, (_, i) => ({ ...entry(i), key: `r/${String(i).padStart(5, '0')}${names[i % 4]!.repeat(i % 7)}` }));
	await write(path, list);
	const db = (await openDb(path))!;
	const bytes = readFileSync(path);
	const { filesAt, localAt, listing } = db.run;
	assert.is(listing!.fileOffsets.length, 4);
	listing!.fileOffsets.forEach((offset, b) => {
		const first = list[b * LISTING_BLOCK]!;
		const fileAt = filesAt + 10 + offset;
		assert.is(bytes.toString('utf8', fileAt, fileAt + Buffer.byteLength(JSON.stringify(first.key)) + 1), `[${JSON.stringify(first.key)}`, `block ${b}: the files section`);
		if (b > 0) assert.is(bytes.toString('utf8', fileAt - 2, fileAt), ',\n', `block ${b}: right after the separator`);
		const localStart = localAt + 10 + listing!.localOffsets[b]!;
		assert.is(bytes.toString('utf8', localStart, localStart + 15), `[${first.mtimeMs},`, `block ${b}: the local section`);
	});
	for (let b = 0; b < 4; b++) {
		const reader = db.reader(b);
		const [batch] = await (async () => { for await (const batch of reader.batches()) return [batch]; return [[]]; })();
		await reader.close();
		assert.is(batch![0]!.key, list[b * LISTING_BLOCK]!.key, `a reader opened at block ${b} starts at its first entry`);
	}
	removeDir(dir);
});

offsets.run();
