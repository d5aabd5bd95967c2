import { open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BufferedFile, exists } from '../files/buffered.ts';
import { BatchCursor } from '../files/cursor.ts';
import { jsonKey } from '../files/json-key.ts';
import { readLines } from '../files/lines.ts';
import type { AlgorithmName } from '../hashing/names.ts';
import type { Role } from '../config/config.ts';
import { CHECKPOINT_SUFFIXES, checkpointFile } from '../config/folder.ts';

// Checkpoint and resume. A run appends every digest it computes to a journal, in key order
// (the order it settles files in), one JSON line each:
//
//   {"format":"equilybrium-checkpoint","version":1,"role":"A","algorithm":"sha256","run":"2024-…Z"}
//   ["Photos/a.jpg",1234,1700000000000.5,"9f86…",1700000100000]   key, size, mtime, hash, verifiedAt
//
// The journal is synced every SYNC_MS, so a power cut loses at most that much hashing; a
// torn or garbled tail is cut at the first line that does not parse, so what is read back
// is always a clean prefix. The next run streams it beside the scan and the database (the
// same sorted order) and takes a digest instead of re-reading the file when size and mtime
// still match: memory stays flat however large the journal is.
//
// A resumed run writes a new journal (`.next`) while reading the old one. If it is stopped
// too, the two are merged into one before the following run starts. A run that commits its
// database removes both. A journal names its run (its start, as a database stores it): one
// left by a run that committed and was killed before removing it (or by an earlier run that
// committed run fed on) is no run's to continue, and is dropped, so that a `Verify = full`
// run reads every file again.

export interface Checkpointed {
	key: string;
	size: number;
	mtimeMs: number;
	hash: string;
	verifiedAt: number;
}

/** Every SYNC_MS the journal is flushed and synced: the "at least every few minutes". */
export const SYNC_MS = 30_000;

export class CheckpointWriter {
	private lastSync: number;
	private lastFlush: number;
	private lastKey: string | undefined;

	private constructor(
		private file: BufferedFile,
		private clock: () => number,
		private flushMs: number,
	) {
		this.lastSync = clock();
		this.lastFlush = this.lastSync;
	}

	/**
	 * `run`: the run's start as its database will store it. `flushMs`: how often the journal is
	 * handed to the OS; `clock` times the syncs only (wall time, not the run's injectable
	 * clock); `lowMemory`: see RunHost.
	 */
	static async create(dir: string, role: Role, algorithm: AlgorithmName, run: string, options: { flushMs?: number | undefined; clock?: () => number; lowMemory?: boolean } = {}): Promise<CheckpointWriter> {
		const file = await BufferedFile.create(join(dir, checkpointFile(role) + NEXT), undefined, options.lowMemory);
		await file.write(headerLine(role, algorithm, run) + '\n');
		return new CheckpointWriter(file, options.clock ?? Date.now, options.flushMs ?? FLUSH_MS);
	}

	/** Buffers a digest, from its fields (a run puts one a file: no object for it); `tick` hands the buffer to the OS when it is due. */
	putLine(key: string, size: number, mtimeMs: number, hash: string, verifiedAt: number): void {
		// resumed entries and fresh ones arrive merged in key order; a key settled twice is not
		if (this.lastKey !== undefined && !(this.lastKey < key)) return;
		this.lastKey = key;
		// the same as JSON.stringify of the array, without building the array
		this.file.put(`[${jsonKey(key)},${size},${mtimeMs},"${hash}",${verifiedAt}]\n`);
	}

	/** Flushes when FLUSH_MS have passed, and syncs every SYNC_MS; a full buffer is written meanwhile. */
	async tick(): Promise<void> {
		const now = this.clock();
		if (now - this.lastFlush >= this.flushMs) await this.flush(now - this.lastSync >= SYNC_MS);
		else if (this.file.full) await this.file.writeFull();
	}

	async flush(sync: boolean): Promise<void> {
		this.lastFlush = this.clock();
		await this.file.flush();
		if (sync) {
			await this.file.sync();
			this.lastSync = this.clock();
		}
	}

	async close(): Promise<void> {
		await this.flush(true);
		await this.file.close();
	}

	/** The run committed: the journal is removed next, so nothing more of it is written or synced. */
	async discard(): Promise<void> {
		await this.file.discard();
	}
}

/**
 * The previous runs' journal, read as a cursor that only moves forward: `take(key)` must be
 * called with ascending keys. Undefined when there is none, or it is for another algorithm.
 */
export class CheckpointReader {
	/** Entries taken from the journal instead of hashing again. */
	used = 0;

	private constructor(private cursor: BatchCursor<Checkpointed>) {}

	/** `committedRun`: the start of the run the database holds; journals of that run or before it are dropped. */
	static async open(dir: string, role: Role, algorithm: AlgorithmName, committedRun?: string): Promise<CheckpointReader | undefined> {
		await dropCommitted(dir, role, committedRun);
		await consolidate(dir, role, algorithm);
		const path = join(dir, checkpointFile(role));
		if (!(await exists(path))) return undefined;
		return new CheckpointReader(new BatchCursor(journalBatches(path, role, algorithm)));
	}

	/** The journal's digest for `key`, if it has one; skips everything before it. */
	async take(key: string): Promise<Checkpointed | undefined> {
		for (;;) {
			if (this.cursor.needsLoad) await this.cursor.load();
			const next = this.cursor.peek();
			if (next === undefined || next.key > key) return undefined;
			this.cursor.shift();
			if (next.key === key) return next;
		}
	}

