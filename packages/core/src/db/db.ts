import { createHash, type Hash } from 'node:crypto';
import { constants } from 'node:fs';
import { copyFile, link, open, rename, truncate, unlink, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { CoreError } from '../errors.ts';
import { BufferedFile, exists } from '../files/buffered.ts';
import { firstEntries } from '../files/cursor.ts';
import { listingLine } from '../scan/folder.ts';
import { lowMemory } from '../_machine.ts';
import { readLineChunks, readLines } from '../files/lines.ts';
import { sealFor, type Seal } from './seal.ts';
import type { AlgorithmName } from '../hashing/algorithms.ts';
import type { Role, Root } from '../config/config.ts';

// The monitoring database M (SPEC §5). One JSON document, written one entry per line so it
// can be read and written as a stream:
//
//   {"format":"equilybrium-db","version":2,"role":"A","algorithm":"sha256",
//   "files":[                      ← the canonical part: identical trees give identical bytes
//   ["Photos/a.jpg",1234,"9f86…"],
//   ["Photos/b.jpg",0,"e3b0…"]
//   ],
//   "local":[                      ← machine-local facts, line n belongs to file n
//   [1700000000000.5,1700000000000],
//   [1700000000000,1700000000000,"<last good hash>"]
//   ],
//   "run":{…},                      ← this run's facts, and where "local" starts
//   "seal":"<SHA3-512 of the SHA-256 of each MiB above (seal.ts)>"}
//
// Entries are in ascending key order (compareKeys), the order the scan yields them.

export const DB_FORMAT = 'equilybrium-db';

/**
 * A run whose scan gives, block for block, the listing its database recorded (the same
 * keys, sizes and mtimes) knows those entries are unchanged without reading them as
 * entries. Blocks of LISTING_BLOCK entries; each digest is the first 32 hex digits of the
 * SHA-256 of the block's listing lines. NUL cannot occur in a file name.
 */
export const LISTING_BLOCK = 1024;
/**
 * Per block of LISTING_BLOCK entries: the digest of its listing, where its lines start (bytes
 * from the first entry of each section), and what coverage and the rolling hint need, so a
 * run whose listing matches a block need not read it at all.
 */
export interface ListingFacts {
	block: number;
	digests: string[];
	fileOffsets: number[];
	localOffsets: number[];
	bytes: number[];
	/** The block's least recent verification (ms since epoch)… */
	oldest: number[];
	/** …and the size of its first file (key order) verified in that second. */
	oldestSizes: number[];
}

/** Whether a database records its blocks' facts as this version does (older ones do not, or in part). */
export function hasBlockFacts(run: DbRun): boolean {
	const listing = run.listing;
	return listing?.block === LISTING_BLOCK && listing.oldestSizes?.length === listing.digests.length && listing.oldest.length === listing.fileOffsets.length;
}

export const listingDigest = (text: string) => listingDigestOf(createHash('sha256').update(text));
/** The same, of a SHA-256 fed the block's lines piece by piece. */
export const listingDigestOf = (sha256: Hash) => sha256.digest('hex').slice(0, 32);
/** 2: sealed a MiB at a time (seal.ts); version 1 files are read, and sealed, as they were. */
export const DB_VERSION = 2;

export interface FileRecord {
	key: string;
	size: number;
	hash: string;
}

export interface LocalRecord {
	mtimeMs: number;
	/** When the content was last hashed and found as recorded (ms since epoch). */
	verifiedAt: number;
	/** Set while the file is known corrupted: the hash it had before it rotted. */
	goodHash?: string;
}

export type DbEntry = FileRecord & LocalRecord;

/** An entry as read, with its two lines as they are in the file (no trailing comma). */
export type StoredEntry = DbEntry & StoredLines;

/** An entry's lines as stored, and its place in its database (0, 1, …). */
export interface StoredLines {
	fileLine: string;
	localLine: string;
	ordinal: number;
}

export interface DbHeader {
	format: typeof DB_FORMAT;
	version: number;
	role: Role;
	algorithm: AlgorithmName;
}

/** What a run tells the writer about itself. */
export interface DbRunFacts {
	startedAt: string;
	finishedAt: string;
	toolVersion: string;
	roots: Root[];
	/** Anything later versions add (counts, coverage…). */
	[extra: string]: unknown;
}

export interface DbRun extends DbRunFacts {
	count: number;
	bytes: number;
	/** The listing (key, size, mtime) of each LISTING_BLOCK entries: see ListingFacts. */
	listing?: ListingFacts;
	/** Byte offsets of the "files" and "local" sections. */
	filesAt: number;
	localAt: number;
}

/**
 * Everything before the run line (header, files, local) and the seal's state over it: a
 * run that changed no entry writes these bytes again, and seals only its own run line.
 */
export interface DbPrefix {
	bytes: number;
	/** The seal of these bytes followed by `text`. */
	extend(text: string): Promise<string>;
}

/** Computes a file's seal in the background, so the run goes on meanwhile. */
export interface Sealer {
	/** The seal (of format `version`) of the first `end` bytes; `extend` seals the first `prefixEnd` and then `text`. */
	seal(path: string, prefixEnd: number, end: number, version: number): Promise<{ digest: string; extend(text: string): Promise<string> }>;
}

export interface OpenedDb {
	path: string;
	header: DbHeader;
	run: DbRun;
	prefix?: DbPrefix;
	/**
	 * Settles when the seal is checked: at once, unless a Sealer checks it in the background; then
	 * the entries may be read meanwhile, but nothing made from them may be committed before
	 * this resolves. Rejects with E_DB_CORRUPT if the seal does not match.
	 */
	sealed: Promise<void>;
	/** Every entry, in key order, streamed. */
	entries(): AsyncGenerator<DbEntry>;
	/** The same, a chunk of the file at a time, each entry with its lines as stored. */
	entryBatches(): AsyncGenerator<StoredEntry[]>;
	/** A reader from the first entry, or from the first of block `block` of the listing; `alone`: only that block will be read (smaller chunks). */
	reader(block?: number, alone?: boolean): DbReader;
	/** The first `n` entries of block `block` (all of them by default), read with `read`; the reader is closed when done. */
	block<T>(block: number, read: (reader: DbReader) => AsyncGenerator<T[]>, n?: number): AsyncGenerator<T[]>;
	/** Only each entry's size and last verification, a chunk at a time (for rolling plans). */
	verifiedBatches(): AsyncGenerator<{ size: number; verifiedAt: number }[]>;
	/** The canonical part only, in key order, streamed. */
	files(): AsyncGenerator<FileRecord>;
}

export const dbFileName = (role: Role) => `equilybrium.${role}.DB.json`;

/**
 * Opens and checks a database: its seal is verified over the whole file before anything in
 * it is trusted. No file: undefined. A file that fails: a CoreError, and the file is left
 * exactly as it is for the user to inspect or restore.
 */
export async function openDb(path: string, sealer?: Sealer): Promise<OpenedDb | undefined> {
	// No database is no database, whatever `.new` lies beside it: a commit is the one rename of
	// `.new` over the database (see DbWriter.replace), so a `.new` alone was never committed,
	// and its run's events never reached the logs. Adopting it would lose them.
	if (!(await exists(path))) return undefined;
	const { header, run, prefix, sealed } = await verify(path, sealer);
	const filesAt = run.filesAt;
	const opened: OpenedDb = {
		path,
		header,
		run,
		sealed,
		...(prefix ? { prefix } : {}),
		files: () => readFiles(path, filesAt),
		entries: () => flatten(fromStart(path, filesAt, run.localAt, (r) => r.batches(false))),
		entryBatches: () => fromStart(path, filesAt, run.localAt, (r) => r.batches()),
		verifiedBatches: () => fromStart(path, filesAt, run.localAt, (r) => r.verified()),
		block: (block, read, n) => readBlock(opened, block, read, n),
		reader: (block?: number, alone = false) => {
			const listing = run.listing;
			if ((!block && !alone) || !listing) return new DbReader(path, filesAt, run.localAt);
			block ??= 0;
			if (block >= listing.fileOffsets.length) throw new Error(`no block ${block} in ${basename(path)}`);
			const from = { ordinal: block * listing.block, fileOffset: listing.fileOffsets[block]!, localOffset: listing.localOffsets[block]! };
			// one block read alone: chunks of about its size, not 1 MiB
			const next = block + 1 < listing.fileOffsets.length;
			const sizes = alone && next ? { fileBytes: listing.fileOffsets[block + 1]! - from.fileOffset, localBytes: listing.localOffsets[block + 1]! - from.localOffset } : {};
			return new DbReader(path, filesAt, run.localAt, { ...from, ...sizes });
		},
	};
	return opened;
}

async function* readBlock<T>(db: OpenedDb, block: number, read: (reader: DbReader) => AsyncGenerator<T[]>, n = Math.min(LISTING_BLOCK, db.run.count - block * LISTING_BLOCK)): AsyncGenerator<T[]> {
	const reader = db.reader(block, true);
	try {
		yield* firstEntries(read(reader), n);
	} finally {
		await reader.close();
	}
}

/** Streams a new database; nothing replaces the old one until `commit`. */
export class DbWriter {
	private count = 0;
	private bytes = 0;
	private lastKey: string | undefined;
	/**
	 * While every entry put is the previous database's next one, kept as it was, nothing is
	 * written: `identical` counts them. The first other entry is held until `drain` writes
	 * the header and those entries first; if none comes, `commit` copies the old file.
	 */
	private identical = 0;
	private held: [DbEntry, StoredLines | undefined][] | undefined;
	/** The previous database, once entries are written: blocks kept as they were are copied from it. */
	private source: OpenedDb | undefined;
	private listingText = '';
	private listing: ListingFacts = { block: LISTING_BLOCK, digests: [], fileOffsets: [], localOffsets: [], bytes: [], oldest: [], oldestSizes: [] };
	/** Bytes of entry lines written to the local section so far (its lines are ASCII). */
	private localBytes = 0;

	private constructor(
		readonly path: string,
		private main: BufferedFile<Seal>,
		private local: BufferedFile,
		private header: DbHeader,
		private previous: OpenedDb | undefined,
	) {}

	/** `previous`: the database this run started from, when it may write the same entries. */
	static async create(path: string, header: Omit<DbHeader, 'format' | 'version'>, previous?: OpenedDb): Promise<DbWriter> {
		const head: DbHeader = { format: DB_FORMAT, version: DB_VERSION, ...header };
		const main = await BufferedFile.create(path + NEW, sealFor(DB_VERSION));
		const local = await BufferedFile.create(path + LOCAL_TMP);
		const same = previous?.prefix && JSON.stringify(previous.header) === JSON.stringify(head) ? previous : undefined;
		const writer = new DbWriter(path, main, local, head, same);
		if (!same) writer.start();
		return writer;
	}

	private filesAt = 0;

	/**
	 * Bytes of entry lines written to the files section so far, as the file counts them: read
	 * once a block, not counted a line at a time (a key's UTF-8 length is one more pass over it).
	 */
	private get fileBytes(): number {
		return this.main.size - this.filesAt - SECTION_HEAD;
	}

	private start(): void {
		this.main.put(JSON.stringify(this.header).slice(0, -1) + ',\n');
		this.filesAt = this.main.size;
		this.main.put('"files":[\n');
	}

	private get deferred(): boolean {
		return this.previous !== undefined;
	}

	async add(entry: DbEntry): Promise<void> {
		this.put(entry);
		await this.drain();
	}

	/**
	 * Buffers an entry (call `drain` now and then). An entry read from the old database and
	 * kept as it was passes its stored lines: identical bytes, and no formatting per file.
	 */
	put(entry: DbEntry, stored?: StoredLines): void {
		if (this.lastKey !== undefined && !(this.lastKey < entry.key)) {
			throw new Error(`database entries out of order: "${entry.key}" after "${entry.key === this.lastKey ? 'itself' : this.lastKey}"`);
		}
		this.lastKey = entry.key;
		if (this.deferred) {
			if (!this.held && stored?.ordinal === this.identical) {
				this.identical++;
				return;
			}
			(this.held ??= []).push([entry, stored]);
			return;
		}
		// the same bytes as JSON.stringify([key, size, hash]): sizes are integers, digests hex
		const fileLine = stored?.fileLine ?? `[${jsonKey(entry.key)},${entry.size},"${entry.hash}"]`;
		const localLine = stored?.localLine ?? (entry.goodHash ? `[${entry.mtimeMs},${entry.verifiedAt},"${entry.goodHash}"]` : `[${entry.mtimeMs},${entry.verifiedAt}]`);
		// every line but the last ends with a comma: it goes before the next one
		const separator = this.count === 0 ? '' : SEPARATOR;
		const facts = this.listing;
		const last = facts.bytes.length - 1;
		// a block's offsets are where its first line starts, after the separator
		if (this.count % LISTING_BLOCK === 0) {
			facts.fileOffsets.push(this.fileBytes + separator.length);
			facts.localOffsets.push(this.localBytes + separator.length);
			facts.bytes.push(entry.size);
			facts.oldest.push(entry.verifiedAt);
			facts.oldestSizes.push(entry.size);
		} else {
			facts.bytes[last] = facts.bytes[last]! + entry.size;
			if (Math.floor(entry.verifiedAt / 1000) < Math.floor(facts.oldest[last]! / 1000)) facts.oldestSizes[last] = entry.size;
			if (entry.verifiedAt < facts.oldest[last]!) facts.oldest[last] = entry.verifiedAt;
		}
		this.main.put(separator + fileLine);
		this.local.put(separator + localLine);
		this.localBytes += separator.length + localLine.length; // numbers and hex: one byte a character
		this.count++;
		this.bytes += entry.size;
		this.listingText += listingLine(entry.key, entry.size, entry.mtimeMs);
		if (this.count % LISTING_BLOCK === 0) {
			facts.digests.push(listingDigest(this.listingText));
			this.listingText = '';
		}
	}

	/**
	 * The next entries are the previous database's block `block`, unchanged (their listing
	 * matched): `n` of them, the last one's key `lastKey`. While nothing else was put they are
	 * counted, not read; after, the block is copied as the old file's bytes (a whole one, where
	 * this database's blocks line up with the old one's) or read again as entries.
	 */
	async keepBlock(block: number, n: number, lastKey: string): Promise<void> {
		if (this.deferred && !this.held) {
			this.identical += n;
			this.lastKey = lastKey;
			return;
		}
		if (this.deferred) await this.writeIdentical();
		const source = this.source!;
		if (n === LISTING_BLOCK && this.count === block * LISTING_BLOCK) await this.copyBlocks(source, block, block + 1);
		else await this.putOld(source, block, n);
		this.lastKey = lastKey;
		await this.drain();
	}

	/** True while nothing but the old entries, in order, has been put. */
	get onlyIdentical(): boolean {
		return this.deferred && !this.held;
	}

	/** Writes out what `put` buffered, once there is enough of it. */
	async drain(): Promise<void> {
		if (this.held) await this.writeIdentical();
		await this.main.writeFull();
		await this.local.writeFull();
	}

	/**
	 * The entries kept as they were, then what was held: whole blocks of them copied as the
	 * old file's bytes with their listing facts (a run whose first change comes late need not
	 * parse and format again all the entries before it), the rest read again as entries.
	 */
	private async writeIdentical(): Promise<void> {
		const previous = this.previous!;
		const held = this.held ?? [];
		const lastKey = this.lastKey;
		this.source = previous;
		this.previous = undefined;
		this.held = undefined;
		this.lastKey = undefined;
		this.start();
		const blocks = this.copyable(previous, Math.floor(this.identical / LISTING_BLOCK));
		if (blocks > 0) await this.copyBlocks(previous, 0, blocks);
		await this.putOld(previous, blocks, this.identical - blocks * LISTING_BLOCK);
		for (const [entry, stored] of held) this.put(entry, stored);
		this.lastKey = lastKey;
	}

	/** Puts the old database's `n` entries from the start of `block` again, as they were. */
	private async putOld(source: OpenedDb, block: number, n: number): Promise<void> {
		if (n <= 0) return;
		for await (const batch of source.block(block, (reader) => reader.batches(), n)) {
			for (const entry of batch) this.put(entry, entry);
			if (this.main.full || this.local.full) await this.drain();
		}
	}

	/** How many of the first `wanted` blocks can be copied: whole ones, of a database that records its blocks. */
	private copyable(previous: OpenedDb, wanted: number): number {
		if (!hasBlockFacts(previous.run)) return 0;
		return Math.max(0, Math.min(wanted, Math.floor(previous.run.count / LISTING_BLOCK)));
	}

	/**
	 * Copies the old file's whole blocks from..to-1 (both sections, as bytes) after what was
	 * written, with their listing facts: only where this database holds exactly `from` whole
	 * blocks, so that its blocks line up with the old ones and the facts stay true.
	 */
	private async copyBlocks(previous: OpenedDb, from: number, to: number): Promise<void> {
		const listing = previous.run.listing!;
		if (this.count !== from * LISTING_BLOCK || to * LISTING_BLOCK > previous.run.count) throw new Error(`blocks ${from}–${to - 1} cannot be copied here`);
		const { filesAt, localAt } = previous.run;
		// where the blocks' lines start and end, from each section's first line: a block ends
		// before the separator of the next one's first line, the last before the section's end
		const last = to === listing.fileOffsets.length;
		const fileStart = listing.fileOffsets[from]!;
		const localStart = listing.localOffsets[from]!;
		const fileEnd = last ? localAt - SECTION_END.length - (filesAt + SECTION_HEAD) : listing.fileOffsets[to]! - SEPARATOR.length;
		const localEnd = last ? previous.prefix!.bytes - SECTION_END.length - (localAt + SECTION_HEAD) : listing.localOffsets[to]! - SEPARATOR.length;
		if (this.count > 0) {
			this.main.put(SEPARATOR);
			this.local.put(SEPARATOR);
			this.localBytes += SEPARATOR.length;
		}
		const fileShift = this.fileBytes - fileStart;
		const localShift = this.localBytes - localStart;
		await copyInto(previous.path, this.main, filesAt + SECTION_HEAD + fileStart, fileEnd - fileStart);
		await copyInto(previous.path, this.local, localAt + SECTION_HEAD + localStart, localEnd - localStart);
		const facts = this.listing;
		for (let b = from; b < to; b++) {
			facts.digests.push(listing.digests[b]!);
			facts.fileOffsets.push(listing.fileOffsets[b]! + fileShift);
			facts.localOffsets.push(listing.localOffsets[b]! + localShift);
			facts.bytes.push(listing.bytes[b]!);
			facts.oldest.push(listing.oldest[b]!);
			facts.oldestSizes.push(listing.oldestSizes[b]!);
			this.bytes += listing.bytes[b]!;
		}
		this.localBytes += localEnd - localStart;
		this.count = to * LISTING_BLOCK;
	}

	/** `finish`, then `publish`: the database in place. */
	async commit(run: DbRunFacts): Promise<void> {
		await this.finish(run);
		await this.publish();
	}

	/** The new database, sealed and synced, waiting beside the old one (`pending`) for `publish`. */
	get pending(): string {
		return this.path + NEW;
	}

	/** Keeps the previous version as `.bak` and puts the finished one in place: the commit. */
	async publish(): Promise<void> {
		await this.replace();
	}

	/** Seals the file and syncs it, as `pending`; nothing is committed yet. */
	async finish(run: DbRunFacts): Promise<void> {
		if (this.deferred && !this.held && this.identical === this.previous!.run.count) return this.finishSame(run);
		if (this.deferred) await this.writeIdentical();
		this.main.put(this.count === 0 ? '],\n' : '\n],\n');
		this.local.put(this.count === 0 ? '' : '\n');
		const localAt = this.main.size;
		this.main.put('"local":[\n');
		await this.local.close();
		await copyInto(this.path + LOCAL_TMP, this.main);
		this.main.put('],\n');
		if (this.listingText) this.listing.digests.push(listingDigest(this.listingText));
		const full: DbRun = { ...run, count: this.count, bytes: this.bytes, listing: this.listing, localAt, filesAt: this.filesAt };
		this.main.put(`"run":${JSON.stringify(full)},\n`);
		await this.main.flush();
		const seal = this.main.seal!.digest();
		await this.main.writeUnsealed(`"seal":"${seal}"}\n`);
		await this.main.close(true);
	}

	/** Not one entry changed: the old file's bytes before its run line, then this run's. */
	private async finishSame(run: DbRunFacts): Promise<void> {
		const previous = this.previous!;
		const { bytes, extend } = previous.prefix!;
		await this.main.close();
		await this.local.close();
		// a clone where the file system can (Btrfs, a Synology volume's usual one): no bytes copied
		await copyFile(previous.path, this.path + NEW, constants.COPYFILE_FICLONE);
		await truncate(this.path + NEW, bytes);
		const { count, bytes: size, localAt, filesAt, listing } = previous.run;
		const runLine = `"run":${JSON.stringify({ ...run, count, bytes: size, ...(listing ? { listing } : {}), localAt, filesAt } satisfies DbRun)},\n`;
		await previous.sealed;
		const sealed = await extend(runLine);
		const handle = await open(this.path + NEW, 'a');
		try {
			await handle.write(`${runLine}"seal":"${sealed}"}\n`);
			await handle.sync();
		} finally {
			await handle.close();
		}
		this.count = count;
		this.bytes = size;
	}

	/**
	 * The commit: one rename of the sealed, synced `.new` over the database, so that there is
	 * never a moment without a database (a run that finds none is a first run). The previous
	 * version is kept as `.bak` before, as a second name of the same file where the file system
	 * has hard links (no bytes copied), or a copy.
	 */
	private async replace(): Promise<void> {
		await unlink(this.path + LOCAL_TMP).catch(() => {});
		if (await exists(this.path)) await keepBackup(this.path, this.path + BAK);
		await rename(this.path + NEW, this.path);
	}

	/** Leaves the old database as it was and removes what this writer wrote. */
	async discard(): Promise<void> {
		await this.main.close().catch(() => {});
		await this.local.close().catch(() => {});
		await unlink(this.path + NEW).catch(() => {});
		await unlink(this.path + LOCAL_TMP).catch(() => {});
	}

	get entriesWritten(): number {
		return this.count;
	}
}

export const DB_SUFFIXES = { NEW: '.new', BAK: '.bak', LOCAL_TMP: '.local.tmp' } as const;

// --- internal ---

const { NEW, BAK, LOCAL_TMP } = DB_SUFFIXES;

/** `backup` becomes the file at `path` as it is now; `path` is left in place. */
async function keepBackup(path: string, backup: string): Promise<void> {
	await unlink(backup).catch(() => {});
	try {
		await link(path, backup);
	} catch {
		// FAT and exFAT volumes, some network shares: no hard links
		await copyFile(path, backup, constants.COPYFILE_FICLONE);
	}
}

function corrupt(path: string, why: string): CoreError {
	return new CoreError(
		'E_DB_CORRUPT',
		`${basename(path)}: ${why}. The file is left untouched; the previous version is ${basename(path)}${BAK}. ` +
			`To go on, restore that backup in its place, or move the damaged file away to start a new database.`,
	);
}

async function verify(path: string, sealer?: Sealer): Promise<{ header: DbHeader; run: DbRun; prefix?: DbPrefix; sealed: Promise<void> }> {
	const handle = await open(path, 'r');
	let size: number;
	let tail = '';
	let head: Buffer;
	try {
		size = (await handle.stat()).size;
		head = await headOf(handle);
		// the run and seal lines: a few kB, more with many listing digests; read more if need be
		for (let tailSize = Math.min(size, 64 << 10); ; tailSize = Math.min(size, tailSize * 8)) {
			const buffer = Buffer.alloc(tailSize);
			await handle.read(buffer, 0, tailSize, size - tailSize);
			tail = buffer.toString('utf8');
			// two line ends before the last one: the run line is whole
			const lastBreaks = tail.slice(0, -1).lastIndexOf('\n', tail.slice(0, -1).lastIndexOf('\n') - 1);
			if (lastBreaks >= 0 || tailSize === size || tailSize >= 64 << 20) break;
		}
	} finally {
		await handle.close();
	}
	const named = versionOf(head);
	if (named !== undefined && named > DB_VERSION) {
		// its seal may be made another way: what the file says it is is all that can be told
		throw new CoreError(
			'E_DB_VERSION',
			`${basename(path)}: written by a newer Equilybrium (database version ${named}, this one reads up to ${DB_VERSION}); update Equilybrium on this machine. ` +
				`The file is left untouched. (If no newer Equilybrium ever ran here, the file is damaged: restore ${basename(path)}${BAK} in its place.)`,
		);
	}
	const version = named ?? DB_VERSION;
	const editor = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? ' (it starts with a byte order mark: a text editor saved it)' : '';
	if (!tail.endsWith('}\n')) throw corrupt(path, `is incomplete or not an Equilybrium database (it does not end as one)${editor}`);
	const lines = tail.slice(0, -1).split('\n');
	const sealLine = lines[lines.length - 1]!;
	const runLine = lines[lines.length - 2] ?? '';
	const sealMatch = /^"seal":"([0-9a-f]{128})"\}$/.exec(sealLine);
	if (!sealMatch) throw corrupt(path, `has no seal${editor}`);
	const sealAt = size - Buffer.byteLength(sealLine) - 1;
	const runAt = Math.max(0, sealAt - Buffer.byteLength(runLine) - 1);
	const failed = () => corrupt(path, `fails its seal (it was changed or damaged after it was written)${editor}`);

	const shape = await shapeOf(path, runLine, size);
	if (typeof shape === 'string' || editor) {
		// a broken seal explains a broken header best. Checked here and now: a run's own sealer
		// starts only once the run is set up, after this returns, and waiting for it here hung
		// the run for ever (the event loop then emptied and the process ended with exit 0)
		const { digest } = await sealHere(path, runAt, sealAt, version);
		if (digest !== sealMatch[1] || editor) throw failed();
		throw corrupt(path, `is sealed but ${shape as string}`);
	}
	const { header, run } = shape;

	let prefix: DbPrefix | undefined;
	let sealed: Promise<void>;
	if (sealer) {
		const sealing = sealer.seal(path, runAt, sealAt, version);
		sealed = sealing.then((r) => {
			if (r.digest !== sealMatch[1]) throw failed();
		});
		sealed.catch(() => {}); // awaited before anything is committed
		prefix = { bytes: runAt, extend: async (text) => (await sealing).extend(text) };
	} else {
		const { digest, prefixSeal } = await sealHere(path, runAt, sealAt, version);
		if (digest !== sealMatch[1]) throw failed();
		sealed = Promise.resolve();
		if (prefixSeal) prefix = { bytes: runAt, extend: async (text) => prefixSeal.copy().update(text).digest() };
	}
	return { header, run, sealed, ...(prefix ? { prefix } : {}) };
}

