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

/** Appends through a 1 MiB buffer, optionally feeding every byte to a seal. */
export class BufferedFile {
	private parts: Buffer[] = [];
	private buffered = 0;
	size = 0;

	private constructor(
		private handle: FileHandle,
		readonly seal: Hash | undefined,
	) {}

	static async create(path: string, seal?: Hash): Promise<BufferedFile> {
		return new BufferedFile(await open(path, 'w'), seal);
	}

	async write(text: string): Promise<void> {
		const data = Buffer.from(text, 'utf8');
		this.seal?.update(data);
		this.push(data);
		if (this.buffered >= 1 << 20) await this.flush();
	}

	async writeUnsealed(text: string): Promise<void> {
		this.push(Buffer.from(text, 'utf8'));
	}

	private push(data: Buffer) {
		this.parts.push(data);
		this.buffered += data.length;
		this.size += data.length;
	}

	async flush(): Promise<void> {
		if (this.buffered === 0) return;
		const data = Buffer.concat(this.parts, this.buffered);
		this.parts = [];
		this.buffered = 0;
		await this.handle.write(data);
	}

	async close(sync = false): Promise<void> {
		await this.flush();
		if (sync) await this.handle.sync();
		await this.handle.close();
	}
}
