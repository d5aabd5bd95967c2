// One folder of the scan: its entries, less the excluded, keyed and in key order; the lstat
// of its files; their listing lines. The functions are self-contained on purpose (no
// imports, no helpers, no named inner functions): the hashing threads run the very same
// code from its source text (see _worker-source.ts), so that a run with a database lists and
// stats its folders beside its merge.

import type { Dirent } from 'node:fs';
import type { Lstat } from './_quickstat.ts';

/** What readFolder finds; the children are in key order (files and folders interleaved). */
export interface FolderEntries {
	/** readdir's error, as [code, message]: the folder is unreadable. */
	error?: [string, string];
	/** Names as the file system spells them (to open). */
	names: string[];
	keys: string[];
	/** FOLDER_FILE, FOLDER_SUBFOLDER, or FOLDER_TWIN (another name is the same key). */
	kinds: number[];
	/** [name, key] of each subfolder, in order: what the walk needs of a folder it does not merge. */
	folders: [string, string][];
}

export const FOLDER_FILE = 0;
export const FOLDER_SUBFOLDER = 1;
export const FOLDER_TWIN = 2;

export type ReadDir = (path: string, options: { withFileTypes: true }) => Dirent[];

/**
 * Lists `dir`, whose key is `prefix` and whose path below its monitored folder is `relative`
 * ('' at the top). Names matching `byName`, or whose relative path matches `byPath`, are left
 * out; so are symlinks, junctions, FIFOs, sockets and devices. Keys are NFC (plain ASCII is
 * already); a folder sorts as `name/`, so its subtree lands where its keys belong.
 */
export function readFolder(readdir: ReadDir, dir: string, prefix: string, relative: string, byName: RegExp | undefined, byPath: RegExp | undefined): FolderEntries {
	let entries: Dirent[];
	try {
		entries = readdir(dir, { withFileTypes: true });
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
		const key = prefix + '/' + name;
		if (!ascii && !seen) seen = new Set(children.map((child) => child.key));
		// a twin sorts among the files, after the name it shares its key with
		const kind = seen?.has(key) ? 2 : isDir ? 1 : 0;
		seen?.add(key);
		children.push({ name: entry.name, key, order: isDir ? name + '/' : name, kind });
	}
	// JS string order of the NFC keys: the database's order (compareKeys)
	children.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0) || Number(a.kind === 2) - Number(b.kind === 2));
	const listing: FolderEntries = { names: [], keys: [], kinds: [], folders: [] };
	for (const child of children) {
		listing.names.push(child.name);
		listing.keys.push(child.key);
		listing.kinds.push(child.kind);
		if (child.kind === 1) listing.folders.push([child.name, child.key]);
	}
	return listing;
}

/** lstat of a folder's files: [size, mtimeMs, kind] per child; see StatReply in _pool.ts. */
export interface FolderStats {
	values: Float64Array;
	errors: Record<number, [code: string, message: string]>;
}

/**
 * The lstat of the files readFolder found (kind 1: a regular file; 0: gone, something else
 * now, or not a file child; -1: an error, whose code and message are in `errors` by index).
 */
export function statFolder(lstat: Lstat, base: string, listing: FolderEntries): FolderStats {
	const values = new Float64Array(listing.kinds.length * 3);
	const errors: FolderStats['errors'] = {};
	for (let i = 0; i < listing.kinds.length; i++) {
		if (listing.kinds[i] !== 0) continue;
		try {
			const stats = lstat(base + listing.names[i], { throwIfNoEntry: false });
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

/** A file's line in a database block's listing digest (see ListingFacts in db.ts). */
export const listingLine = (key: string, size: number, mtimeMs: number) => `${key}\0${size}\0${mtimeMs}\0`;

/** The listing lines of a folder's stat'ed files, one string; `ends[i]`: where child i's line ends (others have none). */
export interface FolderLines {
	text: string;
	ends: Uint32Array;
}

/**
 * The listing line (`line`: listingLine) of each file found a
 * regular file, in order: a run compares them, a block at a time, with the database's
 * listing digests, and need not make an item of any file it skips.
 */
export function folderLines(listing: FolderEntries, stats: FolderStats, line: (key: string, size: number, mtimeMs: number) => string): FolderLines {
	const ends = new Uint32Array(listing.kinds.length);
	let text = '';
	for (let i = 0; i < listing.kinds.length; i++) {
		if (stats.values[i * 3 + 2] === 1) text += line(listing.keys[i]!, stats.values[i * 3]!, stats.values[i * 3 + 1]!);
		ends[i] = text.length;
	}
	return { text, ends };
}
