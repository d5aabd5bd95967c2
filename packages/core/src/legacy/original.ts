// The original Equilybrium's database (its data/A.DB.json or data/B.DB.json), as its
// database.py wrote it: `{"<decimal digest>": [[size, "path as written"], ...]}`, Python's
// json.dumps(indent=2), no mtimes. The key is the digest as an integer: hashlib's
// `int.from_bytes(digest, 'big')`, which drops leading zero bytes, and zlib's adler32/crc32
// value itself. Paths are the monitored folder as written in its config, in POSIX form
// (`Path(folder).as_posix()`), then `/` and the path below it.
//
// It is read as a stream, a token at a time: the database of a NAS with millions of files is
// hundreds of MB of text, which JSON.parse would hold whole, twice over.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CoreError } from '../errors.ts';
import type { AlgorithmName } from '../hashing/names.ts';

export interface OriginalEntry {
	/** The path as the original wrote it. */
	path: string;
	size: number;
	/** Lowercase hex, at the algorithm's full width. */
	hash: string;
}

/** Hex digits of each algorithm the original offered (hashlib's digest_size × 2; zlib's 32 bits). */
const HEX_WIDTH: Partial<Record<AlgorithmName, number>> = {
	md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128,
	blake2b: 128, blake2s: 64, sha3_224: 56, sha3_256: 64, sha3_384: 96, sha3_512: 128,
	crc32: 8, adler32: 8,
};

/**
 * Reads the original's database, its entries given to `onEntries` a chunk of the file at a
 * time, each digest made the lowercase hex of `algorithm` (the config's Hash_algorithm, the
 * one the original hashed with). A file that is missing, is not JSON, is not in the
 * original's shape or holds a digest too wide for `algorithm`: a CoreError naming it.
 * Returns when the original last wrote it (its mtime: the end of its last run).
 */
export async function readOriginalDb(file: string, algorithm: AlgorithmName, onEntries: (entries: OriginalEntry[]) => Promise<void>, chunkBytes = 1 << 20): Promise<{ writtenAt: number }> {
	const width = HEX_WIDTH[algorithm];
	if (width === undefined) throw new CoreError('E_INPUT', `the config's Hash algorithm is ${algorithm}, which the original Equilybrium never offered: set the one it used (its Hash_algorithm, e.g. zlib.adler32) before importing ${file}`);
	let writtenAt: number;
	try {
		writtenAt = (await stat(file)).mtimeMs;
	} catch (error) {
		throw unreadable(file, error);
	}
	const parser = new OriginalParser(file, algorithm, width);
	let carry = '';
	// an error while the entries are handed on is not the file's
	let handing = false;
	try {
		for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: chunkBytes })) {
			carry = parser.feed(carry + (chunk as string), false);
			handing = true;
			await onEntries(parser.take());
			handing = false;
		}
	} catch (error) {
		if (handing || error instanceof CoreError) throw error;
		throw unreadable(file, error);
	}
	parser.feed(carry, true);
	parser.end();
	await onEntries(parser.take());
	return { writtenAt };
}

function unreadable(file: string, error: unknown): CoreError {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') return new CoreError('E_INPUT', `${file}: no such file`);
	return new CoreError('E_IO', `${file}: cannot be read (${code ?? (error as Error).message})`);
}

// --- internal ---

/** Where the parser is in `{"digest": [[size, "path"], ...], ...}`. */
type State = 'start' | 'firstKey' | 'key' | 'colon' | 'list' | 'firstItem' | 'item' | 'size' | 'comma' | 'path' | 'itemEnd' | 'afterItem' | 'afterList' | 'done';

/** Which token each state takes, in words, for the message when another comes. */
const EXPECTED: Record<State, string> = {
	start: '{', firstKey: 'a digest or }', key: 'a digest', colon: ':', list: '[', firstItem: '[ or ]', item: '[',
	size: 'a size', comma: ',', path: 'a path', itemEnd: ']', afterItem: ', or ]', afterList: ', or }', done: 'nothing more',
};

class OriginalParser {
	private state: State = 'start';
	private digest = '';
	private hash = '';
	private size = 0;
	/** The entries of what was fed since the last `take`. */
	private found: OriginalEntry[] = [];

	constructor(
		private file: string,
		private algorithm: AlgorithmName,
		private width: number,
	) {}

	take(): OriginalEntry[] {
		const found = this.found;
		this.found = [];
		return found;
	}

