// A compact index of (hash, size) for every entry of a database: 17 bytes an entry in typed
// arrays instead of a JS object each, so a million files fit in ~17 MB. Only the first
// 64 bits of a hash are kept; callers confirm matches against the full hash in a second,
// streamed pass over the few candidates.
//
// The arrays are chunks of CHUNK entries: growing adds a chunk instead of copying into a
// doubled array, so the peak is the index itself, not an old and a new copy at once.

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
		const hi = parseInt(hash.slice(0, 8), 16) >>> 0;
		const lo = hash.length > 8 ? parseInt(hash.slice(8, 16), 16) >>> 0 : 0;
		return this.addPrefix(hi, lo, size, flag);
	}

	/** The same, with the digest's first 64 bits already read (`hi`, `lo`: 32 each). */
	addPrefix(hi: number, lo: number, size: number, flag = 0): number {
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

	/** Ordinal ranges [start, end) whose digests are not known yet (see reserve). */
	private reserved: [number, number][] = [];

	/**
	 * Takes the next `n` ordinals for entries a run skipped (unchanged): their digests are
	 * read (fill) only if something changed and collisions must be looked for.
	 */
	reserve(n: number): void {
		const start = this.length;
		for (let i = 0; i < n; i++) this.addPrefix(0, 0, -1);
		const last = this.reserved[this.reserved.length - 1];
		if (last && last[1] === start) last[1] = start + n;
		else this.reserved.push([start, start + n]);
	}

	get hasReserved(): boolean {
		return this.reserved.length > 0;
	}

	/** Reads the reserved entries' digests and sizes from every file record, in ordinal order. */
	async fill(files: AsyncIterable<{ hash: string; size: number }>): Promise<void> {
		let ordinal = 0;
		let range = 0;
		for await (const file of files) {
			while (range < this.reserved.length && ordinal >= this.reserved[range]![1]) range++;
			if (range === this.reserved.length) break;
			if (ordinal >= this.reserved[range]![0]) {
				const c = ordinal >>> SHIFT;
				const j = ordinal & MASK;
				this.hi[c]![j] = parseInt(file.hash.slice(0, 8), 16) >>> 0;
				this.lo[c]![j] = file.hash.length > 8 ? parseInt(file.hash.slice(8, 16), 16) >>> 0 : 0;
				this.sizes[c]![j] = file.size;
			}
			ordinal++;
		}
		this.reserved = [];
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
		// nothing changed this run: no group can hold a flagged entry (and sorting a million
		// prefixes costs a second and 4 MB for nothing)
		if (this.flagged === 0) return out;
		const order = this.sortedOrdinals();
		for (let start = 0; start < order.length; ) {
			let end = start + 1;
			while (end < order.length && this.samePrefix(order[start]!, order[end]!)) end++;
			if (end - start > 1) {
				const group = order.subarray(start, end);
				const sizes = new Set(Array.from(group, (i) => this.size(i)));
				const flagged = group.some((i) => (this.flag(i) & flag) !== 0);
				if (sizes.size > 1 && flagged) for (const i of group) out.add(i);
			}
			start = end;
		}
		return out;
	}

	/** Ordinals sorted by hash prefix, for lookups: binary search over sorted prefixes. */
	sortedOrdinals(): Uint32Array {
		const order = new Uint32Array(this.length);
		for (let i = 0; i < order.length; i++) order[i] = i;
		return order.sort((a, b) => this.hiAt(a) - this.hiAt(b) || this.loAt(a) - this.loAt(b));
	}

	private hiAt(i: number): number {
		return this.hi[i >>> SHIFT]![i & MASK]!;
	}

	private loAt(i: number): number {
		return this.lo[i >>> SHIFT]![i & MASK]!;
	}

	private samePrefix(a: number, b: number): boolean {
		return this.hiAt(a) === this.hiAt(b) && this.loAt(a) === this.loAt(b);
	}
}
