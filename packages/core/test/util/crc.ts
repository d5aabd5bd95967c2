// Test files made to share a crc32 (a 32-bit checksum collides: the run must say so).

/** Four bytes appended to `data` that make its crc32 equal `target` (CRC is linear). */
export function forceCrc(data: Uint8Array, target: number): Uint8Array {
	const table = new Uint32Array(256).map((_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (bytes: Uint8Array) => {
		let c = 0xffffffff;
		for (const b of bytes) c = table[(c ^ b) & 0xff]! ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	// Walk the register backwards from the target through four unknown bytes.
	const top = new Map<number, number>();
	table.forEach((v, i) => top.set(v >>> 24, i));
	let reg = (target ^ 0xffffffff) >>> 0;
	const idx: number[] = [];
	for (let k = 0; k < 4; k++) {
		const i = top.get(reg >>> 24)!;
		idx.unshift(i);
		reg = (((reg ^ table[i]!) << 8) | i) >>> 0;
	}
	let state = (crc(data) ^ 0xffffffff) >>> 0;
	const tail = new Uint8Array(4);
	for (let k = 0; k < 4; k++) {
		tail[k] = (idx[k]! ^ state) & 0xff;
		state = table[idx[k]!]! ^ (state >>> 8);
	}
	const out = new Uint8Array(data.length + 4);
	out.set(data);
	out.set(tail, data.length);
	if (crc(out) !== target) throw new Error('forcing the crc failed');
	return out;
}