	/** Takes every whole token of `text`; returns what is left of an unfinished one (none when `last`). */
	feed(text: string, last: boolean): string {
		let i = 0;
		const n = text.length;
		while (i < n) {
			const c = text.charCodeAt(i);
			if (c === 32 || c === 10 || c === 13 || c === 9) {
				i++;
			} else if (c === 34) {
				// a string: up to the first quote not escaped by an odd run of backslashes
				let end = text.indexOf('"', i + 1);
				while (end >= 0 && backslashesBefore(text, end) % 2 === 1) end = text.indexOf('"', end + 1);
				if (end < 0) {
					if (last) throw this.wrong('is not JSON (it ends inside a string)');
					return text.slice(i);
				}
				const raw = text.slice(i, end + 1);
				let value: string;
				try {
					value = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
				} catch {
					throw this.wrong('is not JSON (a string with a bad escape)');
				}
				this.token('string', value);
				i = end + 1;
			} else if ((c >= 48 && c <= 57) || c === 45) {
				let end = i + 1;
				while (end < n && /[0-9eE.+-]/.test(text[end]!)) end++;
				if (end === n && !last) return text.slice(i);
				this.token('number', text.slice(i, end));
				i = end;
			} else if (c === 123 || c === 125 || c === 91 || c === 93 || c === 58 || c === 44) {
				this.token(text[i]!);
				i++;
			} else {
				throw this.wrong(this.state === 'start' ? 'is not JSON' : `is not JSON (${JSON.stringify(text[i])} where ${EXPECTED[this.state]} was expected)`);
			}
		}
		return '';
	}

	end(): void {
		if (this.state !== 'done') throw this.wrong(this.state === 'start' ? 'is empty' : 'is cut short (it ends before its last })');
	}

	private token(kind: string, value = ''): void {
		const s = this.state;
		const is = (k: string) => kind === k;
		if (s === 'start' && is('{')) this.state = 'firstKey';
		else if (s === 'firstKey' && is('}')) this.state = 'done';
		else if ((s === 'firstKey' || s === 'key') && is('string')) {
			this.takeDigest(value, s === 'firstKey');
			this.state = 'colon';
		} else if (s === 'colon' && is(':')) this.state = 'list';
		else if (s === 'list' && is('[')) this.state = 'firstItem';
		else if (s === 'firstItem' && is(']')) this.state = 'afterList';
		else if ((s === 'firstItem' || s === 'item') && is('[')) this.state = 'size';
		else if (s === 'size' && is('number') && /^\d+$/.test(value) && Number.isSafeInteger(Number(value))) {
			this.size = Number(value);
			this.state = 'comma';
		} else if (s === 'comma' && is(',')) this.state = 'path';
		else if (s === 'path' && is('string')) {
			this.found.push({ path: value, size: this.size, hash: this.hash });
			this.state = 'itemEnd';
		} else if (s === 'itemEnd' && is(']')) this.state = 'afterItem';
		else if (s === 'afterItem' && is(',')) this.state = 'item';
		else if (s === 'afterItem' && is(']')) this.state = 'afterList';
		else if (s === 'afterList' && is(',')) this.state = 'key';
		else if (s === 'afterList' && is('}')) this.state = 'done';
		else {
			const found = kind === 'string' ? JSON.stringify(value.slice(0, 40)) : kind === 'number' ? value : kind;
			const where = s === 'size' || s === 'comma' || s === 'path' || s === 'itemEnd' ? ` in an entry of ${this.digest}, which should be [size, "path"]` : '';
			throw this.wrong(`has ${found} where ${EXPECTED[s]} was expected${where}`);
		}
	}

	/** A key: the digest as the original's decimal integer, made hex at the algorithm's width. */
	private takeDigest(key: string, first: boolean): void {
		if (!/^\d+$/.test(key)) {
			if (first && key === 'format') throw new CoreError('E_INPUT', `${this.file}: is already this Equilybrium's database, nothing to import: put it in the config folder as equilybrium.<A|B>.DB.json instead`);
			throw this.wrong(`its key ${JSON.stringify(key.slice(0, 40))} is not a decimal digest`);
		}
		const hash = BigInt(key).toString(16).padStart(this.width, '0');
		if (hash.length > this.width) {
			throw new CoreError('E_INPUT', `${this.file}: the digest ${key.slice(0, 24)}… is wider than ${this.algorithm}'s: the original hashed with another algorithm. Set the config's Hash algorithm to the one its config named (its Hash_algorithm), then import again`);
		}
		this.digest = key;
		this.hash = hash;
	}

	private wrong(why: string): CoreError {
		return new CoreError('E_INPUT', `${this.file}: ${why}; expected the original Equilybrium's database (its data/A.DB.json or data/B.DB.json), {"<decimal digest>": [[size, "path"], ...]}`);
	}
}

function backslashesBefore(text: string, at: number): number {
	let n = 0;
	while (at - 1 - n >= 0 && text.charCodeAt(at - 1 - n) === 92) n++;
	return n;
}
