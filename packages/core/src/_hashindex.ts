// A compact index of (hash, size) for every entry of a database: 17 bytes an entry in typed
// arrays instead of a JS object each, so a million files fit in ~17 MB. Only the first
// 64 bits of a hash are kept; callers confirm matches against the full hash in a second,
// streamed pass over the few candidates.

export class HashIndex {
	private hi: Uint32Array;
	private lo: Uint32Array;
	private sizes: Float64Array;
	private flags: Uint8Array;
	length = 0;
	/** Entries added with a non-zero flag: when none, there is nothing new to check. */
	flagged = 0;

	/**
	 * `expected`: entries likely to come (the previous database's count, plus some). Sized
	 * right from the start, the index never holds an old and a doubled copy at once — at a
	 * million files that transient alone was 26 MB.
	 */
	constructor(expected = 1024) {
		const n = Math.max(1024, Math.ceil(expected));
		this.hi = new Uint32Array(n);
		this.lo = new Uint32Array(n);
		this.sizes = new Float64Array(n);
		this.flags = new Uint8Array(n);
	}

	add(hash: string, size: number, flag = 0): number {
		if (this.length === this.hi.length) this.grow();
		const i = this.length++;
		this.hi[i] = parseInt(hash.slice(0, 8), 16) >>> 0;
		this.lo[i] = hash.length > 8 ? parseInt(hash.slice(8, 16), 16) >>> 0 : 0;
		this.sizes[i] = size;
		this.flags[i] = flag;
		if (flag) this.flagged++;
		return i;
	}

	flag(i: number): number {
		return this.flags[i]!;
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
				const sizes = new Set(Array.from(group, (i) => this.sizes[i]));
				const flagged = group.some((i) => (this.flags[i]! & flag) !== 0);
				if (sizes.size > 1 && flagged) for (const i of group) out.add(i);
			}
			start = end;
		}
		return out;
	}

	/** Ordinal ranges sharing each prefix, for lookups: binary search over sorted prefixes. */
	sortedOrdinals(): Uint32Array {
		const order = new Uint32Array(this.length);
		for (let i = 0; i < order.length; i++) order[i] = i;
		return order.sort((a, b) => this.hi[a]! - this.hi[b]! || this.lo[a]! - this.lo[b]!);
	}

	private samePrefix(a: number, b: number): boolean {
		return this.hi[a] === this.hi[b] && this.lo[a] === this.lo[b];
	}

	private grow(): void {
		// grow by half, not double: the peak is what a small NAS must hold
		const size = Math.ceil(this.hi.length * 1.5);
		const grow = <T extends Uint32Array | Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
			const next = make(size);
			next.set(old as never);
			return next;
		};
		this.hi = grow(this.hi, (n) => new Uint32Array(n));
		this.lo = grow(this.lo, (n) => new Uint32Array(n));
		this.sizes = grow(this.sizes, (n) => new Float64Array(n));
		this.flags = grow(this.flags, (n) => new Uint8Array(n));
	}
}
