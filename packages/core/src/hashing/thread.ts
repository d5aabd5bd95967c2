// A hashing thread's program: it hashes the files of each request (wire.ts), and lists
// folders and lstats their files for a run that lists ahead of its merge. Started from its
// text (program.ts): it may require Node's built-in modules, and holds the rest (the
// WebAssembly of adler32.ts and hash-wasm) in its text.
//
// In a thread, synchronous reads are right: it has nothing else to do, and a synchronous call
// costs a fraction of a promise round trip, which dominates with small files.

import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve, toNamespacedPath } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { listFolder, nativePath } from '../scan/folder.ts';
import { quickStat } from '../scan/quickstat.ts';
import { digestOnce, engineDigest, engineLoading, readBuffer, type NodeHashing } from './digests.ts';
import { SteadyRead } from './steady.ts';
import { E_CHANGING, E_LARGE, E_NOTFILE, E_READ, HashReplyBuilder, LARGE_READ, listReply, NOT_STATED_HOLD_LARGE, pathIn, type HashRequest, type ListRequest } from './wire.ts';

// loaded by the first file hashed: a thread that only lists (a run with nothing to hash)
// does not compile them (crypto is some twenty of Node's modules)
let crypto: typeof import('node:crypto') | undefined;
let zlib: typeof import('node:zlib') | undefined;
const NODE: NodeHashing = {
	crypto: () => (crypto ??= require('node:crypto') as typeof import('node:crypto')),
	zlib: () => (zlib ??= require('node:zlib') as typeof import('node:zlib')),
};

// fstatSync without its Stats object where that is safe (see scan/quickstat.ts; a result is
// read at once)
const fstat = quickStat('fstat', fstatSync, toNamespacedPath);

/** Opened non-blocking when the scan did not stat the file: a FIFO put in its place cannot hang the thread. */
const PROBE_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK || 0);
let buffer: Buffer = Buffer.allocUnsafe(0);
let bufferEngine = '';

interface Task {
	path: string | Buffer;
	size: number;
	mtimeMs: number;
	engine: string;
	blockSize: number;
	attempts: number;
}

type Answer = { hash: string; size: number; mtimeMs: number } | { code: string; message: string | number };

const NOT_A_FILE: Answer = { code: E_NOTFILE, message: 'not a regular file' };

parentPort!.on('message', (message: string | ListRequest) => {
	if (typeof message !== 'string') return list(message);
	const request = JSON.parse(message) as HashRequest;
	// hash-wasm's WebAssembly is compiled for the first request that needs it; the requests after
	// it wait behind it in order (a failure ends the thread: the run hashes on its own thread)
	const loading = engineLoading(request.algorithm);
	if (loading) void loading.then(() => hashAll(request));
	else hashAll(request);
});

function hashAll(request: HashRequest): void {
	let reply = new HashReplyBuilder();
	for (let i = 0; i < request.ids.length; i++) {
		const id = request.ids[i]!;
		const task: Task = {
			path: nativePath(pathIn(request, i)), size: request.sizes[i]!, mtimeMs: request.mtimes[i]!,
			engine: request.algorithm, blockSize: request.blockSize, attempts: request.attempts,
		};
		let answer: Answer;
		try {
			answer = hashOne(task);
		} catch (error) {
			answer = { code: (error as { code?: string } | undefined)?.code || E_READ, message: messageOf(error) };
		}
		if ('code' in answer) {
			reply.failed(id, answer.code, answer.message);
			continue;
		}
		reply.hashed(id, answer.hash, answer.size, answer.mtimeMs);
		// a large file's answer goes at once, to keep the caller's window moving
		if (answer.size >= LARGE_READ) {
			parentPort!.postMessage(JSON.stringify(reply));
			reply = new HashReplyBuilder();
		}
	}
	if (!reply.empty) parentPort!.postMessage(JSON.stringify(reply));
}

/**
 * A file read whole (see steady.ts). The scan's lstat stands in for the first fstat; a file
 * the scan did not stat (a new one) is stat'ed through its handle, and a small one is read
 * by a single read when it can be.
 */
function hashOne(task: Task): Answer {
	if (buffer.length !== task.blockSize || bufferEngine !== task.engine) {
		buffer = readBuffer(task.engine, task.blockSize);
		bufferEngine = task.engine;
	}
	const stated = task.size >= 0;
	if (!stated) {
		const small = hashSmallNew(task);
		if (small) return small;
	}
	for (let attempt = 1; attempt <= task.attempts; attempt++) {
		const fd = openSync(task.path, stated ? 'r' : PROBE_FLAGS);
		try {
			const read = new SteadyRead(buffer.length, attempt === 1 && stated ? task : undefined, task.size === NOT_STATED_HOLD_LARGE);
			const ended = read.statFirst ? read.before(fstat(fd)!) : undefined;
			if (ended?.kind === 'not a file') return NOT_A_FILE;
			if (ended?.kind === 'large') return { code: E_LARGE, message: ended.size };
			const digest = engineDigest(task.engine, NODE);
			for (let more = true; more; ) {
				const n = readSync(fd, buffer, 0, buffer.length, null);
				if (n > 0) digest.update(n === buffer.length ? buffer : buffer.subarray(0, n));
				more = read.read(n);
			}
			const end = read.after(fstat(fd)!);
			if (end.kind === 'steady') return { hash: digest.digest(), size: end.size, mtimeMs: end.mtimeMs };
		} finally {
			closeSync(fd);
		}
	}
	return { code: E_CHANGING, message: 'changing' };
}

/**
 * A new file read whole by one read needs no fstat before it: the one after gives its kind,
 * size and mtime (and it is small: no large read to queue, whatever the disk). A write racing
 * that read leaves at worst a digest of the new content under the new mtime, which the next
 * run takes as a touch. A larger file (or one that changed size) is read again with an fstat
 * before, as any other: its blocks must all be of one content, or the next run could take the
 * mix for corruption.
 */
function hashSmallNew(task: Task): Answer | undefined {
	const fd = openSync(task.path, PROBE_FLAGS);
	try {
		let n: number;
		try {
			n = readSync(fd, buffer, 0, buffer.length, 0);
		} catch (error) {
			// EISDIR, EAGAIN from a FIFO: only a regular file is hashed
			if (!fstat(fd)!.isFile()) return NOT_A_FILE;
			throw error;
		}
		if (n === buffer.length) return undefined;
		const after = fstat(fd)!;
		if (!after.isFile()) return NOT_A_FILE;
		if (after.size !== n) return undefined;
		return { hash: digestOnce(task.engine, buffer.subarray(0, n), NODE), size: n, mtimeMs: after.mtimeMs };
	} finally {
		closeSync(fd);
	}
}

/** A folder listed and, when asked, its files' lstat and listing lines (see scan/folder.ts). */
function list(request: ListRequest): void {
	const { listing, stats, lines } = listFolder(request, request.stat);
	const { reply, transfer } = listReply(request.listId, listing, stats, lines);
	parentPort!.postMessage(reply, transfer);
}

/** A file opened from the working directory (HashPool.openFrom) is still named by its whole path. */
function messageOf(error: unknown): string {
	const e = error as { message?: unknown; path?: unknown } | undefined;
	const message = String(e?.message || error);
	const path = e?.path;
	// a name opened by its bytes (see nativePath) is named in the message as Node decodes it
	if (typeof path !== 'string' || isAbsolute(path)) return message;
	return message.split("'" + path + "'").join("'" + resolve(path) + "'");
}
