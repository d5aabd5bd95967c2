import { lstatSync } from 'node:fs';
import { sep } from 'node:path';
import { FOLDER_FILE, FOLDER_SUBFOLDER, FOLDER_TWIN, listFolder, nativePath, type FolderRequest, type FolderStats, type ListedFolder } from './folder.ts';
import { globRegExps } from './glob.ts';
import { DEFAULT_EXCLUDES } from './excludes.ts';
import type { FolderFilters } from './filters.ts';
import type { Root } from '../config/config.ts';

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
export async function* scanRoots(roots: readonly Root[], extraExcludes: readonly string[] = [], filters?: FolderFilters): AsyncGenerator<ScanItem> {
	for await (const batch of scanBatches(roots, extraExcludes, filters)) {
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
		const stats = lstatSync(nativePath(item.path));
		if (!stats.isFile()) return undefined; // replaced by something else since the listing
		return { kind: 'file', key: item.key, path: item.path, size: stats.size, mtimeMs: stats.mtimeMs };
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // gone since the listing
		return { kind: 'unreadable', key: item.key, path: item.path, reason: describe(error) };
	}
}

/** The scan item for a listed file from its folder's lstat (as statListed would have made it). */
export function fromStats(listed: ListedFile, stats: FolderStats, i: number): ScanItem | undefined {
	const kind = stats.values[i * 3 + 2];
	if (kind === 1) return { kind: 'file', key: listed.key, path: listed.path, size: stats.values[i * 3]!, mtimeMs: stats.values[i * 3 + 1]! };
	const error = stats.errors[i];
	if (kind !== -1 || !error) return undefined;
	return { kind: 'unreadable', key: listed.key, path: listed.path, reason: describe(Object.assign(new Error(error[1]), { code: error[0] })) };
}

/**
 * The same items, in the same order, a folder's run of files at a time and not yet
 * stat'ed (see ListedFile): a run handles tens of thousands of small files, and one
 * generator step per file would cost more than its lstat.
 */
async function* scanBatches(roots: readonly Root[], extraExcludes: readonly string[], filters: FolderFilters | undefined): AsyncGenerator<ListedItem[]> {
	for await (const run of scanFolders(roots, extraExcludes, HERE, undefined, filters)) yield run.batch;
}

/**
 * A folder's run of files (between its subfolders), with their lstat and listing lines if
 * the folder was listed with them. Its items are made when first asked for: a run whose
 * listing matches the database's block by block needs none.
 */
export class FolderRun {
	private items: ListedItem[] | undefined;
	/** lstat by the run's index (see FolderStats): undefined if listed without. */
	readonly stats: FolderStats | undefined;

	private constructor(
		private folder: ListedFolder | undefined,
		private base: string,
		private start: number,
		readonly length: number,
		items?: ListedItem[],
	) {
		this.items = items;
		this.stats = folder?.stats && runStats(folder.stats, start, length);
	}

	/** A run of items made already (an unreadable folder's). */
	static of(items: ListedItem[]): FolderRun {
		return new FolderRun(undefined, '', 0, items.length, items);
	}

	static from(folder: ListedFolder, base: string, start: number, end: number): FolderRun {
		return new FolderRun(folder, base, start, end - start);
	}

	get batch(): ListedItem[] {
		if (!this.items) {
			const { names, keys } = this.folder!.entries();
			const kinds = this.folder!.kinds;
			const items: ListedItem[] = [];
			for (let i = this.start; i < this.start + this.length; i++) {
				const path = this.base + names[i]!;
				if (kinds[i] === FOLDER_TWIN) items.push({ kind: 'unreadable', key: keys[i]!, path, reason: 'another name in this folder is the same after Unicode normalisation' });
				else items.push({ kind: 'listed', key: keys[i]!, path });
			}
			this.items = items;
		}
		return this.items;
	}

	/** Whether item i is a file its lstat found a regular file (its line is in lines()). */
	isStatedFile(i: number): boolean {
		return this.folder?.kinds[this.start + i] === FOLDER_FILE && this.stats?.values[i * 3 + 2] === 1;
	}

	/** The listing lines (see listingLine) of items from..to, when the folder came with them. */
	lines(from: number, to: number): string | undefined {
		const lines = this.folder?.lines;
		if (!lines) return undefined;
		const at = (i: number) => (this.start + i === 0 ? 0 : lines.ends[this.start + i - 1]!);
		return lines.text.slice(at(from), at(to));
	}

	/** Item i's key, without making the items when the lines have it. */
	keyOf(i: number): string {
		const line = this.isStatedFile(i) ? this.lines(i, i + 1) : undefined;
		return line ? line.slice(0, line.indexOf('\0')) : this.batch[i]!.key;
	}
}

/**
 * Lists folders for scanFolders: on this thread by default; a run with a database lists
 * and stats them on its hashing threads (HashPool.listFolder), `ahead` subfolders before
 * the walk reaches them. `stat`: folders come with their files' lstat.
 */
