// Moves (SPEC §6): a new path whose content and size a vanished one had is a move, not a new
// file and a removal. A run with a database writes what it found new and what it lost to two
// scratch files as it merges, and pairs them once every file is settled: only the vanished
// entries are held in memory (what the run lost).

import { unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Role } from '../config/config.ts';
import { scratchFileName } from '../config/folder.ts';
import { movedEvent, type FileEvent } from '../events/events.ts';
import { BufferedFile } from '../files/buffered.ts';
import { readLines } from '../files/lines.ts';
import { compareKeys } from '../scan/scan.ts';

interface Candidate {
	key: string;
	size: number;
	hash: string;
}

export class MoveCandidates {
	/** The new keys of the moves paired (what settle found was no new file). */
	private movedTo = new Set<string>();

	private constructor(
		private dir: string,
		private role: Role,
		private found: BufferedFile,
		private lost: BufferedFile,
	) {}

	/** `lowMemory`: see RunHost. */
	static async create(dir: string, role: Role, lowMemory: boolean): Promise<MoveCandidates> {
		const found = await BufferedFile.create(join(dir, scratchFileName(role, 'new')), undefined, lowMemory);
		const lost = await BufferedFile.create(join(dir, scratchFileName(role, 'gone')), undefined, lowMemory);
		return new MoveCandidates(dir, role, found, lost);
	}

	/** A file this run found that the database did not hold. */
	putFound(entry: Candidate): void {
		this.found.put(line(entry));
	}

	/** An entry of the database whose file this run did not find. */
	putLost(entry: Candidate): void {
		this.lost.put(line(entry));
	}

	/** What is buffered goes out once there is enough of it. */
	async drain(): Promise<void> {
		await this.found.writeFull();
		await this.lost.writeFull();
	}

	/**
	 * Every file settled: the moves, the new files and the removals, as events (found at
	 * `now()`). A lost entry whose file `leftOut` says is still there is no removal and pairs
	 * with no move: it is counted, and the count returned (see leftout.ts).
	 */
	async settle(now: () => number, emit: (event: FileEvent) => void, leftOut?: (key: string) => boolean): Promise<number> {
		await this.found.close();
		await this.lost.close();
		const gone = new Map<string, Candidate[]>();
		let left = 0;
		// an empty scratch file is not read back (most runs add and lose nothing)
		if (this.lost.size > 0) for await (const c of candidates(this.path('gone'))) {
			if (leftOut?.(c.key)) {
				left++;
				continue;
			}
			const id = `${c.hash}:${c.size}`;
			gone.set(id, [...(gone.get(id) ?? []), c]);
		}
		const at = now();
		if (this.found.size > 0) for await (const c of candidates(this.path('new'))) {
			const list = gone.get(`${c.hash}:${c.size}`);
			if (list && list.length > 0) {
				// among several vanished twins, the one with the same name is the likeliest origin
				const name = basename(c.key);
				const twin = Math.max(0, list.findIndex((g) => basename(g.key) === name));
				const [from] = list.splice(twin, 1);
				this.movedTo.add(c.key);
				emit(movedEvent(c.key, from!.key, at, c.size, c.hash));
			} else {
				emit({ type: 'NewFile', key: c.key, at, size: c.size, hash: c.hash });
			}
		}
		const removed = [...gone.values()].flat().sort((a, b) => compareKeys(a.key, b.key));
		for (const c of removed) emit({ type: 'FileNotFound', key: c.key, at, size: c.size, hash: c.hash });
		return left;
	}

	/** After `settle`: the files found that were new (not moved), read back in key order. */
	async *newFiles(): AsyncGenerator<Candidate> {
		if (this.found.size === 0) return;
		for await (const c of candidates(this.path('new'))) if (!this.movedTo.has(c.key)) yield c;
	}

	/** Closed, if they were not yet. */
	async close(): Promise<void> {
		await this.found.close().catch(() => {});
		await this.lost.close().catch(() => {});
	}

	private path(what: 'new' | 'gone'): string {
		return join(this.dir, scratchFileName(this.role, what));
	}
}

/** The scratch files removed: this run's, or any a killed run left behind. */
export async function removeScratch(dir: string, role: Role): Promise<void> {
	await unlink(join(dir, scratchFileName(role, 'new'))).catch(() => {});
	await unlink(join(dir, scratchFileName(role, 'gone'))).catch(() => {});
}

const line = (entry: Candidate) => JSON.stringify([entry.key, entry.size, entry.hash]) + '\n';

async function* candidates(path: string): AsyncGenerator<Candidate> {
	for await (const line of readLines(path)) {
		if (line.text === '') continue;
		const [key, size, hash] = JSON.parse(line.text) as [string, number, string];
		yield { key, size, hash };
	}
}
