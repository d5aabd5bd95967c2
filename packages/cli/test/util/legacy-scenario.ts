// The original Equilybrium's own test scenario (its equilybrium-test.py), rebuilt with the
// contents and mtimes the research ran the original on (fixtures/legacy/scenario, from
// make_tree.py), and the original's database format, read and written.
import { readFileSync, renameSync, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adler32, filler, LEGACY, T1, T2, writeFiles } from './legacy.ts';

/** Two files of different sizes with the same adler32 (2693604934 = 0xa08d2646). */
export const COLLISION_0 = Buffer.from(`~~~~${'a'.repeat(10)}T[${'a'.repeat(84)}`, 'latin1');
export const COLLISION_1 = Buffer.from('a'.repeat(101), 'latin1');
if (adler32(COLLISION_0) !== adler32(COLLISION_1) || COLLISION_0.length === COLLISION_1.length) throw new Error('not a collision');

/** The tree before the first pass: every file 100 bytes (Min_file_size) but small.txt (99) and collision.1.txt (101). */
export const PASS1: Record<string, Buffer> = {
	'untouched.txt': filler('untouched.txt', 100),
	no_ext: filler('no_ext', 100),
	'dupl_src.tst': filler('dupl_src.tst', 100),
	'corrupt_mod.xxx': filler('corrupt_mod.xxx', 100),
	'corrupt_add.utl': filler('corrupt_add.utl', 100),
	'to_move.lol': filler('to_move.lol', 100),
	'to_remove.ext': filler('to_remove.ext', 100),
	'@SynologyHiddenFolder/syno_to_ignore.ext': filler('syno_to_ignore.ext', 100),
	'$RECYCLE.BIN/recycle_to_ignore.ext': filler('recycle_to_ignore.ext', 100),
	'small.txt': filler('small.txt', 99),
	'collision.0.txt': COLLISION_0,
	'collision.1.txt': COLLISION_1,
};

export function makePass1(root: string): void {
	writeFiles(root, PASS1, T1);
}

/** The edits the original's test makes between its two runs (equilybrium-test.py:140-165). */
export function makePass2(root: string): void {
	const read = (rel: string) => readFileSync(join(root, rel));
	// a duplicate, an additive edit (+1 byte), an in-place edit (first byte + 1), all dated T2
	const mod = Buffer.from(read('corrupt_mod.xxx'));
	mod[0] = mod[0]! + 1;
	writeFiles(root, { 'dupl_dst.tst': read('dupl_src.tst'), 'corrupt_add.utl': Buffer.concat([read('corrupt_add.utl'), Buffer.from('a')]), 'corrupt_mod.xxx': mod }, T2);
	// a rename keeps its mtime
	renameSync(join(root, 'to_move.lol'), join(root, 'renamed.lol'));
	unlinkSync(join(root, 'to_remove.ext'));
}

/** Bit rot: the last byte of `rel` changes and its mtime is put back. */
export function rot(root: string, rel: string): void {
	const path = join(root, rel);
	const { mtime } = statSync(path);
	const bytes = Buffer.from(readFileSync(path));
	bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0x20;
	writeFileSync(path, bytes);
	utimesSync(path, mtime, mtime);
}

/** The original's events of the scenario, as `{pass, type, fields}` (fixtures/legacy/scenario/events*.tsv). */
export function originalEvents(file = 'scenario/events.tsv'): { pass: string; type: string; fields: Record<string, unknown> }[] {
	return readFileSync(join(LEGACY, file), 'utf8')
		.split('\n')
		.slice(1)
		.filter((l) => l !== '')
		.map((line) => {
			const [pass = '', type = '', json = ''] = line.split('\t');
			return { pass, type, fields: JSON.parse(json) as Record<string, unknown> };
		});
}

// --- the original's database: {"<decimal digest>": [[size, "path as written"], ...]} ---

export interface LegacyEntry {
	/** The digest as the original's integer, in decimal (hashlib's lose their leading zero bytes). */
	decimal: string;
	size: number;
	/** The monitored folder as written in the config, then `/` and the path below it. */
	path: string;
}

/** A hex digest as the original stores it: the big-endian integer, in decimal. */
export const decimalOf = (hex: string) => BigInt(`0x${hex}`).toString(10);

/** The original's database text: Python's json.dumps(indent=2) (ensure_ascii: \uXXXX), no final newline. */
export function legacyDbText(entries: LegacyEntry[]): string {
	const byDigest = new Map<string, [number, string][]>();
	for (const e of entries) byDigest.set(e.decimal, [...(byDigest.get(e.decimal) ?? []), [e.size, e.path]]);
	const json = JSON.stringify(Object.fromEntries(byDigest), null, 2);
	return json.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The original's database read back: `path → {size, decimal}`. */
export function readLegacyDb(text: string): Map<string, { size: number; decimal: string }> {
	// the digests are JSON keys (strings), so no precision is lost
	const db = JSON.parse(text) as Record<string, [number, string][]>;
	const out = new Map<string, { size: number; decimal: string }>();
	for (const [decimal, list] of Object.entries(db)) for (const [size, path] of list) out.set(path, { size, decimal });
	return out;
}