/**
 * The header and the run line, checked for the shape the rest of the code relies on (the
 * sections where the run line says they are); what is wrong, in words, if they are not.
 */
async function shapeOf(path: string, runLine: string, size: number): Promise<{ header: DbHeader; run: DbRun } | string> {
	let header: DbHeader;
	let run: DbRun;
	try {
		const reader = readLines(path);
		const first = (await reader.next()).value;
		await reader.return(undefined);
		header = JSON.parse(first!.text.slice(0, -1) + '}') as DbHeader;
	} catch {
		return 'its header cannot be read';
	}
	if (!isObject(header)) return 'its header is not an object';
	if (header.format !== DB_FORMAT) return `it is not an Equilybrium database (format "${String(header.format)}")`;
	if (!Number.isInteger(header.version) || header.version < 1) return `its header names no known version (${String(header.version)})`;
	if (header.role !== 'A' && header.role !== 'B') return `its header names no role (${String(header.role)})`;
	if (typeof header.algorithm !== 'string') return 'its header names no algorithm';
	try {
		run = JSON.parse(runLine.replace(/^"run":/, '').replace(/,$/, '')) as DbRun;
	} catch {
		return 'its run line cannot be read';
	}
	if (!isObject(run)) return 'its run line is not an object';
	const offset = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) < size;
	if (!offset(run.filesAt) || !offset(run.localAt) || !Number.isInteger(run.count) || run.count < 0) return 'its run line does not say where its entries are';
	if (!(await startsWith(path, run.filesAt, '"files":[\n')) || !(await startsWith(path, run.localAt, '"local":[\n'))) return 'its entries are not where its run line says';
	return { header, run };
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

