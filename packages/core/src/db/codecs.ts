// An entry's two lines, read and written without JSON.parse and JSON.stringify where that is
// safe: a database is read whole, and written, on every run.

import type { DbEntry, FileRecord } from './format.ts';

/**
 * A file's line in its block's listing digest (see db/listing.ts): what a run's scan gives
 * and its database recorded, compared a block at a time. NUL cannot occur in a file name.
 */
export const listingLine = (key: string, size: number, mtimeMs: number) => `${key}\0${size}\0${mtimeMs}\0`;

export const stripComma = (line: string) => (line.charCodeAt(line.length - 1) === 44 ? line.slice(0, -1) : line);

/**
 * `[mtimeMs,verifiedAt]` or `[mtimeMs,verifiedAt,"goodHash"]`, maybe with a trailing comma,
 * read without JSON.parse: a database is read whole on every run, and this line has no
 * strings that could hold a comma.
 */
export function parseLocal(text: string, into: DbEntry): void {
	const end = text.endsWith(',') ? text.length - 2 : text.length - 1;
	const c1 = text.indexOf(',');
	const c2 = text.indexOf(',', c1 + 1);
	into.mtimeMs = Number(text.slice(1, c1));
	into.verifiedAt = Number(text.slice(c1 + 1, c2 >= 0 && c2 < end ? c2 : end));
	if (c2 >= 0 && c2 < end) into.goodHash = text.slice(c2 + 2, end - 1);
	if (!(c1 > 0 && Number.isFinite(into.mtimeMs) && Number.isFinite(into.verifiedAt))) {
		const [mtimeMs, verifiedAt, goodHash] = JSON.parse(text.replace(/,$/, '')) as [number, number, string?];
		if (typeof mtimeMs !== 'number' || typeof verifiedAt !== 'number') throw new Error('not a local record');
		into.mtimeMs = mtimeMs;
		into.verifiedAt = verifiedAt;
		if (goodHash) into.goodHash = goodHash;
	}
}

/**
 * `["key",size,"hash"]`, maybe with a trailing comma. The hash and the size hold no comma or
 * quote, so they are found from the end; the key is JSON only when it has escapes.
 */
export function parseFile(text: string): FileRecord {
	const close = text.endsWith(',') ? text.length - 2 : text.length - 1;
	const hashStart = text.lastIndexOf('"', close - 2) + 1;
	const sizeEnd = hashStart - 2;
	const sizeStart = text.lastIndexOf(',', sizeEnd - 1) + 1;
	const rawKey = text.slice(1, sizeStart - 1);
	const size = Number(text.slice(sizeStart, sizeEnd));
	const hash = text.slice(hashStart, close - 1);
	if (text.charCodeAt(0) === 91 && rawKey.length >= 2 && rawKey.charCodeAt(0) === 34 && rawKey.charCodeAt(rawKey.length - 1) === 34 && Number.isFinite(size) && rawKey.indexOf('\\') < 0) {
		return { key: rawKey.slice(1, -1), size, hash };
	}
	const [key, jsonSize, jsonHash] = JSON.parse(text.endsWith(',') ? text.slice(0, -1) : text) as [unknown, unknown, unknown];
	if (typeof key !== 'string' || typeof jsonSize !== 'number' || typeof jsonHash !== 'string') throw new Error('not an entry');
	return { key, size: jsonSize, hash: jsonHash };
}
