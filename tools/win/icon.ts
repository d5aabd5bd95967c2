// The program icon, drawn at build time so no binary sits in git: a teal rounded square
// with a white "=" (the balance between A and B). Written as a classic .ico of 32-bit
// BMP images, which every Windows version, NSIS and resedit read.

const SIZES = [16, 24, 32, 48, 64, 256];
const TEAL = [0x1b, 0x7f, 0x79]; // RGB
const WHITE = [0xff, 0xff, 0xff];

export function makeIcon(): Buffer {
	const images = SIZES.map(bmpImage);
	const header = Buffer.alloc(6 + 16 * images.length);
	header.writeUInt16LE(0, 0);
	header.writeUInt16LE(1, 2); // 1 = icon
	header.writeUInt16LE(images.length, 4);
	let offset = header.length;
	images.forEach((image, i) => {
		const size = SIZES[i]!;
		const at = 6 + 16 * i;
		header.writeUInt8(size >= 256 ? 0 : size, at); // 0 means 256
		header.writeUInt8(size >= 256 ? 0 : size, at + 1);
		header.writeUInt16LE(1, at + 4); // planes
		header.writeUInt16LE(32, at + 6); // bits per pixel
		header.writeUInt32LE(image.length, at + 8);
		header.writeUInt32LE(offset, at + 12);
		offset += image.length;
	});
	return Buffer.concat([header, ...images]);
}

/** A BITMAPINFOHEADER image, bottom-up BGRA, followed by the (unused, all-opaque) AND mask. */
function bmpImage(size: number): Buffer {
	const maskRow = Math.ceil(size / 32) * 4;
	const out = Buffer.alloc(40 + size * size * 4 + maskRow * size);
	out.writeUInt32LE(40, 0);
	out.writeInt32LE(size, 4);
	out.writeInt32LE(size * 2, 8); // colour + mask heights, as .ico wants
	out.writeUInt16LE(1, 12);
	out.writeUInt16LE(32, 14);
	for (let y = 0; y < size; y++) {
		for (let x = 0; x < size; x++) {
			const [rgb, alpha] = pixel(x, y, size);
			const at = 40 + ((size - 1 - y) * size + x) * 4;
			out[at] = rgb[2]!;
			out[at + 1] = rgb[1]!;
			out[at + 2] = rgb[0]!;
			out[at + 3] = alpha;
		}
	}
	return out;
}

/** 4×4 supersampling gives soft edges at every size. */
function pixel(x: number, y: number, size: number): [number[], number] {
	let inside = 0;
	let bar = 0;
	for (let sy = 0; sy < 4; sy++) {
		for (let sx = 0; sx < 4; sx++) {
			const u = (x + (sx + 0.5) / 4) / size;
			const v = (y + (sy + 0.5) / 4) / size;
			if (!inRoundedSquare(u, v)) continue;
			inside++;
			if (inBars(u, v)) bar++;
		}
	}
	if (inside === 0) return [TEAL, 0];
	const t = bar / inside;
	const rgb = TEAL.map((c, i) => Math.round(c + (WHITE[i]! - c) * t));
	return [rgb, Math.round((inside / 16) * 255)];
}

function inRoundedSquare(u: number, v: number): boolean {
	const r = 0.2;
	const m = 0.04;
	const cx = Math.min(Math.max(u, m + r), 1 - m - r);
	const cy = Math.min(Math.max(v, m + r), 1 - m - r);
	return (u - cx) ** 2 + (v - cy) ** 2 <= r * r && u >= m && u <= 1 - m && v >= m && v <= 1 - m;
}

function inBars(u: number, v: number): boolean {
	const across = u >= 0.24 && u <= 0.76;
	return across && ((v >= 0.3 && v <= 0.43) || (v >= 0.57 && v <= 0.7));
}
