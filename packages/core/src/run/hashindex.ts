// A compact index of (hash, size) for every entry of a database: 17 bytes an entry in typed
// arrays instead of a JS object each, so a million files fit in ~17 MB. Only the first
// 64 bits of a hash are kept; callers confirm matches against the full hash in a second,
// streamed pass over the few candidates.
//
// The arrays are chunks of CHUNK entries: growing adds a chunk instead of copying into a
// doubled array, so the peak is the index itself, not an old and a new copy at once.

import { indexIn, uniqueSorted } from './sorted.ts';

const SHIFT = 16;
const CHUNK = 1 << SHIFT;
const MASK = CHUNK - 1;

export class HashIndex {
	private hi: Uint32Array[] = [];
	private lo: Uint32Array[] = [];
	private sizes: Float64Array[] = [];
	private flags: Uint8Array[] = [];
	length = 0;
	/** Entries added with a non-zero flag: when none, there is nothing new to check. */
	flagged = 0;

	add(hash: string, size: number, flag = 0): number {
		const hi = hex32(hash, 0);
		const lo = hash.length > 8 ? hex32(hash, 8) : 0;
		const i = this.length++;
		const c = i >>> SHIFT;
		if (c === this.hi.length) {
			this.hi.push(new Uint32Array(CHUNK));
			this.lo.push(new Uint32Array(CHUNK));
			this.sizes.push(new Float64Array(CHUNK));
			this.flags.push(new Uint8Array(CHUNK));
		}
		const j = i & MASK;
		this.hi[c]![j] = hi;
		this.lo[c]![j] = lo;
		this.sizes[c]![j] = size;
		this.flags[c]![j] = flag;
		if (flag) this.flagged++;
		return i;
	}

	flag(i: number): number {
		return this.flags[i >>> SHIFT]![i & MASK]!;
	}

	size(i: number): number {
		return this.sizes[i >>> SHIFT]![i & MASK]!;
	}

	/**
	 * Ordinals of entries whose hash prefix is shared with an entry of another size, in groups
	 * where at least one member has `flag` set (so old, already reported groups stay quiet).
	 */
	collisionCandidates(flag: number): Set<number> {
		const out = new Set<number>();
		// nothing changed this run: no group can hold a flagged entry
		if (this.flagged === 0) return out;
		// the prefixes as numbers, sorted natively (ordinals sorted with a comparator took
		// ~0.5 s for a million entries): hi·2³² + lo rounds to 53 bits, so equal prefixes give
		// equal numbers, and the few unequal ones that do too are told apart below
		const keys = new Float64Array(this.length);
		for (let i = 0; i < keys.length; i++) keys[i] = this.keyAt(i);
		keys.sort();
		const shared = new Set<number>();
		for (let i = 1; i < keys.length; i++) if (keys[i] === keys[i - 1]) shared.add(keys[i]!);
		if (shared.size === 0) return out;
		const groups = new Map<string, number[]>();
		for (let i = 0; i < this.length; i++) {
			if (!shared.has(this.keyAt(i))) continue;
			const prefix = `${this.hiAt(i)}:${this.loAt(i)}`;
			const group = groups.get(prefix);
			if (group) group.push(i);
			else groups.set(prefix, [i]);
		}
		for (const group of groups.values()) {
			if (group.length < 2) continue;
			const sizes = new Set(group.map((i) => this.size(i)));
			const flagged = group.some((i) => (this.flag(i) & flag) !== 0);
			if (sizes.size > 1 && flagged) for (const i of group) out.add(i);
		}
		return out;
	}

	private keyAt(i: number): number {
		return this.hiAt(i) * 2 ** 32 + this.loAt(i);
	}

	private hiAt(i: number): number {
		return this.hi[i >>> SHIFT]![i & MASK]!;
	}

	private loAt(i: number): number {
		return this.lo[i >>> SHIFT]![i & MASK]!;
	}
}

/**
 * What a run with a previous database keeps instead of a HashIndex of every entry: which
 * entries it changed (a bit each, by their place in the new database) and the first 32 bits
 * of their digests. Collisions are then looked for after the commit, among the entries that
 * share such a prefix only: a day with a few changes holds a few numbers, not 17 bytes a file.
 */
export class ChangedDigests {
	private bits = new Uint8Array(1 << 13);
	private prefixes = new Uint32Array(1 << 10);
	count = 0;

	mark(ordinal: number, hash: string): void {
		const byte = ordinal >>> 3;
		if (byte >= this.bits.length) this.bits = grown(this.bits, byte + 1);
		this.bits[byte]! |= 1 << (ordinal & 7);
		if (this.count === this.prefixes.length) this.prefixes = grown(this.prefixes, this.count + 1);
		this.prefixes[this.count++] = prefix(hash);
	}

	has(ordinal: number): boolean {
		const byte = ordinal >>> 3;
		return byte < this.bits.length && (this.bits[byte]! & (1 << (ordinal & 7))) !== 0;
	}

	/** The changed digests' prefixes, sorted, each once. */
	distinct(): Uint32Array {
		return uniqueSorted(this.prefixes.subarray(0, this.count));
	}
}

/**
 * Which digest prefixes of changed entries are shared with an entry of another size, from one
 * pass over every entry of the database (13 bytes per distinct changed prefix): the entries to
 * look at closely, in a second pass, for a collision. Not a single object per entry.
 */
export class SharedPrefixes {
	private prefixes: Uint32Array;
	private firstSize: Float64Array;
	private mixed: Uint8Array;

	constructor(changed: ChangedDigests) {
		this.prefixes = changed.distinct();
		this.firstSize = new Float64Array(this.prefixes.length).fill(-1);
		this.mixed = new Uint8Array(this.prefixes.length);
	}

	/** Call for every entry of the database. */
	see(hash: string, size: number): void {
		const i = indexIn(this.prefixes, prefix(hash));
		if (i < 0) return;
		if (this.firstSize[i] === -1) this.firstSize[i] = size;
		else if (this.firstSize[i] !== size) this.mixed[i] = 1;
	}

	/** After every entry was seen: does this digest begin as a prefix shared across sizes? */
	suspect(hash: string): boolean {
		const i = indexIn(this.prefixes, prefix(hash));
		return i >= 0 && this.mixed[i] === 1;
	}

	get any(): boolean {
		return this.mixed.some((m) => m === 1);
	}
}


const prefix = (hash: string) => hex32(hash, 0);

/**
 * The 32 bits written by the eight hex digits of `hash` from `from` (fewer if it ends first),
 * as parseInt(…, 16) reads them, but without a string cut out for it: an index adds one a
 * file. Digests are lower-case hex; anything else reads as 0, as parseInt's NaN did.
 */
export function hex32(hash: string, from: number): number {
	let value = 0;
	const end = Math.min(hash.length, from + 8);
	for (let i = from; i < end; i++) {
		const c = hash.charCodeAt(i);
		const digit = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
		if (digit < 0) return i === from ? 0 : value;
		value = value * 16 + digit;
	}
	return value >>> 0;
}

function grown<T extends Uint8Array | Uint32Array>(old: T, least: number): T {
	const next = new (old.constructor as new (n: number) => T)(Math.max(least, old.length * 2));
	next.set(old);
	return next;
}