async function startsWith(path: string, at: number, text: string): Promise<boolean> {
	const handle = await open(path, 'r');
	try {
		const expected = Buffer.from(text);
		const found = Buffer.alloc(expected.length);
		const { bytesRead } = await handle.read(found, 0, found.length, at);
		return bytesRead === found.length && found.equals(expected);
	} finally {
		await handle.close();
	}
}

/**
 * The seal checked on this thread between turns of its event loop, a chunk at a time, from
 * when `start` settles: a run first sets itself up (its files, the rolling plan) with nothing
 * in its way, then merges while the seal is checked and its threads list. A chunk of 256 KiB
 * holds this thread well under a millisecond (1.5 ms for a version 1 file, sealed with
 * SHA3-512 over every byte), so the merge's turns come between.
 */
export function sealAfter(start: Promise<unknown>): Sealer {
	return {
		async seal(path, prefixEnd, end, version) {
			await start;
			const { digest, prefixSeal } = await sealHere(path, prefixEnd, end, version, 1 << 18);
			return {
				digest,
				extend: async (text) => {
					if (!prefixSeal) throw new Error('no seal state before the run line');
					return prefixSeal.copy().update(text).digest();
				},
			};
		},
	};
}

/** The first bytes of the file: its header names its version there. */
async function headOf(handle: FileHandle): Promise<Buffer> {
	const head = Buffer.alloc(256);
	const { bytesRead } = await handle.read(head, 0, head.length, 0);
	return head.subarray(0, bytesRead);
}

