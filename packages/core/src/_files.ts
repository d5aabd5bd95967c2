import { lowMemory } from './_machine.ts';
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
 * Appends through chunks of bytes, optionally feeding every byte to a seal. `put` is
 * synchronous and encodes at once: text never waits as strings (which would outlive the
 * young generation's collections and be copied by each: a first run over 50,000 small
 * files spent a quarter of its main thread there), and a write is a whole chunk. `full`
 * says a chunk is ready to be written; `write` also flushes then.
 */
export class BufferedFile {
	private chunk: Buffer | undefined;
	private used = 0;
	/** Chunks filled and not written yet. */
	private ready: Buffer[] = [];
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
		let bytes = this.written + this.used + (this.tail?.length ?? 0);
		for (const chunk of this.ready) bytes += chunk.length;
		return bytes;
	}

	/** True once a chunk is full: worth a write. */
	get full(): boolean {
		return this.ready.length > 0;
	}

	put(data: string | Buffer): void {
		// UTF-8 takes at most 3 bytes a UTF-16 unit
		const most = typeof data === 'string' ? data.length * 3 : data.length;
		if (most === 0) return;
		if (!this.chunk || this.used + most > this.chunk.length) this.nextChunk(most);
		if (typeof data === 'string') this.used += this.chunk!.write(data, this.used);
		else this.used += data.copy(this.chunk!, this.used);
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
		this.nextChunk(0);
		for (const chunk of this.ready.splice(0)) {
			this.seal?.update(chunk);
			this.written += chunk.length;
			await this.handle.write(chunk);
		}
		if (this.tail) {
			const tail = this.tail;
			this.tail = undefined;
			this.written += tail.length;
			await this.handle.write(tail);
		}
	}

	/** What was flushed reaches the disk. */
	async sync(): Promise<void> {
		await this.handle.sync();
	}

	async close(sync = false): Promise<void> {
		await this.flush();
		if (sync) await this.sync();
		await this.handle.close();
	}

	/** The current chunk is done (if it holds anything); the next one holds at least `bytes`. */
	private nextChunk(bytes: number): void {
		if (this.chunk && this.used > 0) this.ready.push(this.chunk.subarray(0, this.used));
		this.chunk = bytes > 0 ? Buffer.allocUnsafe(Math.max(CHUNK, bytes)) : undefined;
		this.used = 0;
	}
}

/** Bytes a chunk holds: less with a small heap (a run has six such files). */
const CHUNK = lowMemory() ? 1 << 18 : 1 << 20;
