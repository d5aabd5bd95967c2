// A set of file contents, (hash, size), held as one sorted BigUint64Array: 8 bytes an entry,
// so a million files take 8 MB. A long hash keeps its first 64 bits (two different contents
// sharing them is as unlikely as a collision of the hash itself); a 32-bit checksum is
// paired with the low 32 bits of the size, so a crc32 collision of another size misses.

export class ContentSet {
	private values = new BigUint64Array(1024);
	private length = 0;
	private sorted = true;

	add(hash: string, size: number): void {
		if (this.length === this.values.length) {
			const grown = new BigUint64Array(this.values.length * 2);
			grown.set(this.values);
			this.values = grown;
		}
		this.values[this.length++] = contentKey(hash, size);
		this.sorted = false;
	}

	has(hash: string, size: number): boolean {
		if (!this.sorted) this.seal();
		const key = contentKey(hash, size);
		let lo = 0;
		let hi = this.length - 1;
		while (lo <= hi) {
			const mid = (lo + hi) >>> 1;
			const value = this.values[mid]!;
			if (value === key) return true;
			if (value < key) lo = mid + 1;
			else hi = mid - 1;
		}
		return false;
	}

	get size(): number {
		return this.length;
	}

	private seal(): void {
		this.values = this.values.slice(0, this.length).sort();
		this.sorted = true;
	}
}

export function contentKey(hash: string, size: number): bigint {
	if (hash.length > 8) return BigInt('0x' + hash.slice(0, 16));
	return (BigInt('0x' + hash) << 32n) | BigInt(size % 2 ** 32);
}