/**
 * The format version its header line names, or undefined when it names none (a damaged
 * file, sealed then as this version's: it fails its seal, the message that explains it).
 */
function versionOf(head: Buffer): number | undefined {
	const match = /^\{"format":"[^"]*","version":(\d+),/.exec(head.toString('latin1'));
	return match ? Number(match[1]) : undefined;
}

/** The seal of the first `end` bytes, and its state after the first `prefixEnd`. */
async function sealHere(path: string, prefixEnd: number, end: number, version: number, chunkSize = 1 << 20): Promise<{ digest: string; prefixSeal?: Seal }> {
	const seal = sealFor(version);
	let prefixSeal: Seal | undefined;
	const handle = await open(path, 'r');
	try {
		const chunk = Buffer.allocUnsafe(chunkSize);
		for (let at = 0; at < end; ) {
			// stop at the run line once: the seal of everything before it is kept (see DbPrefix)
			const stop = at < prefixEnd ? prefixEnd : end;
			const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, stop - at), at);
			if (bytesRead === 0) break;
			seal.update(chunk.subarray(0, bytesRead));
			at += bytesRead;
			if (at === prefixEnd) prefixSeal = seal.copy();
		}
	} finally {
		await handle.close();
	}
	return { digest: seal.digest(), ...(prefixSeal ? { prefixSeal } : {}) };
}

