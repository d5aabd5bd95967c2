// One folder of the scan: its entries, less the excluded, keyed and in key order; the lstat
// of its files; their listing lines. Listed on this thread, or on a hashing thread, which
// runs this very code (hashing/thread.ts), so that a run with a database lists and stats its
// folders beside its merge.
//
// Names that are not valid UTF-8 (old NAS shares, Latin-1 `caf\xe9.txt`) read as U+FFFD, and
// the file system knows no such name. Their bad bytes are kept escaped instead, one UTF-16
// code unit each, U+DC80–U+DCFF (Python's "surrogateescape"), which no valid name can hold:
// the key is the same on every run and on both sides, it survives JSON (the database, the
// threads' messages), and nativePath gives the bytes back to open the file.

import { lstatSync, readdirSync } from 'node:fs';
import { toNamespacedPath } from 'node:path';
import { listingLine } from '../db/codecs.ts';
import { fileNameLeftOut, folderLeftOut, type FolderFilters } from './filters.ts';
import { cachedTester } from './glob.ts';
import { quickStat } from './quickstat.ts';

/** A folder to list, as the scan asks for it (see scanFolders), here or on a hashing thread. */
export interface FolderRequest {
	dir: string;
	/** `dir` ending with the separator. */
	base: string;
	/** `base` relative to the working directory, when the run moved there (see workdir.ts): its files are lstat'ed from there. */
	statBase?: string;
	prefix: string;
	relative: string;
	/** The excludes (see GlobSet): a regexp's source, and the patterns matched apart. */
	byName?: string;
	byPath?: string;
	byNameGlobs?: string[];
	byPathGlobs?: string[];
	/** The original Equilybrium's filters, as this side applies them (scan/filters.ts). */
	filters?: FolderFilters;
}

/**
 * A folder listed (see readFolder), with the lstat and listing lines of its files when it
 * was asked with them; `entries` gives the names and keys of every child.
 */
export interface ListedFolder extends Pick<FolderEntries, 'error' | 'kinds' | 'folders'> {
	entries(): Pick<FolderEntries, 'names' | 'keys'>;
	stats?: FolderStats;
	lines?: FolderLines;
}

/** A folder listed, with its files' lstat and listing lines when asked for. */
export function listFolder(request: FolderRequest, stat: boolean): { listing: FolderEntries; stats?: FolderStats; lines?: FolderLines } {
	let listing = readFolder(request.dir, request.prefix, request.relative, cachedTester(request.byName, request.byNameGlobs), cachedTester(request.byPath, request.byPathGlobs), request.filters);
	const min = request.filters?.minFileSize ?? 0;
	if (!stat && min === 0) return { listing };
	let stats = statFolder(request.statBase ?? request.base, listing);
	// a file too small is never listed: its size is known here, before any merge or hashing
	if (min > 0) ({ listing, stats } = withoutSmall(listing, stats, min));
	if (!stat) return { listing };
	return { listing, stats, lines: folderLines(listing, stats) };
}

/** What readFolder finds; the children are in key order (files and folders interleaved). */
export interface FolderEntries {
	/** readdir's error, as [code, message]: the folder is unreadable. */
	error?: [string, string];
	/** Names as the file system spells them (to open). */
	names: string[];
	keys: string[];
	/** FOLDER_FILE, FOLDER_SUBFOLDER, or FOLDER_TWIN (another name is the same key). */
	kinds: number[];
	/** Some name, or the folder's own path, holds escaped bytes: paths go through nativePath. */
	escaped?: boolean;
	/** [name, key] of each subfolder, in order: what the walk needs of a folder it does not merge. */
	folders: [string, string][];
}

export const FOLDER_FILE = 0;
export const FOLDER_SUBFOLDER = 1;
export const FOLDER_TWIN = 2;

/**
 * A path holding escaped bytes (see the top of this file) as the bytes the file system knows
 * it by; any other path as it is.
 */
