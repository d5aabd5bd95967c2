import { lstatSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { sep } from 'node:path';
import { compileGlobs, type Matcher } from './_glob.ts';
import { keyPart } from './_paths.ts';
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
	const excluded = compileGlobs([...DEFAULT_EXCLUDES, ...extraExcludes]);
	const sorted = [...roots].sort((a, b) => compareKeys(a.label + '/', b.label + '/'));
	for (const root of sorted) yield* walk(root.path, root.label, '', excluded);
}

/** The one order of keys everywhere: UTF-16 code units of the NFC strings. */
export function compareKeys(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}

// --- internal ---

interface Child {
	name: string;
	key: string;
	/** Sort key: a folder sorts as `name/` so its whole subtree lands where its keys belong. */
	order: string;
	isDir: boolean;
	isFile: boolean;
	/** Another child has the same key (names equal after NFC normalisation). */
	twin: boolean;
}

async function* walk(dir: string, prefix: string, relative: string, excluded: Matcher): AsyncGenerator<ListedItem[]> {
	let names: import('node:fs').Dirent[];
	try {
		names = await readdir(dir, { withFileTypes: true });
	} catch (error) {
		yield [{ kind: 'unreadable', key: prefix + '/', path: dir, reason: describe(error) }];
		return;
	}
	let batch: ListedItem[] = [];
	const children: Child[] = [];
	const seen = new Set<string>();
	for (const entry of names) {
		const name = keyPart(entry.name);
		if (excluded(relative, name)) continue;
		const isDir = entry.isDirectory();
		const isFile = entry.isFile();
		if (!isDir && !isFile) continue; // symlink, junction, FIFO, socket, device
		const key = `${prefix}/${name}`;
		// a twin sorts among the files, so the merge with the database stays in key order
		const twin = seen.has(key);
		seen.add(key);
		children.push({ name: entry.name, key, order: isDir ? name + '/' : name, isDir, isFile, twin });
	}
	children.sort((a, b) => compareKeys(a.order, b.order) || Number(a.twin) - Number(b.twin));
	const base = dir.endsWith(sep) ? dir : dir + sep;
	for (const child of children) {
		const path = base + child.name;
		if (child.twin) {
			batch.push({ kind: 'unreadable', key: child.key, path, reason: 'another name in this folder is the same after Unicode normalisation' });
			continue;
		}
		if (child.isDir) {
			if (batch.length) yield batch;
			batch = [];
			const rel = relative ? `${relative}/${keyPart(child.name)}` : keyPart(child.name);
			yield* walk(path, child.key, rel, excluded);
			continue;
		}
		batch.push({ kind: 'listed', key: child.key, path });
	}
	if (batch.length) yield batch;
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