async function* readFiles(path: string, filesAt: number): AsyncGenerator<FileRecord> {
	let first = true;
	let ordinal = 0;
	for await (const line of readLines(path, filesAt)) {
		if (first) {
			first = false;
			continue; // "files":[
		}
		if (line.text.startsWith(']')) return;
		let record: FileRecord;
		try {
			record = parseFile(line.text);
		} catch {
			throw unreadableEntry(path, ordinal);
		}
		ordinal++;
		yield record;
	}
}

/** Appends a file (or `length` bytes of it from `start`) to `into`, a chunk at a time. */
async function copyInto(path: string, into: BufferedFile, start = 0, length = Infinity): Promise<void> {
	const handle = await open(path, 'r');
	try {
		// one buffer: `write` copies what it is given
		const chunk = Buffer.allocUnsafe(1 << 20);
		for (let done = 0; done < length; ) {
			const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, length - done), start + done);
			if (bytesRead === 0) {
				if (length !== Infinity) throw new Error(`${basename(path)} ended before the bytes to copy`);
				return;
			}
			await into.write(chunk.subarray(0, bytesRead));
			done += bytesRead;
		}
	} finally {
		await handle.close();
	}
}

/**
 * Walks a database's entries in order, pairing each file line with its local line, from the
 * first entry or from the first of a block of the listing (a run that skipped the blocks
 * before it, unchanged, starts there).
 */