export function nativePath(path: string): string | Buffer {
	if (!/[\udc80-\udcff]/u.test(path)) return path;
	const bytes: number[] = [];
	for (let i = 0; i < path.length; i++) {
		const unit = path.charCodeAt(i);
		if (unit >= 0xdc80 && unit <= 0xdcff) {
			bytes.push(unit - 0xdc00);
			continue;
		}
		// a surrogate pair is one character: encoded together
		const pair = unit >= 0xd800 && unit <= 0xdbff && i + 1 < path.length && (path.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
		for (const byte of Buffer.from(path.slice(i, pair ? i + 2 : i + 1), 'utf8')) bytes.push(byte);
		if (pair) i++;
	}
	return Buffer.from(bytes);
}

/**
 * Lists `dir`, whose key is `prefix` and whose path below its monitored folder is `relative`
 * ('' at the top). Names matching `byName`, or whose relative path matches `byPath`, are left
 * out, and so is what `filters` leave out; so are symlinks, junctions, FIFOs, sockets and devices. Keys are NFC (plain ASCII is
 * already); a folder sorts as `name/`, so its subtree lands where its keys belong.
 */
export function readFolder(dir: string, prefix: string, relative: string, byName: { test(text: string): boolean } | undefined, byPath: { test(text: string): boolean } | undefined, filters?: FolderFilters): FolderEntries {
	const nativeDir = nativePath(dir);
	let entries: { name: string; isDirectory(): boolean; isFile(): boolean }[];
	let escaped = typeof nativeDir !== 'string';
	try {
		entries = readdirSync(nativeDir, { withFileTypes: true });
		if (entries.some((entry) => entry.name.includes('\ufffd'))) {
			// a name that is not valid UTF-8: the folder again, as bytes, its bad bytes escaped
			entries = readdirSync(nativeDir, { withFileTypes: true, encoding: 'buffer' }).map((entry) => {
				const bytes = entry.name;
				let name = '';
				for (let i = 0; i < bytes.length; ) {
					const lead = bytes[i]!;
					const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
					const piece = length > 0 && i + length <= bytes.length ? bytes.subarray(i, i + length) : undefined;
					const text = piece?.toString('utf8');
					// valid UTF-8 encodes back to the very bytes (a real U+FFFD too); anything else is escaped
					if (piece && text !== undefined && Buffer.from(text, 'utf8').equals(piece)) {
						name += text;
						i += length;
					} else {
						name += String.fromCharCode(0xdc00 + lead);
						escaped = true;
						i++;
					}
				}
				return { name, isDirectory: () => entry.isDirectory(), isFile: () => entry.isFile() };
			});
		}
	} catch (error) {
		const e = error as { code?: string; message?: string };
		return { error: [e.code ?? 'E_LIST', String(e.message ?? error)], names: [], keys: [], kinds: [], folders: [] };
	}
	const children: { name: string; key: string; order: string; kind: number }[] = [];
	// Two names share a key only if normalising changed one (even to ASCII: U+212A KELVIN
	// SIGN is K), so keys are tracked from a folder's first name that is not plain ASCII on:
	// hashing every key of every folder would cost a third of this function.
	let seen: Set<string> | undefined;
	for (const entry of entries) {
		// a key part: Unicode NFC (macOS writes NFD, Windows NFC); plain ASCII is NFC already
		const ascii = /^[\x00-\x7f]*$/.test(entry.name);
		const name = ascii ? entry.name : entry.name.normalize('NFC');
		if ((byName && byName.test(name)) || (byPath && byPath.test(relative ? relative + '/' + name : name))) continue;
		const isDir = entry.isDirectory();
		if (!isDir && !entry.isFile()) continue;
		if (filters && (isDir ? folderLeftOut(name, filters) : fileNameLeftOut(name, filters))) continue;
		const key = prefix + '/' + name;
		if (!ascii && !seen) seen = new Set(children.map((child) => child.key));
		// a twin sorts among the files, after the name it shares its key with
		const kind = seen?.has(key) ? 2 : isDir ? 1 : 0;
		seen?.add(key);
		children.push({ name: entry.name, key, order: isDir ? name + '/' : name, kind });
	}
	// JS string order of the NFC keys: the database's order (compareKeys)
	children.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0) || Number(a.kind === 2) - Number(b.kind === 2));
	const listing: FolderEntries = { names: [], keys: [], kinds: [], folders: [], ...(escaped ? { escaped } : {}) };
	for (const child of children) {
		listing.names.push(child.name);
		listing.keys.push(child.key);
		listing.kinds.push(child.kind);
		if (child.kind === 1) listing.folders.push([child.name, child.key]);
	}
	return listing;
}

