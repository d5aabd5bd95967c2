import { deflateSync } from 'node:zlib';

// The package icon, drawn here so that every size is exact and nothing binary is committed:
// two overlapping rings (A and B) on a teal rounded square. Supersampled for smooth edges.

export function drawIcon(size: number): Buffer {
	const samples = 4;
	const pixels = Buffer.alloc(size * (size * 4 + 1));
	for (let y = 0; y < size; y++) {
		const row = y * (size * 4 + 1);
		pixels[row] = 0; // filter: none
		for (let x = 0; x < size; x++) {
			let r = 0, g = 0, b = 0, a = 0;
			for (let sy = 0; sy < samples; sy++) {
				for (let sx = 0; sx < samples; sx++) {
					const u = (x + (sx + 0.5) / samples) / size;
					const v = (y + (sy + 0.5) / samples) / size;
					const [pr, pg, pb, pa] = shade(u, v);
					r += pr * pa; g += pg * pa; b += pb * pa; a += pa;
				}
			}
			const n = samples * samples;
			const o = row + 1 + x * 4;
			pixels[o] = a ? Math.round(r / a) : 0;
			pixels[o + 1] = a ? Math.round(g / a) : 0;
			pixels[o + 2] = a ? Math.round(b / a) : 0;
			pixels[o + 3] = Math.round((a / n) * 255);
		}
	}
	const header = Buffer.alloc(13);
	header.writeUInt32BE(size, 0);
	header.writeUInt32BE(size, 4);
	header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', header),
		chunk('IDAT', deflateSync(pixels, { level: 9 })),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** Colour and coverage (0 or 1) at a point of the unit square. */
function shade(u: number, v: number): [number, number, number, number] {
	const radius = 0.2;
	const dx = Math.max(Math.abs(u - 0.5) - (0.5 - radius - 0.02), 0);
	const dy = Math.max(Math.abs(v - 0.5) - (0.5 - radius - 0.02), 0);
	if (dx * dx + dy * dy > radius * radius) return [0, 0, 0, 0];
	const ring = (cx: number) => Math.abs(Math.hypot(u - cx, v - 0.5) - 0.2) < 0.055;
	if (ring(0.38) || ring(0.62)) return [255, 255, 255, 1];
	return [27, 110, 125, 1];
}

function chunk(type: string, data: Buffer): Buffer {
	const length = Buffer.alloc(4);
	length.writeUInt32BE(data.length);
	const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(body));
	return Buffer.concat([length, body, crc]);
}

function crc32(data: Buffer): number {
	let crc = 0xffffffff;
	for (const byte of data) {
		crc ^= byte;
		for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
	}
	return (crc ^ 0xffffffff) >>> 0;
}

/** Width and height from a PNG's IHDR, or undefined when it is not a PNG. */
export function pngSize(data: Buffer): { width: number; height: number } | undefined {
	if (data.length < 24 || data.readUInt32BE(0) !== 0x89504e47 || data.toString('ascii', 12, 16) !== 'IHDR') return undefined;
	return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}