export class DbReader {
	private files: AsyncGenerator<string[]>;
	private locals: AsyncGenerator<string[]>;
	private fileLines: string[] = [];
	private localLines: string[] = [];
	private fi = 0;
	private li = 0;
	private ordinal = 0;

	/** At `from`: the first entry (the sections' offsets), or a block's first (see ListingFacts). */
	constructor(
		private path: string,
		filesAt: number,
		localAt: number,
		from?: { ordinal: number; fileOffset: number; localOffset: number; fileBytes?: number; localBytes?: number },
	) {
		if (from) {
			// a block read alone (see reader) is read in chunks of about its size
			const chunk = (bytes?: number) => (bytes === undefined ? CHUNK : Math.min(CHUNK, bytes + (4 << 10)));
			this.files = sectionLines(path, filesAt + SECTION_HEAD + from.fileOffset, false, chunk(from.fileBytes));
			this.locals = sectionLines(path, localAt + SECTION_HEAD + from.localOffset, false, chunk(from.localBytes));
			this.ordinal = from.ordinal;
		} else {
			this.files = sectionLines(path, filesAt);
			this.locals = sectionLines(path, localAt);
		}
	}

	/** The entries from here on, a chunk of the file at a time. */
	batches(withLines = true): AsyncGenerator<StoredEntry[]> {
		return this.pairs((fileLine, localLine, ordinal) => {
			const entry = parseFile(fileLine) as StoredEntry;
			parseLocal(localLine, entry);
			if (withLines) {
				entry.fileLine = fileLine;
				entry.localLine = localLine;
				entry.ordinal = ordinal;
			}
			return entry;
		});
	}

