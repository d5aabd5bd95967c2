// What the pool (pool.ts, on the main thread) and a hashing thread (thread.ts) say to each
// other, and the special values in it: both sides import this module, and nothing else
// says what a message holds.
//
// Files to hash go as one JSON string a batch (copying one string is far cheaper than
// cloning objects): paths relative to the batch's base. Their answers come back by column,
// not as an object a file, so that reading them makes no object a file on the main thread;
// a small file's answer waits for the end of its batch, a large file's goes at once, to keep
// the caller's window moving. Folders to list go as objects; their listing comes back as JSON
// in two parts (what the walk needs of every folder; the names and keys, which a run skipping
// the folder never reads), their files' lstat as one Float64Array and their listing lines as
// one string.

import type { FolderEntries, FolderLines, FolderRequest, FolderStats, ListedFolder } from '../scan/folder.ts';

/** A read of at least this size is "large": on a spinning disk, one at a time. */
export const LARGE_READ = 1 << 20;

/**
 * A file's size when the scan did not stat it (a new file): the thread stats it through its
 * own handle, opened non-blocking so that a FIFO put in its place since the listing cannot
 * hang it, and answers E_NOTFILE for anything but a regular file.
 */
export const NOT_STATED = -1;
/** The same, on a disk whose large files are read one at a time: a large one is answered E_LARGE with its size, unread, for the pool to queue it. */
export const NOT_STATED_HOLD_LARGE = -2;

/** A file the thread gave back unread: large, on a disk that reads one large file at a time (the message is its size). */
export const E_LARGE = 'E_LARGE';
/** Not a regular file (any more): a directory, a FIFO. */
export const E_NOTFILE = 'E_NOTFILE';
/** Changed under every attempt to read it whole. */
export const E_CHANGING = 'E_CHANGING';
/** A failure without a code of its own. */
export const E_READ = 'E_READ';

/** Files for one thread, as one message (JSON). */
export interface HashRequest {
	/** The name the thread computes the digest under (see threadEngine). */
	algorithm: string;
	blockSize: number;
	attempts: number;
	/** The folder the paths are relative to (see pathIn). */
	base: string;
	ids: number[];
	paths: string[];
	/** As the scan saw them, or NOT_STATED / NOT_STATED_HOLD_LARGE (and an mtime of -1). */
	sizes: number[];
	mtimes: number[];
}

/** A thread's answer to (part of) a request, by column: the digests of one length, run together. */
export interface HashReply {
	ids: number[];
	hashes: string;
	sizes: number[];
	mtimes: number[];
	/** Failures: a code (an E_* above, or the system's) and a message (E_LARGE: the size). */
	errors: [id: number, code: string, message: string | number][];
}

/**
 * Files for one thread, as one message: the paths relative to the first one's folder (most
 * of a batch is one folder's files), or whole after a NUL, which no name holds. One shape for
 * every batch: the pool's dispatch is the main thread's per-file path, and is compiled once,
 * not again for each new shape.
 */
export class HashBatch {
	base = '';
	ids: number[] = [];
	paths: string[] = [];
	sizes: number[] = [];
	mtimes: number[] = [];

	add(id: number, path: string, size: number, mtimeMs: number): void {
		if (this.ids.length === 0) this.base = path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
		this.ids.push(id);
		this.paths.push(path.startsWith(this.base) ? path.slice(this.base.length) : WHOLE + path);
		this.sizes.push(size);
		this.mtimes.push(mtimeMs);
	}

	/** The message; `base` as the thread is to open it from (the working directory, see HashPool.openFrom). */
	message(algorithm: string, blockSize: number, attempts: number, base: string): string {
		const { ids, paths, sizes, mtimes } = this;
		return JSON.stringify({ algorithm, blockSize, attempts, base, ids, paths, sizes, mtimes } satisfies HashRequest);
	}
}

/** A request's path `i`, as the thread opens it. */
export function pathIn(request: HashRequest, i: number): string {
	const name = request.paths[i]!;
	return name.charCodeAt(0) === 0 ? name.slice(1) : request.base + name;
}

const WHOLE = '\0';

/** A thread's answers, built up by column (see HashReply). */
export class HashReplyBuilder implements HashReply {
	ids: number[] = [];
	hashes = '';
	sizes: number[] = [];
	mtimes: number[] = [];
	errors: HashReply['errors'] = [];

	hashed(id: number, hash: string, size: number, mtimeMs: number): void {
		this.ids.push(id);
		this.hashes += hash;
		this.sizes.push(size);
		this.mtimes.push(mtimeMs);
	}

	failed(id: number, code: string, message: string | number): void {
		this.errors.push([id, code, message]);
	}

	get empty(): boolean {
		return this.ids.length === 0 && this.errors.length === 0;
	}
}

/** A folder to list, as sent: with its files' lstat and listing lines when `stat`. */
export interface ListRequest extends FolderRequest {
	listId: number;
	stat: boolean;
}

/** A thread's listing; the lstat and lines only when asked. */
export interface ListReply extends Partial<FolderStats>, Partial<FolderLines> {
	listId: number;
	/** JSON: error, kinds and folders… */
	head: string;
	/** …and names and keys. */
	entries: string;
}

/** A listing as a thread sends it; the buffers to transfer with it. */
export function listReply(listId: number, listing: FolderEntries, stats?: FolderStats, lines?: FolderLines): { reply: ListReply; transfer: ArrayBuffer[] } {
	const reply: ListReply = {
		listId,
		head: JSON.stringify({ error: listing.error, kinds: listing.kinds, folders: listing.folders }),
		entries: JSON.stringify({ names: listing.names, keys: listing.keys }),
	};
	if (!stats || !lines) return { reply, transfer: [] };
	return { reply: { ...reply, values: stats.values, errors: stats.errors, text: lines.text, ends: lines.ends }, transfer: [stats.values.buffer as ArrayBuffer, lines.ends.buffer as ArrayBuffer] };
}

/** A thread's listing as the scan takes it: the names and keys parsed only if asked for (a run skipping the folder need not). */
export function listedFolder(reply: ListReply): ListedFolder {
	const head = JSON.parse(reply.head) as Pick<FolderEntries, 'error' | 'kinds' | 'folders'>;
	let entries: Pick<FolderEntries, 'names' | 'keys'> | undefined;
	return {
		...head,
		entries: () => (entries ??= JSON.parse(reply.entries) as Pick<FolderEntries, 'names' | 'keys'>),
		...(reply.values ? { stats: { values: reply.values, errors: reply.errors! }, lines: { text: reply.text!, ends: reply.ends! } } : {}),
	};
}
