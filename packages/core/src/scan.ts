import { lstatSync, readdirSync } from 'node:fs';
import { sep } from 'node:path';
import { FOLDER_SUBFOLDER, FOLDER_TWIN, readFolder } from './_folder.ts';
import { globRegExps } from './_glob.ts';
import type { FolderRequest, ListedFolder, StatReply } from './_pool.ts';
import { DEFAULT_EXCLUDES } from './excludes.ts';
import type { Root } from './config.ts';

/** A regular file found by the scan. */
export interface ScannedFile {
	kind: 'file';
	/** `label/relative/path`: POSIX, NFC. */
	key: string;
	/** The native path to open. */
	path: string;
	size: number;
	mtimeMs: number;
}

/**
 * Something that could not be listed or stat'ed. For a folder, `key` ends with '/' and
 * every DB entry below it must be kept as it was: unreadable is not removed.
 */
export interface ScanProblem {
	kind: 'unreadable';
	key: string;
	path: string;
	reason: string;
}

export type ScanItem = ScannedFile | ScanProblem;

/**
 * A file as listed, before its lstat: a run stats only the files it knows from its
 * database (to see whether they changed); a new file's size and mtime come with its digest.
 */
export interface ListedFile {
	kind: 'listed';
	key: string;
	path: string;
}

export type ListedItem = ListedFile | ScanProblem;

/**
 * Walks the roots depth-first and yields files in ascending key order (JS string order of
 * the NFC keys), the order the database is stored in, so the two merge as sorted streams.
 * Symlinks and junctions are not followed; FIFOs, sockets and devices are never opened.
 */
export async function* scanRoots(roots: readonly Root[], extraExcludes: readonly string[] = []): AsyncGenerator<ScanItem> {
	for await (const batch of scanBatches(roots, extraExcludes)) {
		for (const item of batch) {
			const found = item.kind === 'listed' ? statListed(item) : item;
			if (found) yield found;
		}
	}
}

/**
 * The lstat of a listed file; undefined if it is gone or no longer a regular file since
 * the listing. Synchronous on purpose: a promise round trip costs several times the lstat.
 */
export function statListed(item: ListedFile): ScanItem | undefined {
	try {
		const stats = lstatSync(item.path);
		if (!stats.isFile()) return undefined; // replaced by something else since the listing
		return { kind: 'file', key: item.key, path: item.path, size: stats.size, mtimeMs: stats.mtimeMs };
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // gone since the listing
		return { kind: 'unreadable', key: item.key, path: item.path, reason: describe(error) };
	}
}

/**
 * The same items, in the same order, a folder's run of files at a time and not yet
 * stat'ed (see ListedFile): a run handles tens of thousands of small files, and one
 * generator step per file would cost more than its lstat.
 */
export async function* scanBatches(roots: readonly Root[], extraExcludes: readonly string[] = []): AsyncGenerator<ListedItem[]> {
	for await (const run of scanFolders(roots, extraExcludes)) yield run.batch;
}

/** A folder's run of files (between its subfolders), with their lstat if a thread listed it. */
export interface FolderRun {
	batch: ListedItem[];
	/** By the batch's index: see StatReply. */
	stats?: StatReply;
}

/**
 * Lists folders for scanFolders: on this thread by default; a run with a database lists
 * and stats them on its hashing threads (HashPool.listFolder), `ahead` subfolders before
 * the walk reaches them.
 */
export interface Lister {
	list(request: FolderRequest): Promise<ListedFolder>;
	ahead: number;
}

/** As scanBatches, through a lister. */
export async function* scanFolders(roots: readonly Root[], extraExcludes: readonly string[] = [], lister: Lister = HERE): AsyncGenerator<FolderRun> {
	const { byName, byPath } = globRegExps([...DEFAULT_EXCLUDES, ...extraExcludes]);
	const globs = { ...(byName ? { byName: byName.source } : {}), ...(byPath ? { byPath: byPath.source } : {}) };
	const sorted = [...roots].sort((a, b) => compareKeys(a.label + '/', b.label + '/'));
	for (const root of sorted) {
		const request = (dir: string, prefix: string, relative: string): FolderRequest => ({ dir, base: dir.endsWith(sep) ? dir : dir + sep, prefix, relative, ...globs });
		yield* walk(request(root.path, root.label, ''), lister, request);
	}
}