/** The lstat of a folder's files: [size, mtimeMs, kind] per child, as statFolder says. */
export interface FolderStats {
	values: Float64Array;
	errors: Record<number, [code: string, message: string]>;
}

/**
 * The lstat of the files readFolder found (kind 1: a regular file; 0: gone, something else
 * now, or not a file child; -1: an error, whose code and message are in `errors` by index).
 */
export function statFolder(base: string, listing: FolderEntries): FolderStats {
	const values = new Float64Array(listing.kinds.length * 3);
	const errors: FolderStats['errors'] = {};
	for (let i = 0; i < listing.kinds.length; i++) {
		if (listing.kinds[i] !== 0) continue;
		try {
			const path = base + listing.names[i];
			const stats = lstatQuick(listing.escaped ? nativePath(path) : path, { throwIfNoEntry: false });
			if (!stats || !stats.isFile()) continue;
			values[i * 3] = stats.size;
			values[i * 3 + 1] = stats.mtimeMs;
			values[i * 3 + 2] = 1;
		} catch (error) {
			const e = error as { code?: string; message?: string };
			values[i * 3 + 2] = -1;
			errors[i] = [e.code ?? 'E_STAT', String(e.message ?? error)];
		}
	}
	return { values, errors };
}

/** The listing and its lstat less the files found smaller than `min` bytes (Min file size). */
function withoutSmall(listing: FolderEntries, stats: FolderStats, min: number): { listing: FolderEntries; stats: FolderStats } {
	const small = (i: number) => stats.values[i * 3 + 2] === 1 && stats.values[i * 3]! < min;
	let count = 0;
	for (let i = 0; i < listing.kinds.length; i++) if (small(i)) count++;
	if (count === 0) return { listing, stats };
	const kept: FolderEntries = { ...listing, names: [], keys: [], kinds: [] };
	const values = new Float64Array((listing.kinds.length - count) * 3);
	const errors: FolderStats['errors'] = {};
	for (let i = 0, j = 0; i < listing.kinds.length; i++) {
		if (small(i)) continue;
		kept.names.push(listing.names[i]!);
		kept.keys.push(listing.keys[i]!);
		kept.kinds.push(listing.kinds[i]!);
		values.set(stats.values.subarray(i * 3, i * 3 + 3), j * 3);
		if (stats.errors[i]) errors[j] = stats.errors[i]!;
		j++;
	}
	return { listing: kept, stats: { values, errors } };
}

/** lstatSync without its Stats object where that is safe (see quickstat.ts): one a thread. */
const lstatQuick = quickStat('lstat', lstatSync, toNamespacedPath);

/** The listing lines of a folder's stat'ed files, one string; `ends[i]`: where child i's line ends (others have none). */
export interface FolderLines {
	text: string;
	ends: Uint32Array;
}

/**
 * The listing line (see db/codecs.ts) of each file found a regular file, in order: a
 * run compares them, a block at a time, with the database's listing digests, and need not
 * make an item of any file it skips.
 */
export function folderLines(listing: FolderEntries, stats: FolderStats): FolderLines {
	const ends = new Uint32Array(listing.kinds.length);
	let text = '';
	for (let i = 0; i < listing.kinds.length; i++) {
		if (stats.values[i * 3 + 2] === 1) text += listingLine(listing.keys[i]!, stats.values[i * 3]!, stats.values[i * 3 + 1]!);
		ends[i] = text.length;
	}
	return { text, ends };
}