export interface Lister {
	list(request: FolderRequest): Promise<ListedFolder>;
	ahead: number;
	stat: boolean;
}

/**
 * As scanBatches, through a lister. `statBases`: where each root's files are lstat'ed from,
 * relative to the working directory, when the run moved there (see enterCommonFolder).
 * `filters`: the original Equilybrium's filters this side applies (scan/filters.ts).
 */
export async function* scanFolders(roots: readonly Root[], extraExcludes: readonly string[] = [], lister: Lister = HERE, statBases?: ReadonlyMap<string, string>, filters?: FolderFilters): AsyncGenerator<FolderRun> {
	const { byName, byPath } = globRegExps([...DEFAULT_EXCLUDES, ...extraExcludes]);
	const globs = {
		...(byName?.source !== undefined ? { byName: byName.source } : {}),
		...(byPath?.source !== undefined ? { byPath: byPath.source } : {}),
		...(byName?.globs ? { byNameGlobs: byName.globs } : {}),
		...(byPath?.globs ? { byPathGlobs: byPath.globs } : {}),
		...(filters ? { filters } : {}),
	};
	const sorted = [...roots].sort((a, b) => compareKeys(a.label + '/', b.label + '/'));
	for (const root of sorted) {
		const request: MakeRequest = (dir, prefix, relative, statBase) => ({ dir, base: dir.endsWith(sep) ? dir : dir + sep, ...(statBase !== undefined ? { statBase } : {}), prefix, relative, ...globs });
		yield* walk(request(root.path, root.label, '', statBases?.get(root.path)), lister, request);
	}
}

type MakeRequest = (dir: string, prefix: string, relative: string, statBase: string | undefined) => FolderRequest;

/** A folder listed on this thread; with `stat`, with its files' lstat and lines (as a thread lists it). */
function listHere(request: FolderRequest, stat = false): ListedFolder {
	const { listing, stats, lines } = listFolder(request, stat);
	const folder: ListedFolder = { ...listing, entries: () => listing };
	return stats && lines ? { ...folder, stats, lines } : folder;
}

/** The one order of keys everywhere: UTF-16 code units of the NFC strings. */
export function compareKeys(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

// --- internal ---

/** Folders listed on this thread, as they are needed; with `stat`, with their files' lstat. */
export const listingHere = (stat: boolean): Lister => ({ list: async (request) => listHere(request, stat), ahead: 0, stat });

const HERE = listingHere(false);

async function* walk(folder: FolderRequest, lister: Lister, request: MakeRequest, listing?: Promise<ListedFolder>): AsyncGenerator<FolderRun> {
	let listed: ListedFolder;
	try {
		listed = await (listing ?? lister.list(folder));
	} catch {
		// a thread that died: this one lists the folder
		listed = listHere(folder, lister.stat);
	}
	if (listed.error) {
		const [code, message] = listed.error;
		yield FolderRun.of([{ kind: 'unreadable', key: folder.prefix + '/', path: folder.dir, reason: describe(Object.assign(new Error(message), { code })) }]);
		return;
	}
	const { kinds, folders } = listed;
	// the subfolders' listings are asked for `ahead` subfolders before the walk reaches them
	const asked: (Promise<ListedFolder> | undefined)[] = [];
	const subfolder = (j: number) => {
		const [name, key] = folders[j]!;
		return request(folder.base + name, key, subRelative(folder, key), folder.statBase === undefined ? undefined : folder.statBase + name + sep);
	};
	const ask = (j: number) => {
		if (j >= folders.length || asked[j]) return;
		asked[j] = lister.list(subfolder(j));
		asked[j].catch(() => {}); // awaited (and replaced) by the walk
	};
	for (let j = 0; j < lister.ahead; j++) ask(j);
	let start = 0;
	let sub = 0;
	for (let i = 0; i <= kinds.length; i++) {
		if (i < kinds.length && kinds[i] !== FOLDER_SUBFOLDER) continue;
		if (i > start) yield FolderRun.from(listed, folder.base, start, i);
		start = i + 1;
		if (i === kinds.length) break;
		ask(sub + lister.ahead);
		const next = asked[sub];
		asked[sub] = undefined;
		yield* walk(subfolder(sub++), lister, request, next);
	}
}

/** A subfolder's path below its monitored folder, in key form. */
const subRelative = (folder: FolderRequest, key: string) => (folder.relative ? `${folder.relative}/` : '') + key.slice(folder.prefix.length + 1);

/** A folder's lstat seen from a run of it (from child `start`). */
function runStats(stats: FolderStats, start: number, length: number): FolderStats {
	const values = stats.values.subarray(start * 3, (start + length) * 3);
	const errors: FolderStats['errors'] = {};
	for (const i in stats.errors) if (+i >= start && +i < start + length) errors[+i - start] = stats.errors[i]!;
	return { values, errors };
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
