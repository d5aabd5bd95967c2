// The hashing worker's program, as a self-contained string: the CLI is one bundled file,
// also run inside a Windows SEA exe and a DSM package, where no separate worker file
// exists. `new Worker(WORKER_SOURCE, { eval: true })` runs it as CommonJS, which may
// require Node's built-in modules and nothing else.
//
// In a worker, synchronous reads are right: the thread has nothing else to do, and a sync
// call costs a fraction of a promise round trip, which dominates with small files.
//
// Protocol, as JSON strings (copying one string is far cheaper than cloning objects):
//   in:  { algorithm, blockSize, attempts, base, ids: [...], paths: [...], sizes: [...], mtimes: [...] }
//        (a path is relative to base, or whole after a NUL)
//   out: { ids: [...], hashes: 'digest digest…' (hex, one length, run together), sizes: [...],
//          mtimes: [...], errors: [[id, code, message], ...] }
//        by column, not an array a file: parsing it makes no object a file on the caller's thread
// and, as objects, requests to list and lstat a folder (listFolder).
// Small files' results are sent once per batch; a large file's at once, to keep the
// caller's window moving.
//
// A size of -1 or -2 means the scan did not stat the file (it is new): the worker stats it
// through its own handle, opened non-blocking so that a FIFO put in a file's place since the
// listing cannot hang it, and answers E_NOTFILE for anything but a regular file. With -2
// (a disk read one large file at a time), a large file is not read but answered E_LARGE
// with its size, for the caller to queue it with the disk's other large reads.
import { folderLines, listingLine, nativePath, readFolder, statFolder } from '../scan/folder.ts';
import { quickStat } from '../scan/quickstat.ts';
import { globTester } from '../scan/glob.ts';

