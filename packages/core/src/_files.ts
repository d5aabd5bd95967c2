import type { Hash } from 'node:crypto';
import { open, stat, type FileHandle } from 'node:fs/promises';

export async function exists(path: string): Promise<boolean> {
	try {
		await stat(path);
		return true;
	} catch {
		return false;
	}
}

/**
 * Appends through a buffer of about 64 KiB, optionally feeding every byte to a seal. `put`
 * is synchronous (text waits as strings, converted and sealed once per flush); `write` also
 * flushes when the buffer is full.
 */
export class BufferedFile {
	private parts: (string | Buffer)[] = [];
	private pending = 0;
	private written = 0;
	private tail: Buffer | undefined;

	private constructor(
		private handle: FileHandle,
		readonly seal: Hash | undefined,
	) {}

	static async create(path: string, seal?: Hash): Promise<BufferedFile> {
		return new BufferedFile(await open(path, 'w'), seal);
	}

	/** Bytes written so far, including what is still buffered. */
	get size(): number {
		let bytes = this.written;
		for (const part of this.parts) bytes += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
		return bytes + (this.tail?.length ?? 0);
	}

	/** True once the buffer holds enough to be worth a write. */
	get full(): boolean {
		return this.pending >= FLUSH_AT;
	}

	put(data: string | Buffer): void {
		this.parts.push(data);
		this.pending += data.length;
	}

	async write(data: string | Buffer): Promise<void> {
		this.put(data);
		if (this.full) await this.flush();
	}

	/** The last bytes of the file, after everything sealed (the seal itself). */
	async writeUnsealed(text: string): Promise<void> {
		await this.flush();
		this.tail = Buffer.from(text, 'utf8');
	}

	async flush(): Promise<void> {
		if (this.parts.length > 0) {
			const data = toBuffer(this.parts);
			this.parts = [];
			this.pending = 0;
			this.seal?.update(data);
			this.written += data.length;
			await this.handle.write(data);
		}
		if (this.tail) {
			const tail = this.tail;
			this.tail = undefined;
			this.written += tail.length;
			await this.handle.write(tail);
		}
	}

	async close(sync = false): Promise<void> {
		await this.flush();
		if (sync) await this.handle.sync();
		await this.handle.close();
	}
}

/**
 * Characters buffered before a write. Small on purpose: text that waits survives the young
 * generation's collections and is copied by each (a first run over 50,000 small files spent
 * a quarter of its main thread there with 1 MiB); a write of 64 KiB costs next to nothing.
 */
export const FLUSH_AT = 1 << 16;

/** One buffer from strings and buffers: each run of strings is joined and encoded once. */
function toBuffer(parts: (string | Buffer)[]): Buffer {
	const buffers: Buffer[] = [];
	let text: string[] = [];
	for (const part of parts) {
		if (typeof part === 'string') text.push(part);
		else {
			if (text.length) buffers.push(Buffer.from(text.join(''), 'utf8'));
			text = [];
			buffers.push(part);
		}
	}
	if (text.length) buffers.push(Buffer.from(text.join(''), 'utf8'));
	return buffers.length === 1 ? buffers[0]! : Buffer.concat(buffers);
}
