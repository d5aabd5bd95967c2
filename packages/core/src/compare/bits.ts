/** A set of ordinals (0, 1, 2…) at one bit each: a million entries take 125 KB. */
export class Bits {
	private bytes = new Uint8Array(1024);

	add(ordinal: number): void {
		const at = ordinal >>> 3;
		if (at >= this.bytes.length) {
			const grown = new Uint8Array(Math.max(at + 1, this.bytes.length * 2));
			grown.set(this.bytes);
			this.bytes = grown;
		}
		this.bytes[at] = this.bytes[at]! | (1 << (ordinal & 7));
	}

	has(ordinal: number): boolean {
		return ((this.bytes[ordinal >>> 3] ?? 0) & (1 << (ordinal & 7))) !== 0;
	}
}
