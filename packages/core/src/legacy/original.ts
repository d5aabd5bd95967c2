// The original Equilybrium's database (its data/A.DB.json or data/B.DB.json), as its
// database.py wrote it: `{"<decimal digest>": [[size, "path as written"], ...]}`, Python's
// json.dumps(indent=2), no mtimes. The key is the digest as an integer: hashlib's
// `int.from_bytes(digest, 'big')`, which drops leading zero bytes, and zlib's adler32/crc32
// value itself. Paths are the monitored folder as written in its config, in POSIX form
// (`Path(folder).as_posix()`), then `/` and the path below it.

import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { CoreError } from '../errors.ts';
import type { AlgorithmName } from '../hashing/names.ts';

export interface OriginalEntry {
	/** The path as the original wrote it. */
	path: string;
	size: number;
	/** Lowercase hex, at the algorithm's full width. */
	hash: string;
}

export interface OriginalDb {
	entries: OriginalEntry[];
	/** When the original last wrote it (the file's mtime): the end of its last run. */
	writtenAt: number;
}

/** Hex digits of each algorithm the original offered (hashlib's digest_size × 2; zlib's 32 bits). */
const HEX_WIDTH: Partial<Record<AlgorithmName, number>> = {
	md5: 32, sha1: 40, sha224: 56, sha256: 64, sha384: 96, sha512: 128,
	blake2b: 128, blake2s: 64, sha3_224: 56, sha3_256: 64, sha3_384: 96, sha3_512: 128,
	crc32: 8, adler32: 8,
};

/**
 * Reads the original's database, each digest made the lowercase hex of `algorithm` (the
 * config's Hash_algorithm, the one the original hashed with). A file that is missing, is not
 * JSON, is not in the original's shape or holds a digest too wide for `algorithm`: a
 * CoreError naming it, and nothing read.
 */
export async function readOriginalDb(file: string, algorithm: AlgorithmName): Promise<OriginalDb> {
	const name = basename(file);
	const width = HEX_WIDTH[algorithm];
	if (width === undefined) throw new CoreError('E_INPUT', `the config's Hash algorithm is ${algorithm}, which the original Equilybrium never offered: set the one it used (its Hash_algorithm, e.g. zlib.adler32) before importing ${name}`);
	let text: string;
	let writtenAt: number;
	try {
		writtenAt = (await stat(file)).mtimeMs;
		text = await readFile(file, 'utf8');
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		throw new CoreError(code === 'ENOENT' ? 'E_INPUT' : 'E_IO', `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (error as Error).message})`}`);
	}
	const wrong = (why: string) => new CoreError('E_INPUT', `${file}: ${why}; expected the original Equilybrium's database (its data/A.DB.json or data/B.DB.json), {"<decimal digest>": [[size, "path"], ...]}`);
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		throw wrong('is not JSON');
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wrong('is not a JSON object');
	if ((value as { format?: unknown }).format === 'equilybrium-db') {
		throw new CoreError('E_INPUT', `${file}: is already this Equilybrium's database, nothing to import: put it in the config folder as equilybrium.<A|B>.DB.json instead`);
	}
	const entries: OriginalEntry[] = [];
	for (const [digest, list] of Object.entries(value)) {
		if (!/^\d+$/.test(digest)) throw wrong(`its key ${JSON.stringify(digest.slice(0, 40))} is not a decimal digest`);
		const hash = BigInt(digest).toString(16).padStart(width, '0');
		if (hash.length > width) {
			throw new CoreError('E_INPUT', `${file}: the digest ${digest.slice(0, 24)}… is wider than ${algorithm}'s: the original hashed with another algorithm. Set the config's Hash algorithm to the one its config named (its Hash_algorithm), then import again`);
		}
		if (!Array.isArray(list)) throw wrong(`the value of ${digest} is not a list`);
		for (const item of list) {
			if (!Array.isArray(item) || !Number.isSafeInteger(item[0]) || (item[0] as number) < 0 || typeof item[1] !== 'string') {
				throw wrong(`an entry of ${digest} is not [size, "path"]: ${JSON.stringify(item).slice(0, 80)}`);
			}
			entries.push({ path: item[1], size: item[0] as number, hash });
		}
	}
	return { entries, writtenAt };
}