	async close(): Promise<void> {
		await this.cursor.close();
	}
}

/** After a committed run: nothing to resume. */
export async function removeCheckpoints(dir: string, role: Role): Promise<void> {
	const base = join(dir, checkpointFile(role));
	for (const suffix of ['', NEXT, TMP]) await unlink(base + suffix).catch(() => {});
}

// --- internal ---

const { NEXT, MERGED: TMP } = CHECKPOINT_SUFFIXES;
/** Handed to the OS this often: a killed process (not a power cut) loses at most this. */
const FLUSH_MS = 2_000;
const FORMAT = 'equilybrium-checkpoint';

const headerLine = (role: Role, algorithm: AlgorithmName, run: string | undefined) => JSON.stringify({ format: FORMAT, version: 1, role, algorithm, ...(run !== undefined ? { run } : {}) });

interface JournalHeader {
	format: string;
	role: string;
	algorithm: string;
	/** Missing in journals written before runs were named: taken as a stopped run's. */
	run?: string;
}

async function readHeader(path: string): Promise<JournalHeader | undefined> {
	try {
		for await (const line of readLines(path)) return JSON.parse(line.text) as JournalHeader;
	} catch {
		// torn, or not there
	}
	return undefined;
}

/** Removes the journals whose run is the database's, or older (see the top of this file). */
async function dropCommitted(dir: string, role: Role, committedRun: string | undefined): Promise<void> {
	if (committedRun === undefined) return;
	const base = join(dir, checkpointFile(role));
	for (const path of [base, base + NEXT]) {
		const run = (await readHeader(path))?.run;
		if (run !== undefined && run <= committedRun) await unlink(path).catch(() => {});
	}
}

/** The same, a chunk of the file at a time. */
async function* journalBatches(path: string, role: Role, algorithm: AlgorithmName): AsyncGenerator<Checkpointed[]> {
	let batch: Checkpointed[] = [];
	for await (const entry of readJournal(path, role, algorithm)) {
		batch.push(entry);
		if (batch.length >= 1024) {
			yield batch;
			batch = [];
		}
	}
	if (batch.length) yield batch;
}

/** Reads a journal's valid prefix; nothing at all if its header is not this role's and algorithm's. */
async function* readJournal(path: string, role: Role, algorithm: AlgorithmName): AsyncGenerator<Checkpointed> {
	let first = true;
	let lastKey: string | undefined;
	for await (const line of readLines(path)) {
		if (first) {
			first = false;
			let header: JournalHeader;
			try {
				header = JSON.parse(line.text) as JournalHeader;
			} catch {
				return;
			}
			if (header.format !== FORMAT || header.role !== role || header.algorithm !== algorithm) return;
			continue;
		}
		const entry = parseLine(line.text);
		// a torn write, garbage after a power cut, or disorder: the clean prefix is all we trust
		if (!entry || (lastKey !== undefined && !(lastKey < entry.key))) return;
		lastKey = entry.key;
		yield entry;
	}
}

function parseLine(text: string): Checkpointed | undefined {
	try {
		const v = JSON.parse(text) as unknown;
		if (!Array.isArray(v) || v.length !== 5) return undefined;
		const [key, size, mtimeMs, hash, verifiedAt] = v as [unknown, unknown, unknown, unknown, unknown];
		if (typeof key !== 'string' || typeof size !== 'number' || typeof mtimeMs !== 'number' || typeof hash !== 'string' || typeof verifiedAt !== 'number') return undefined;
		if (!/^[0-9a-f]+$/.test(hash)) return undefined;
		return { key, size, mtimeMs, hash, verifiedAt };
	} catch {
		return undefined;
	}
}

/**
 * Leaves at most one journal: a stopped resumed run left the old one and its `.next`; both
 * are valid prefixes in key order, so they merge as two sorted streams (the later digest
 * wins a tie). Written to `.tmp`, synced, then renamed: a stop here loses nothing either.
 */
async function consolidate(dir: string, role: Role, algorithm: AlgorithmName): Promise<void> {
	const base = join(dir, checkpointFile(role));
	const hasNext = await exists(base + NEXT);
	if (!hasNext) return;
	if (!(await exists(base))) {
		await rename(base + NEXT, base);
		return;
	}
	// the merged journal is the later run's
	const runs = [(await readHeader(base))?.run, (await readHeader(base + NEXT))?.run].filter((r): r is string => r !== undefined).sort();
	const out = await open(base + TMP, 'w');
	try {
		let text = headerLine(role, algorithm, runs.at(-1)) + '\n';
		const a = readJournal(base, role, algorithm);
		const b = readJournal(base + NEXT, role, algorithm);
		let x = await a.next();
		let y = await b.next();
		const line = (e: Checkpointed) => JSON.stringify([e.key, e.size, e.mtimeMs, e.hash, e.verifiedAt]) + '\n';
		while (!x.done || !y.done) {
			let pick: Checkpointed;
			if (y.done || (!x.done && x.value.key < y.value.key)) {
				pick = x.value as Checkpointed;
				x = await a.next();
			} else if (x.done || y.value.key < x.value.key) {
				pick = y.value;
				y = await b.next();
			} else {
				pick = y.value.verifiedAt >= x.value.verifiedAt ? y.value : x.value;
				x = await a.next();
				y = await b.next();
			}
			text += line(pick);
			if (text.length >= 1 << 20) {
				await out.write(text);
				text = '';
			}
		}
		await out.write(text);
		await out.sync();
	} finally {
		await out.close();
	}
	await rename(base + TMP, base);
	await unlink(base + NEXT);
}
