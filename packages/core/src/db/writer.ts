import { constants } from 'node:fs';
import { copyFile, link, open, rename, truncate, unlink } from 'node:fs/promises';
import { basename } from 'node:path';
import { BufferedFile, exists } from '../files/buffered.ts';
import { sealFor, type Seal } from './seal.ts';
import { DB_SUFFIXES } from '../config/folder.ts';
import { DB_FORMAT, DB_VERSION, SECTION_END, SECTION_HEAD, SEPARATOR, type DbEntry, type DbHeader, type DbRun, type DbRunFacts, type StoredLines } from './format.ts';
import type { OpenedDb } from './open.ts';
import { listingDigest, LISTING_BLOCK, type ListingFacts } from './listing.ts';
import { jsonKey } from '../files/json-key.ts';
import { listingLine } from './codecs.ts';

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

	/** `previous`: the database this run started from, when it may write the same entries; `lowMemory`: see RunHost. */
	static async create(path: string, header: Omit<DbHeader, 'format' | 'version'>, previous?: OpenedDb, lowMemory = false): Promise<DbWriter> {
		const head: DbHeader = { format: DB_FORMAT, version: DB_VERSION, ...header };
		const main = await BufferedFile.create(path + NEW, sealFor(DB_VERSION), lowMemory);
		const local = await BufferedFile.create(path + LOCAL_TMP, undefined, lowMemory);
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
		if (!previous.blocks) return 0;
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
}

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
