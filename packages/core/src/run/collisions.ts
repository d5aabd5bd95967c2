// Hash collisions (SPEC §6): the same digest for contents of another size. With a 32-bit
// checksum this happens, and the user must know. A run notes what it writes, and looks for
// them in its finished database before the commit, so that their events are the run's.

import { openDb } from '../db/index.ts';
import type { FileEvent } from '../events/events.ts';
import { ChangedDigests, HashIndex, SharedPrefixes } from './hashindex.ts';

const CHANGED = 1;

type Seen = { key: string; size: number; hash: string };

export class CollisionWatch {
	private index = new HashIndex();
	private changedDigests = new ChangedDigests();

	/**
	 * `dense`: an index of every entry during the run (17 bytes each), for a first run, where
	 * every entry is new. Otherwise (or with a small heap, where it is built after the commit,
	 * when the threads and the run's buffers are gone) the prefixes of what changed (4 bytes
	 * each meanwhile).
	 */
	constructor(private dense: boolean) {}

	/** The entry at `ordinal` of the new database; `changed`: this run found its content. */
	written(ordinal: number, hash: string, size: number, changed: boolean): void {
		// a first run indexes every entry (unless the heap is small); later runs keep what they changed
		if (this.dense) this.index.add(hash, size, changed ? CHANGED : 0);
		else if (changed) this.changedDigests.mark(ordinal, hash);
	}

	/** Whether this run found the content of the entry at `ordinal` of the new database (new, moved, edited). */
	changedAt(ordinal: number): boolean {
		return this.dense ? (this.index.flag(ordinal) & CHANGED) !== 0 : this.changedDigests.has(ordinal);
	}

	/**
	 * The collisions of what this run changed, in the database at `dbPath`, as events found at
	 * `now()`. `also` is shown every entry if the search reads them all (true is returned then):
	 * the duplicates' search (duplicates.ts) needs no pass of its own.
	 */
	async find(dbPath: string, algorithm: string, lowMemory: boolean, now: () => number, emit: (event: FileEvent) => void, also?: (file: Seen, changed: boolean) => void): Promise<boolean> {
		const { filter, passed } = await this.filter(dbPath, lowMemory, also);
		if (!filter) return passed;
		const { wanted, changed } = filter;
		const db = await openDb(dbPath, { lowMemory });
		const groups = new Map<string, { key: string; size: number; changed: boolean }[]>();
		let ordinal = 0;
		for await (const file of db!.files()) {
			if (wanted(ordinal, file.hash)) {
				const list = groups.get(file.hash) ?? [];
				list.push({ key: file.key, size: file.size, changed: changed(ordinal) });
				groups.set(file.hash, list);
			}
			ordinal++;
		}
		const at = now();
		for (const [hash, list] of groups) {
			if (new Set(list.map((f) => f.size)).size < 2) continue;
			for (const file of list.filter((f) => f.changed)) {
				const others = list.filter((o) => o.size !== file.size).map((o) => `${o.key} (${o.size} bytes)`);
				emit({
					type: 'HashCollision',
					key: file.key,
					details: `${algorithm} ${hash} of this file (${file.size} bytes) is also the digest of ${others.join(', ')}`,
					at,
					size: file.size,
					hash,
				});
			}
		}
		return passed;
	}

	/**
	 * Which entries of the new database to look at (`wanted`), and which of them this run
	 * changed. A dense index knows already; otherwise the finished database is read once for
	 * the prefixes of what changed that are shared across sizes.
	 */
	private async filter(dbPath: string, lowMemory: boolean, also?: (file: Seen, changed: boolean) => void): Promise<{ filter?: { wanted: (ordinal: number, hash: string) => boolean; changed: (ordinal: number) => boolean }; passed: boolean }> {
		if (this.dense) {
			const candidates = this.index.collisionCandidates(CHANGED);
			if (candidates.size === 0) return { passed: false };
			return { filter: { wanted: (o) => candidates.has(o), changed: (o) => (this.index.flag(o) & CHANGED) !== 0 }, passed: false };
		}
		const marked = this.changedDigests;
		if (marked.count === 0) return { passed: false };
		const shared = new SharedPrefixes(marked);
		let ordinal = 0;
		for await (const file of (await openDb(dbPath, { lowMemory }))!.files()) {
			shared.see(file.hash, file.size);
			also?.(file, marked.has(ordinal++));
		}
		if (!shared.any) return { passed: true };
		return { filter: { wanted: (_, hash) => shared.suspect(hash), changed: (o) => marked.has(o) }, passed: true };
	}
}
