// Duplicates (SPEC §6, the original's DuplicateFile): a new file whose content, hash and size,
// another monitored file already holds. Told once, when the copy appears, naming the files it
// copies; informational, it changes no exit code. As in the original, a first run (where every
// file is new) tells none, nor two files new in the same run: what is new is compared with
// what the run found unchanged. Empty files are left out: every one would name all the others.
//
// Memory: 4 bytes a new file (its digest's first 32 bits) while the database is read once,
// then the few unchanged files that share such a prefix; the new files themselves are read
// back from the moves' scratch file, not held.

import { openDb } from '../db/index.ts';
import { duplicateEvent, type FileEvent } from '../events/events.ts';
import { hex32 } from './hashindex.ts';
import { indexIn, uniqueSorted } from './sorted.ts';

/** Files named in an event's details; the rest are counted. */
const NAMED = 5;

interface File {
	key: string;
	size: number;
	hash: string;
}

export class DuplicateWatch {
	private prefixes = new Uint32Array(256);
	private count = 0;
	private sorted: Uint32Array | undefined;
	/** Unchanged files by `hash:size`, for the digests of new files: the first few names, and how many more. */
	private originals = new Map<string, { names: string[]; more: number }>();

	/** A file this run found new (not moved). */
	noteNew(hash: string, size: number): void {
		if (size === 0) return;
		if (this.count === this.prefixes.length) {
			const grown = new Uint32Array(this.count * 2);
			grown.set(this.prefixes);
			this.prefixes = grown;
		}
		this.prefixes[this.count++] = hex32(hash, 0);
	}

	get any(): boolean {
		return this.count > 0;
	}

	/** An entry of the new database; `changed`: this run found its content (new, moved, edited). */
	see(file: File, changed: boolean): void {
		if (changed || file.size === 0) return;
		this.sorted ??= uniqueSorted(this.prefixes.subarray(0, this.count));
		if (indexIn(this.sorted, hex32(file.hash, 0)) < 0) return;
		const id = `${file.hash}:${file.size}`;
		const original = this.originals.get(id);
		if (!original) this.originals.set(id, { names: [file.key], more: 0 });
		else if (original.names.length < NAMED) original.names.push(file.key);
		else original.more++;
	}

	/**
	 * The duplicates among `newFiles` (the run's new files, in key order), as events. The
	 * database at `dbPath` is read first unless a pass (the collisions' search) already showed
	 * every entry to `see`; `changed(ordinal)` says which entries this run found.
	 */
	async find(newFiles: AsyncIterable<File>, pass: { dbPath: string; lowMemory: boolean; changed: (ordinal: number) => boolean } | undefined, now: () => number, emit: (event: FileEvent) => void): Promise<void> {
		if (!this.any) return;
		if (pass) {
			let ordinal = 0;
			for await (const file of (await openDb(pass.dbPath, { lowMemory: pass.lowMemory }))!.files()) this.see(file, pass.changed(ordinal++));
		}
		if (this.originals.size === 0) return;
		const at = now();
		for await (const file of newFiles) {
			const original = file.size > 0 ? this.originals.get(`${file.hash}:${file.size}`) : undefined;
			if (original) emit(duplicateEvent(file.key, original.names, original.more, at, file.size, file.hash));
		}
	}
}