	/** Only each entry's size and last verification: no entry objects, no keys (for a plan). */
	verified(): AsyncGenerator<{ size: number; verifiedAt: number }[]> {
		return this.pairs((file, local) => {
			// ["key",size,"hash"]: the size is between the last two commas outside the key
			const sizeEnd = file.lastIndexOf(',"');
			const size = Number(file.slice(file.lastIndexOf(',', sizeEnd - 1) + 1, sizeEnd));
			// [mtime,verifiedAt] or [mtime,verifiedAt,"goodHash"]
			const c1 = local.indexOf(',');
			const c2 = local.indexOf(',', c1 + 1);
			const close = local.indexOf(']', c1);
			const verifiedAt = Number(local.slice(c1 + 1, c2 >= 0 && c2 < close ? c2 : close));
			if (Number.isFinite(size) && Number.isFinite(verifiedAt)) return { size, verifiedAt };
			const entry = parseFile(file) as DbEntry;
			parseLocal(local, entry);
			return { size: entry.size, verifiedAt: entry.verifiedAt };
		});
	}

	/** Each file line with its local line (no trailing commas) made into a T, a chunk at a time. */
	private async *pairs<T>(make: (fileLine: string, localLine: string, ordinal: number) => T): AsyncGenerator<T[]> {
		for (;;) {
			if (this.fi === this.fileLines.length && !(await this.loadFiles())) return;
			const lines = this.fileLines;
			const batch: T[] = new Array(lines.length - this.fi);
			for (let i = 0; this.fi < lines.length; i++) {
				if (this.li === this.localLines.length) await this.loadLocals();
				try {
					batch[i] = make(stripComma(lines[this.fi++]!), stripComma(this.localLines[this.li++]!), this.ordinal++);
				} catch {
					throw unreadableEntry(this.path, this.ordinal);
				}
			}
			yield batch;
		}
	}

	async close(): Promise<void> {
		await this.locals.return(undefined);
		await this.files.return(undefined);
	}

	private async loadFiles(): Promise<boolean> {
		const next = await this.files.next();
		if (next.done) return false;
		this.fileLines = next.value;
		this.fi = 0;
		return this.fileLines.length > 0 || this.loadFiles();
	}

