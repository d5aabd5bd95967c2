// A minimal ustar writer and reader: enough for an SPK (short names, files and folders) and
// deterministic (fixed owner, mtime and order), so the build needs neither GNU tar nor
// Synology's toolkit, and the validator can see every member's mode.

export interface TarEntry {
	name: string;
	mode: number;
	/** Undefined for a folder. */
	data?: Buffer;
	type?: 'file' | 'dir';
}

const BLOCK = 512;

export function writeTar(entries: TarEntry[], mtime: number): Buffer {
	const parts: Buffer[] = [];
	for (const entry of entries) {
		const dir = entry.data === undefined;
		const name = dir && !entry.name.endsWith('/') ? entry.name + '/' : entry.name;
		if (Buffer.byteLength(name) > 100) throw new Error(`tar: name too long for ustar: ${name}`);
		const header = Buffer.alloc(BLOCK);
		header.write(name, 0, 100, 'utf8');
		octal(header, 100, 8, entry.mode);
		octal(header, 108, 8, 0);
		octal(header, 116, 8, 0);
		octal(header, 124, 12, dir ? 0 : entry.data!.length);
		octal(header, 136, 12, mtime);
		header.write('        ', 148, 8, 'ascii');
		header.write(dir ? '5' : '0', 156, 1, 'ascii');
		header.write('ustar\u000000', 257, 8, 'ascii');
		header.write('root', 265, 32, 'ascii');
		header.write('root', 297, 32, 'ascii');
		let sum = 0;
		for (const byte of header) sum += byte;
		header.write(sum.toString(8).padStart(6, '0') + '\u0000 ', 148, 8, 'ascii');
		parts.push(header);
		if (!dir) {
			parts.push(entry.data!);
			const pad = (BLOCK - (entry.data!.length % BLOCK)) % BLOCK;
			if (pad) parts.push(Buffer.alloc(pad));
		}
	}
	parts.push(Buffer.alloc(BLOCK * 2));
	return Buffer.concat(parts);
}

export interface ReadEntry {
	name: string;
	mode: number;
	type: string;
	data: Buffer;
}

/** Throws when the buffer is not a valid tar (bad magic or checksum). */
export function readTar(buffer: Buffer): ReadEntry[] {
	const out: ReadEntry[] = [];
	let at = 0;
	while (at + BLOCK <= buffer.length) {
		const header = buffer.subarray(at, at + BLOCK);
		if (header.every((b) => b === 0)) break;
		if (header.toString('ascii', 257, 262) !== 'ustar') throw new Error(`not a tar archive (no ustar header at byte ${at})`);
		const stored = parseInt(header.toString('ascii', 148, 156).replace(/\0.*$/, '').trim(), 8);
		let sum = 0;
		for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
		if (sum !== stored) throw new Error(`tar header checksum mismatch at byte ${at}`);
		const field = (start: number, length: number) => header.toString('utf8', start, start + length).replace(/\0.*$/s, '');
		const prefix = field(345, 155);
		const name = (prefix ? prefix + '/' : '') + field(0, 100);
		const size = parseInt(field(124, 12).trim() || '0', 8);
		const type = field(156, 1) || '0';
		const data = buffer.subarray(at + BLOCK, at + BLOCK + size);
		out.push({ name, mode: parseInt(field(100, 8).trim() || '0', 8), type, data: Buffer.from(data) });
		at += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
	}
	return out;
}

function octal(header: Buffer, offset: number, length: number, value: number): void {
	header.write(value.toString(8).padStart(length - 1, '0') + '\u0000', offset, length, 'ascii');
}