export const WORKER_SOURCE = String.raw`
const { parentPort } = require('node:worker_threads');
const { openSync, fstatSync, lstatSync, readSync, readdirSync, closeSync, constants } = require('node:fs');
const paths = require('node:path');
// loaded by the first file hashed: a thread that only lists (a run with nothing to hash)
// does not compile them (crypto is some twenty of Node's modules)
let crypto;
let zlib;
const loadCrypto = () => (crypto ??= require('node:crypto'));
const LARGE = 1 << 20;
let buffer = Buffer.allocUnsafe(1 << 18);
const PROBE_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK || 0);

function digestFor(algorithm) {
	if (algorithm === 'crc32') {
		let crc = 0;
		zlib ??= require('node:zlib');
		return { update: (b) => { crc = zlib.crc32(b, crc); }, digest: () => (crc >>> 0).toString(16).padStart(8, '0') };
	}
	const hash = loadCrypto().createHash(algorithm);
	return { update: (b) => hash.update(b), digest: () => hash.digest('hex') };
}

// The scan's lstat stands in for the first fstat: if the file still has that size and mtime
// after the read, and that many bytes were read, nothing wrote to it since the scan. Any
// mismatch falls back to fstat before and after the read, as hashFile does. A file read
// whole by its first read needs no second read to find its end: the size check covers it.
function hashOne(task) {
	if (buffer.length !== task.blockSize) buffer = Buffer.allocUnsafe(task.blockSize);
	if (task.size < 0) {
		const small = hashSmallNew(task);
		if (small) return small;
	}
	let expectedSize = task.size;
	let expectedMtime = task.mtimeMs;
	const probe = task.size < 0;
	for (let attempt = 1; attempt <= task.attempts; attempt++) {
		const fd = openSync(task.path, probe ? PROBE_FLAGS : 'r');
		try {
			if (attempt > 1 || probe) {
				const before = fstat(fd);
				if (!before.isFile()) return [task.id, null, 'E_NOTFILE', 'not a regular file'];
				if (task.size === -2 && before.size >= LARGE) return [task.id, null, 'E_LARGE', before.size];
				expectedSize = before.size;
				expectedMtime = before.mtimeMs;
			}
			const digest = digestFor(task.algorithm);
			let total = 0;
			for (;;) {
				const n = readSync(fd, buffer, 0, buffer.length, null);
				if (n === 0) break;
				digest.update(n === buffer.length ? buffer : buffer.subarray(0, n));
				total += n;
				if (n < buffer.length && total === expectedSize) break;
				// a file that keeps growing (a log being written) would never reach its end
				if (total > expectedSize) break;
			}
			const after = fstat(fd);
			if (expectedSize === after.size && expectedMtime === after.mtimeMs && total === after.size) {
				return [task.id, digest.digest(), total, after.mtimeMs];
			}
		} finally {
			closeSync(fd);
		}
	}
	return [task.id, null, 'E_CHANGING', 'changing'];
}

// A new file read whole by one read needs no fstat before it: the one after gives its kind,
// size and mtime (and it is small: no large read to queue, whatever the disk). A write racing that read leaves at worst a digest of the new content
// under the new mtime, which the next run takes as a touch. A larger file (or one that
// changed size) is read again with an fstat before, as any other: its blocks must all be
// of one content, or the next run could take the mix for corruption.
function hashSmallNew(task) {
	const fd = openSync(task.path, PROBE_FLAGS);
	try {
		let n;
		try {
			n = readSync(fd, buffer, 0, buffer.length, 0);
		} catch (error) {
			// EISDIR, EAGAIN from a FIFO: only a regular file is hashed
			if (!fstat(fd).isFile()) return [task.id, null, 'E_NOTFILE', 'not a regular file'];
			throw error;
		}
		if (n === buffer.length) return undefined;
		const after = fstat(fd);
		if (!after.isFile()) return [task.id, null, 'E_NOTFILE', 'not a regular file'];
		if (after.size !== n) return undefined;
		return [task.id, digestOnce(task.algorithm, buffer.subarray(0, n)), n, after.mtimeMs];
	} finally {
		closeSync(fd);
	}
}

// one call for a small file's whole content (crypto.hash: Node 20.12 and later)
function digestOnce(algorithm, data) {
	const oneShot = loadCrypto().hash;
	if (typeof oneShot === 'function' && algorithm !== 'crc32') return oneShot(algorithm, data, 'hex');
	const digest = digestFor(algorithm);
	digest.update(data);
	return digest.digest();
}

// A folder listed and, when asked, its files' lstat and listing lines (readFolder, statFolder
// and folderLines, below), for a run that lists ahead of its merge: the lstat as one
// Float64Array, the lines as one string, the listing as JSON in two parts: what the walk
// needs of every folder, and the names and keys, which a run skipping the folder never reads.
const testers = new Map();
function tester(source, globs) {
	if (source === undefined && globs === undefined) return undefined;
	const id = JSON.stringify([source, globs]);
	if (!testers.has(id)) testers.set(id, globTester(source, globs));
	return testers.get(id);
}
function listFolder(request) {
	const listing = readFolder(readdirSync, nativePath, request.dir, request.prefix, request.relative, tester(request.byName, request.byNameGlobs), tester(request.byPath, request.byPathGlobs));
	const reply = {
		listId: request.listId,
		head: JSON.stringify({ error: listing.error, kinds: listing.kinds, folders: listing.folders }),
		entries: JSON.stringify({ names: listing.names, keys: listing.keys }),
	};
	if (!request.stat) return parentPort.postMessage(reply);
	const stats = statFolder(lstatQuick, nativePath, request.statBase ?? request.base, listing);
	const lines = folderLines(listing, stats, listingLine);
	parentPort.postMessage({ ...reply, values: stats.values, errors: stats.errors, text: lines.text, ends: lines.ends }, [stats.values.buffer, lines.ends.buffer]);
}

parentPort.on('message', (text) => {
	if (typeof text !== 'string') {
		return listFolder(text);
	}
	const batch = JSON.parse(text);
	let results = new Results();
	for (let i = 0; i < batch.ids.length; i++) {
		const name = batch.paths[i];
		const task = {
			id: batch.ids[i], path: nativePath(name.charCodeAt(0) === 0 ? name.slice(1) : batch.base + name), size: batch.sizes[i], mtimeMs: batch.mtimes[i],
			algorithm: batch.algorithm, blockSize: batch.blockSize, attempts: batch.attempts,
		};
		let result;
		try {
			result = hashOne(task);
		} catch (error) {
			result = [task.id, null, (error && error.code) || 'E_READ', messageOf(error)];
		}
		results.add(result);
		if (result[1] !== null && result[2] >= LARGE) {
			parentPort.postMessage(JSON.stringify(results));
			results = new Results();
		}
	}
	if (results.ids.length || results.errors.length) parentPort.postMessage(JSON.stringify(results));
});

// a batch's answers, by column (see the protocol above)
class Results {
	constructor() {
		this.ids = [];
		this.hashes = '';
		this.sizes = [];
		this.mtimes = [];
		this.errors = [];
	}
	add([id, hash, sizeOrCode, mtimeOrMessage]) {
		if (hash === null) return this.errors.push([id, sizeOrCode, mtimeOrMessage]);
		this.ids.push(id);
		this.hashes += hash;
		this.sizes.push(sizeOrCode);
		this.mtimes.push(mtimeOrMessage);
	}
}

// a file opened from the working directory (the pool's openFrom) is still named by its whole path
function messageOf(error) {
	const message = String((error && error.message) || error);
	const path = error && error.path;
	// a name opened by its bytes (see nativePath) is named in the message as Node decodes it
	if (typeof path !== 'string' || paths.isAbsolute(path)) return message;
	return message.split("'" + path + "'").join("'" + paths.resolve(path) + "'");
}

// the scan's own functions (see scan/folder.ts), from their source text
const readFolder = ${readFolder.toString()};
const nativePath = ${nativePath.toString()};
const globTester = ${globTester.toString()};
const statFolder = ${statFolder.toString()};
const quickStat = ${quickStat.toString()};
const folderLines = ${folderLines.toString()};
const listingLine = ${listingLine.toString()};

// lstatSync and fstatSync without their Stats object where that is safe (see scan/quickstat.ts;
// a result is read at once); made here, once quickStat is defined, before any message
const lstatQuick = quickStat('lstat', lstatSync, paths.toNamespacedPath);
const fstat = quickStat('fstat', fstatSync, paths.toNamespacedPath);
`;