	private async loadLocals(): Promise<void> {
		do {
			const next = await this.locals.next();
			if (next.done) throw corrupt(this.path, 'has fewer local records than files');
			this.localLines = next.value;
			this.li = 0;
		} while (this.localLines.length === 0);
	}
}

/** What `read` gets from a reader at the first entry; the reader is closed when done. */
async function* fromStart<T>(path: string, filesAt: number, localAt: number, read: (reader: DbReader) => AsyncGenerator<T[]>): AsyncGenerator<T[]> {
	const reader = new DbReader(path, filesAt, localAt);
	try {
		yield* read(reader);
	} finally {
		await reader.close();
	}
}

/** The entry lines of the section starting at `offset` (its `"name":[` line), in chunks. */
async function* sectionLines(path: string, offset: number, head = true, chunk = CHUNK): AsyncGenerator<string[]> {
	let first = head;
	for await (const lines of readLineChunks(path, offset, chunk)) {
		let from = 0;
		if (first) {
			first = false;
			from = 1; // "files":[ or "local":[
		}
		const end = lines.findIndex((line, i) => i >= from && line.charCodeAt(0) === 93); // ]
		if (end >= 0) {
			if (end > from) yield lines.slice(from, end);
			return;
		}
		yield from ? lines.slice(from) : lines;
	}
}

/**
 * JSON.stringify(key), remembering the last one: a settled file's key goes to the checkpoint
 * and then to the database, one after the other.
 */
export function jsonKey(key: string): string {
	if (key !== lastKey) {
		lastKey = key;
		lastJson = JSON.stringify(key);
	}
	return lastJson;
}
let lastKey = '';
let lastJson = '""';

/** `"files":[\n` and `"local":[\n`: the line before each section's first entry. */
const SECTION_HEAD = 10;
/** Bytes a section is read in: less with a small heap (each is a string and its lines, twice: files, local). */
const CHUNK = lowMemory() ? 1 << 18 : 1 << 20;
/** Between two entry lines of a section. */
const SEPARATOR = ',\n';
/** After a section's last entry line. */
const SECTION_END = '\n],\n';

const stripComma = (line: string) => (line.charCodeAt(line.length - 1) === 44 ? line.slice(0, -1) : line);

async function* flatten<T>(batches: AsyncGenerator<T[]>): AsyncGenerator<T> {
	for await (const batch of batches) yield* batch;
}

/**
 * `[mtimeMs,verifiedAt]` or `[mtimeMs,verifiedAt,"goodHash"]`, maybe with a trailing comma,
 * read without JSON.parse: a database is read whole on every run, and this line has no
 * strings that could hold a comma.
 */
function parseLocal(text: string, into: DbEntry): void {
	const end = text.endsWith(',') ? text.length - 2 : text.length - 1;
	const c1 = text.indexOf(',');
	const c2 = text.indexOf(',', c1 + 1);
	into.mtimeMs = Number(text.slice(1, c1));
	into.verifiedAt = Number(text.slice(c1 + 1, c2 >= 0 && c2 < end ? c2 : end));
	if (c2 >= 0 && c2 < end) into.goodHash = text.slice(c2 + 2, end - 1);
	if (!(c1 > 0 && Number.isFinite(into.mtimeMs) && Number.isFinite(into.verifiedAt))) {
		const [mtimeMs, verifiedAt, goodHash] = JSON.parse(text.replace(/,$/, '')) as [number, number, string?];
		if (typeof mtimeMs !== 'number' || typeof verifiedAt !== 'number') throw new Error('not a local record');
		into.mtimeMs = mtimeMs;
		into.verifiedAt = verifiedAt;
		if (goodHash) into.goodHash = goodHash;
	}
}

/**
 * `["key",size,"hash"]`, maybe with a trailing comma. The hash and the size hold no comma or
 * quote, so they are found from the end; the key is JSON only when it has escapes.
 */
function parseFile(text: string): FileRecord {
	const close = text.endsWith(',') ? text.length - 2 : text.length - 1;
	const hashStart = text.lastIndexOf('"', close - 2) + 1;
	const sizeEnd = hashStart - 2;
	const sizeStart = text.lastIndexOf(',', sizeEnd - 1) + 1;
	const rawKey = text.slice(1, sizeStart - 1);
	const size = Number(text.slice(sizeStart, sizeEnd));
	const hash = text.slice(hashStart, close - 1);
	if (text.charCodeAt(0) === 91 && rawKey.length >= 2 && rawKey.charCodeAt(0) === 34 && rawKey.charCodeAt(rawKey.length - 1) === 34 && Number.isFinite(size) && rawKey.indexOf('\\') < 0) {
		return { key: rawKey.slice(1, -1), size, hash };
	}
	const [key, jsonSize, jsonHash] = JSON.parse(text.endsWith(',') ? text.slice(0, -1) : text) as [unknown, unknown, unknown];
	if (typeof key !== 'string' || typeof jsonSize !== 'number' || typeof jsonHash !== 'string') throw new Error('not an entry');
	return { key, size: jsonSize, hash: jsonHash };
}

/** A sealed file whose entry could not be read: its shape is wrong (see shapeOf). */
function unreadableEntry(path: string, ordinal: number): CoreError {
	return corrupt(path, `is sealed but its entry ${ordinal + 1} cannot be read`);
}