/** The one order of keys everywhere: UTF-16 code units of the NFC strings. */
export function compareKeys(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

// --- internal ---

const HERE: Lister = {
	list: async (request) => readFolder(readdirSync, request.dir, request.prefix, request.relative, compiled(request.byName), compiled(request.byPath)),
	ahead: 0,
};

/** The exclude regexps compiled once per source, for folders listed on this thread. */
const regexps = new Map<string, RegExp>();
function compiled(source: string | undefined): RegExp | undefined {
	if (source === undefined) return undefined;
	if (!regexps.has(source)) regexps.set(source, new RegExp(source, 'i'));
	return regexps.get(source);
}

async function* walk(folder: FolderRequest, lister: Lister, request: (dir: string, prefix: string, relative: string) => FolderRequest, listing?: Promise<ListedFolder>): AsyncGenerator<FolderRun> {
	let entries: ListedFolder;
	try {
		entries = await (listing ?? lister.list(folder));
	} catch {
		// a thread that died: this one lists the folder (and the merge stats its files)
		entries = await HERE.list(folder);
	}
	if (entries.error) {
		const [code, message] = entries.error;
		yield { batch: [{ kind: 'unreadable', key: folder.prefix + '/', path: folder.dir, reason: describe(Object.assign(new Error(message), { code })) }] };
		return;
	}
	const { names, keys, kinds, stats } = entries;
	const base = folder.base;
	// the subfolders' listings are asked for `ahead` subfolders before the walk reaches them
	const subfolders: number[] = [];
	kinds.forEach((kind, i) => kind === FOLDER_SUBFOLDER && subfolders.push(i));
	const asked: (Promise<ListedFolder> | undefined)[] = [];
	const ask = (j: number) => {
		const i = subfolders[j];
		if (i === undefined || asked[j]) return;
		asked[j] = lister.list(request(base + names[i]!, keys[i]!, subRelative(folder, keys[i]!)));
		asked[j].catch(() => {}); // awaited (and replaced) by the walk
	};
	for (let j = 0; j < lister.ahead; j++) ask(j);
	let batch: ListedItem[] = [];
	let start = 0;
	let sub = 0;
	for (let i = 0; i < kinds.length; i++) {
		const path = base + names[i]!;
		if (kinds[i] === FOLDER_SUBFOLDER) {
			if (batch.length) yield runOf(batch, stats, start);
			batch = [];
			start = i + 1;
			ask(sub + lister.ahead);
			const listing = asked[sub];
			asked[sub++] = undefined;
			yield* walk(request(path, keys[i]!, subRelative(folder, keys[i]!)), lister, request, listing);
			continue;
		}
		if (kinds[i] === FOLDER_TWIN) batch.push({ kind: 'unreadable', key: keys[i]!, path, reason: 'another name in this folder is the same after Unicode normalisation' });
		else batch.push({ kind: 'listed', key: keys[i]!, path });
	}
	if (batch.length) yield runOf(batch, stats, start);
}

/** A subfolder's path below its monitored folder, in key form. */
const subRelative = (folder: FolderRequest, key: string) => (folder.relative ? `${folder.relative}/` : '') + key.slice(folder.prefix.length + 1);

/** The batch, with its part of the folder's lstat (from child index `start`). */
function runOf(batch: ListedItem[], stats: StatReply | undefined, start: number): FolderRun {
	if (!stats) return { batch };
	const values = stats.values.subarray(start * 3, (start + batch.length) * 3);
	const errors: StatReply['errors'] = {};
	for (const i in stats.errors) if (+i >= start && +i < start + batch.length) errors[+i - start] = stats.errors[i]!;
	return { batch, stats: { values, errors } };
}

export function describe(error: unknown): string {
	const e = error as NodeJS.ErrnoException;
	const reasons: Record<string, string> = {
		EACCES: 'permission denied',
		EPERM: 'operation not permitted',
		EBUSY: 'locked by another program',
		EIO: 'input/output error (the disk may be failing)',
		ENOENT: 'not found',
		ELOOP: 'too many levels of links',
		ENAMETOOLONG: 'name too long',
	};
	return (e.code && reasons[e.code]) ? `${reasons[e.code]} (${e.code})` : e.message ?? String(error);
}
