import { open, stat, type FileHandle } from 'node:fs/promises';

export async function exists(path: string): Promise<boolean> {
	try {
		await stat(path);
		return true;
	} catch {
		return false;
	}
}

/** What a BufferedFile feeds its bytes to (a seal, a hash). */
export interface Sealing {
	update(data: Uint8Array): unknown;
}

/**
 * Appends through chunks of bytes, optionally feeding every byte to a seal. `put` is
 * synchronous and encodes text a few lines at a time: text never waits long as strings
 * (which would outlive the young generation's collections and be copied by each: a first
 * run over 50,000 small files spent a quarter of its main thread there with 1 MiB of
 * strings a file), and a write is a whole chunk. `full`
 * says a chunk is ready to be written; `write` also flushes then.
 */
export class BufferedFile<S extends Sealing = Sealing> {
	private chunk: Buffer | undefined;
	private used = 0;
	private text: string[] = [];
	private textLength = 0;
	/** Chunks filled and not written yet. */
	private ready: Buffer[] = [];
	/** A chunk written already, to fill again. */
	private spare: Buffer | undefined;
	private written = 0;
	private tail: Buffer | undefined;
	/** The chunk being written, if any. */
	private writing: Promise<void> | undefined;

	/** Bytes a chunk holds; with a small heap, less, and each write is waited for (see writeFull). */
	private chunkSize: number;

	private constructor(
		private handle: FileHandle,
		readonly seal: S | undefined,
		private lowMemory: boolean,
	) {
		this.chunkSize = lowMemory ? SMALL_CHUNK : CHUNK;
	}

	/** `lowMemory`: the process runs with a small heap (RunHost.lowMemory); a run writes six such files. */
	static async create<S extends Sealing = Sealing>(path: string, seal?: S, lowMemory = false): Promise<BufferedFile<S>> {
		return new BufferedFile(await open(path, 'w'), seal, lowMemory);
	}

	/** Bytes written so far, including what is still buffered. */
	get size(): number {
		this.encode();
		let bytes = this.written + this.used + (this.tail?.length ?? 0);
		for (const chunk of this.ready) bytes += chunk.length;
		return bytes;
	}

	/** True once a chunk is full: worth a write. */
	get full(): boolean {
		return this.ready.length > 0;
	}

	put(data: string | Buffer): void {
		if (typeof data === 'string') {
			// a few lines at a time: one encoding call a line costs more than the line
			this.text.push(data);
			this.textLength += data.length;
			if (this.textLength >= TEXT_AT) this.encode();
		} else {
			this.encode();
			this.reserve(data.length);
			this.used += data.copy(this.chunk!, this.used);
		}
	}

	/** The text waiting, into the chunk. */
	private encode(): void {
		if (this.textLength === 0) return;
		const text = this.text.length === 1 ? this.text[0]! : this.text.join('');
		this.text = [];
		this.textLength = 0;
		// UTF-8 takes at most 3 bytes a UTF-16 unit
		this.reserve(text.length * 3);
		this.used += this.chunk!.write(text, this.used);
	}

	private reserve(bytes: number): void {
		if (bytes > 0 && (!this.chunk || this.used + bytes > this.chunk.length)) this.nextChunk(bytes);
	}

	async write(data: string | Buffer): Promise<void> {
		this.put(data);
		if (this.full) await this.flush();
	}

	/**
	 * The full chunks go to the disk, the last of them still being written when this returns:
	 * the caller fills the next chunk meanwhile instead of waiting for the disk (a first run
	 * over 50,000 small files waited ~90 ms so). flush() waits for every write. With a small
	 * heap the write is waited for: a chunk in flight is one more chunk a file (six files).
	 */
	async writeFull(): Promise<void> {
		if (!this.full) return;
		await this.send();
		if (this.lowMemory) await this.writing;
	}

	/** The last bytes of the file, after everything sealed (the seal itself). */
	async writeUnsealed(text: string): Promise<void> {
		await this.flush();
		this.tail = Buffer.from(text, 'utf8');
	}

	async flush(): Promise<void> {
		this.encode();
		this.nextChunk(0);
		await this.send();
		await this.writing;
		if (this.tail) {
			const tail = this.tail;
			this.tail = undefined;
			this.written += tail.length;
			await this.handle.write(tail);
		}
	}

	/** The ready chunks, in order, one write in flight at a time (a failed one throws here or in flush). */
	private async send(): Promise<void> {
		for (const chunk of this.ready.splice(0)) {
			this.seal?.update(chunk);
			this.written += chunk.length;
			await this.writing;
			this.writing = this.writeChunk(chunk);
			this.writing.catch(() => {}); // awaited by the next send or flush
		}
	}

	private async writeChunk(chunk: Buffer): Promise<void> {
		await this.handle.write(chunk);
		// written: its memory takes the next chunk (a new one each time would wait for the
		// garbage collector outside the heap, tens of MB in a run over a million files)
		if (chunk.buffer.byteLength === this.chunkSize) this.spare = Buffer.from(chunk.buffer, chunk.byteOffset, this.chunkSize);
	}

	/** What was flushed reaches the disk. */
	async sync(): Promise<void> {
		await this.handle.sync();
	}

	/** Closes without writing what is buffered: the file is about to be removed. */
	async discard(): Promise<void> {
		await this.writing?.catch(() => {});
		await this.handle.close();
	}

	async close(sync = false): Promise<void> {
		await this.flush();
		if (sync) await this.sync();
		await this.handle.close();
	}

	/** The current chunk is done (if it holds anything); the next one holds at least `bytes`. */
	private nextChunk(bytes: number): void {
		if (this.chunk && this.used > 0) this.ready.push(this.chunk.subarray(0, this.used));
		if (bytes <= 0) this.chunk = undefined;
		else if (bytes <= this.chunkSize && this.spare) [this.chunk, this.spare] = [this.spare, undefined];
		else this.chunk = Buffer.allocUnsafeSlow(Math.max(this.chunkSize, bytes));
		this.used = 0;
	}
}

/** UTF-16 units of text that wait as strings: a few hundred lines, which die young. */
const TEXT_AT = 1 << 14;
/** Bytes a chunk holds: less with a small heap. */
const CHUNK = 1 << 20;
const SMALL_CHUNK = 1 << 18;
