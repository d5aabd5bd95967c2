import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { CoreError } from '../errors.ts';
import { exists } from '../files/buffered.ts';
import { firstEntries } from '../files/cursor.ts';
import { readLines } from '../files/lines.ts';
import { sealHere } from './seal.ts';
import { corrupt, previousVersion, DB_FORMAT, DB_VERSION, unreadableEntry, upgrade, type DbEntry, type DbHeader, type DbPrefix, type DbRun, type FileRecord, type Sealer, type StoredEntry } from './format.ts';
import { completeFacts, ListedBlocks, LISTING_BLOCK } from './listing.ts';
import { parseFile } from './codecs.ts';
import { DbReader, readChunk } from './reader.ts';

export interface OpenedDb {
	path: string;
	header: DbHeader;
	run: DbRun;
	prefix?: DbPrefix;
	/** The blocks of its listing, for a run to skip those it finds again unchanged (version 2 on). */
	blocks?: ListedBlocks;
	/** How many entries there are from the first of block `block` on. */
	entriesFrom(block: number): number;
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

export interface OpenOptions {
	/** Checks the seal in the background (see OpenedDb.sealed); else it is checked before openDb returns. */
	sealer?: Sealer;
	/** The process runs with a small heap (RunHost.lowMemory): its sections are read in smaller chunks. */
	lowMemory?: boolean;
}

/**
 * Opens and checks a database: its seal is verified over the whole file before anything in
 * it is trusted. No file: undefined. A file that fails: a CoreError, and the file is left
 * exactly as it is for the user to inspect or restore.
 */
export async function openDb(path: string, options: OpenOptions = {}): Promise<OpenedDb | undefined> {
	// No database is no database, whatever `.new` lies beside it: a commit is the one rename of
	// `.new` over the database (see DbWriter.replace), so a `.new` alone was never committed,
	// and its run's events never reached the logs. Adopting it would lose them.
	if (!(await exists(path))) return undefined;
	const { header, run, prefix, sealed } = await verify(path, options.sealer);
	const filesAt = run.filesAt;
	const chunk = readChunk(options.lowMemory);
	const fromFirst = () => new DbReader(path, filesAt, run.localAt, undefined, chunk);
	const opened: OpenedDb = {
		path,
		header,
		run,
		sealed,
		...(prefix ? { prefix } : {}),
		...(run.listing ? { blocks: new ListedBlocks(run.listing, run.count) } : {}),
		entriesFrom: (block) => Math.max(0, run.count - block * LISTING_BLOCK),
		files: () => readFiles(path, filesAt),
		entries: () => flatten(fromStart(fromFirst, (r) => r.batches(false))),
		entryBatches: () => fromStart(fromFirst, (r) => r.batches()),
		verifiedBatches: () => fromStart(fromFirst, (r) => r.verified()),
		block: (block, read, n) => readBlock(opened, block, read, n),
		reader: (block?: number, alone = false) => {
			const listing = run.listing;
			if ((!block && !alone) || !listing) return fromFirst();
			block ??= 0;
			if (block >= listing.fileOffsets.length) throw new Error(`no block ${block} in ${basename(path)}`);
			const from = { ordinal: block * listing.block, fileOffset: listing.fileOffsets[block]!, localOffset: listing.localOffsets[block]! };
			// one block read alone: chunks of about its size, not 1 MiB
			const next = block + 1 < listing.fileOffsets.length;
			const sizes = alone && next ? { fileBytes: listing.fileOffsets[block + 1]! - from.fileOffset, localBytes: listing.localOffsets[block + 1]! - from.localOffset } : {};
			return new DbReader(path, filesAt, run.localAt, { ...from, ...sizes }, chunk);
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
	if (isLegacy(head)) throw legacyInPlace(path);
	const named = versionOf(head);
	if (named !== undefined && named > DB_VERSION) {
		// its seal may be made another way: what the file says it is is all that can be told
		const backup = previousVersion(path);
		throw new CoreError(
			'E_DB_VERSION',
			`${basename(path)}: written by a newer Equilybrium (database version ${named}, this one reads up to ${DB_VERSION}); update Equilybrium on this machine. ` +
				`The file is left untouched.${backup ? ` (If no newer Equilybrium ever ran here, the file is damaged: restore ${backup} in its place.)` : ''}`,
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
	if (header.version >= 2 && !completeFacts(run.listing, run.count)) return 'its run line does not record the blocks of its listing';
	return { header, run: upgrade(header, run) };
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

/** The first bytes of the file: its header names its version there. */
async function headOf(handle: FileHandle): Promise<Buffer> {
	const head = Buffer.alloc(256);
	const { bytesRead } = await handle.read(head, 0, head.length, 0);
	return head.subarray(0, bytesRead);
}

/**
 * The original Equilybrium's database, `{"<decimal digest>": [[size, "path"], ...]}` (or `{}`),
 * put in this one's place: the file is not damaged, it is in another format.
 */
function isLegacy(head: Buffer): boolean {
	return /^\s*\{\s*(?:"\d+"\s*:\s*\[|\}\s*$)/.test(head.toString('latin1'));
}

function legacyInPlace(path: string): CoreError {
	const name = basename(path);
	const role = /\.([AB])\.DB\.json$/.exec(name)?.[1] ?? 'A|B';
	return new CoreError(
		'E_DB_CORRUPT',
		`${name}: this is the original Equilybrium's database (its data/${role === 'A|B' ? '<role>' : role}.DB.json), not this one's. The file is left untouched. ` +
			`To keep its baseline, move it out of the config folder and make this side's database from it: equilybrium import-legacy <the moved file> --role ${role}`,
	);
}

/**
 * The format version its header line names, or undefined when it names none (a damaged
 * file, sealed then as this version's: it fails its seal, the message that explains it).
 */
function versionOf(head: Buffer): number | undefined {
	const match = /^\{"format":"[^"]*","version":(\d+),/.exec(head.toString('latin1'));
	return match ? Number(match[1]) : undefined;
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

/** What `read` gets from a reader at the first entry; the reader is closed when done. */
async function* fromStart<T>(open: () => DbReader, read: (reader: DbReader) => AsyncGenerator<T[]>): AsyncGenerator<T[]> {
	const reader = open();
	try {
		yield* read(reader);
	} finally {
		await reader.close();
	}
}

async function* flatten<T>(batches: AsyncGenerator<T[]>): AsyncGenerator<T> {
	for await (const batch of batches) yield* batch;
}
