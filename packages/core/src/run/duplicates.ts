// Duplicates (SPEC §6, the original's DuplicateFile): a new file whose content, hash and size,
// another monitored file already holds. Told once, when the copy appears, naming the files it
// copies; informational, it changes no exit code. As in the original, a first run (where every
// file is new) tells none, nor two files new in the same run: what is new is compared with
// what was already monitored. Empty files are left out: every one would name all the others.

import { openDb } from '../db/index.ts';
import { duplicateEvent, type FileEvent } from '../events/events.ts';

/** Files named in an event's details; the rest are counted. */
const NAMED = 5;

interface NewFile {
	key: string;
	size: number;
	hash: string;
	others: string[];
	more: number;
}

export class DuplicateWatch {
	/** The run's new files by `hash:size`: what changed, not every file. */
	private fresh = new Map<string, NewFile[]>();
	private newKeys = new Set<string>();
	/** Their digests alone: most entries seen are ruled out without a key made for them. */
	private hashes = new Set<string>();

	/** A file this run found new (not moved). */
	noteNew(event: FileEvent): void {
		if (event.hash === undefined || !event.size) return;
		const id = `${event.hash}:${event.size}`;
		const list = this.fresh.get(id) ?? [];
		list.push({ key: event.key, size: event.size, hash: event.hash, others: [], more: 0 });
		this.fresh.set(id, list);
		this.newKeys.add(event.key);
		this.hashes.add(event.hash);
	}

	get any(): boolean {
		return this.fresh.size > 0;
	}

	/** An entry of the new database: the new files with its content (other than itself) note it. */
	see(file: { key: string; size: number; hash: string }): void {
		if (!this.hashes.has(file.hash)) return;
		const list = this.fresh.get(`${file.hash}:${file.size}`);
		if (!list || this.newKeys.has(file.key)) return;
		for (const copy of list) {
			if (copy.others.length < NAMED) copy.others.push(file.key);
			else copy.more++;
		}
	}

	/** Every entry of the database at `dbPath` seen (unless a pass already showed them), the duplicates as events. */
	async find(dbPath: string | undefined, lowMemory: boolean, now: () => number, emit: (event: FileEvent) => void): Promise<void> {
		if (!this.any) return;
		if (dbPath !== undefined) for await (const file of (await openDb(dbPath, { lowMemory }))!.files()) this.see(file);
		const at = now();
		const copies = [...this.fresh.values()].flat().filter((c) => c.others.length > 0);
		copies.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
		for (const c of copies) emit(duplicateEvent(c.key, c.others, c.more, at, c.size, c.hash));
	}
}
