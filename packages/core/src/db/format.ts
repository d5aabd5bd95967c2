import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { CoreError } from '../errors.ts';
import type { AlgorithmName } from '../hashing/names.ts';
import type { Role, Root } from '../config/config.ts';
import { DB_SUFFIXES } from '../config/folder.ts';
import type { ListingFacts } from './listing.ts';

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
//   "run":{…},                      ← this run's facts, where "local" starts, its blocks (listing.ts)
//   "seal":"<SHA3-512 of the SHA-256 of each MiB above (seal.ts)>"}
//
// Entries are in ascending key order (compareKeys), the order the scan yields them.

export const DB_FORMAT = 'equilybrium-db';

/**
 * 2: sealed a MiB at a time (seal.ts), and the facts of its listing's blocks recorded in its
 * run line (listing.ts). Version 1 files are read, and their seals checked, as they were
 * written (see upgrade).
 */
export const DB_VERSION = 2;

/**
 * A run line as this version reads it, whatever version wrote the file (as chkbit upgrades an
 * index on load). Version 1: the facts of its blocks, where it has any, were recorded before
 * they were complete, and are not used.
 */
export function upgrade(header: DbHeader, run: DbRun): DbRun {
	if (header.version >= 2) return run;
	const { listing: _incomplete, ...rest } = run;
	return rest;
}

export interface FileRecord {
	key: string;
	size: number;
	hash: string;
}

export interface LocalRecord {
	/** IMPORTED_MTIME for an entry `import-legacy` made, until a run reads the file. */
	mtimeMs: number;
	/** When the content was last hashed and found as recorded (ms since epoch). */
	verifiedAt: number;
	/** Set while the file is known corrupted: the hash it had before it rotted. */
	goodHash?: string;
}

export type DbEntry = FileRecord & LocalRecord;

/**
 * The modification time of an entry made from the original Equilybrium's database, which
 * kept none: the earliest time a JavaScript Date holds, which no file system gives a file. A
 * run reads such a file whatever its mtime, and reports changed content as changed since
 * the import (neither an edit nor corruption: nothing tells them apart).
 */
export const IMPORTED_MTIME = -8.64e15;

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
	/** The listing (key, size, mtime) of each LISTING_BLOCK entries: see ListingFacts. From version 2 on. */
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



/** `"files":[\n` and `"local":[\n`: the line before each section's first entry. */
export const SECTION_HEAD = 10;
/** Between two entry lines of a section. */
export const SEPARATOR = ',\n';
/** After a section's last entry line. */
export const SECTION_END = '\n],\n';

export function corrupt(path: string, why: string): CoreError {
	const backup = previousVersion(path);
	const restore = backup ? `The file is left untouched; the previous version is ${backup}. To go on, restore that backup in its place, or move` : 'The file is left untouched (there is no previous version of it). To go on, move';
	return new CoreError('E_DB_CORRUPT', `${basename(path)}: ${why}. ${restore} the damaged file away to start a new database.`);
}

/** The backup a message may point at: only one that is there. */
export function previousVersion(path: string): string | undefined {
	return existsSync(path + DB_SUFFIXES.BAK) ? basename(path) + DB_SUFFIXES.BAK : undefined;
}

/** A sealed file whose entry could not be read: its shape is wrong (see shapeOf). */
export function unreadableEntry(path: string, ordinal: number): CoreError {
	return corrupt(path, `is sealed but its entry ${ordinal + 1} cannot be read`);
}
