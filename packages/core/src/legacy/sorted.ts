// The original's entries come in its order (by digest, as its scan found them); M wants them
// in key order. Up to a run of them is sorted in memory; more, and each sorted run goes to a
// scratch file beside the database and the runs are merged as they are read back: an import
// of millions of entries holds one run, whatever the heap (RunHost.lowMemory).

import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importScratchName } from '../config/folder.ts';
import { parseFile } from '../db/codecs.ts';
import { readLines } from '../files/lines.ts';
import { compareKeys } from '../scan/scan.ts';

export interface Placed {
	key: string;
	size: number;
	hash: string;
}

/** Entries in one run: ~40 MB of heap; a tenth of that with a small heap. */
const RUN = 200_000;
const SMALL_RUN = 20_000;

export class SortedEntries {
	private run: Placed[] = [];
	private files: string[] = [];
	private readonly most: number;
	/** Keys the original recorded twice (under two digests): the first one is kept. */
	repeated = 0;

	constructor(
		private dir: string,
		private role: string,
		lowMemory = false,
	) {
		this.most = lowMemory ? SMALL_RUN : RUN;
	}

	get count(): number {
		return this.run.length + this.spilled;
	}
	private spilled = 0;

	async add(entry: Placed): Promise<void> {
		this.run.push(entry);
		if (this.run.length >= this.most) await this.spill();
	}

	/** Every entry in key order, each key once. */
	async *sorted(): AsyncGenerator<Placed> {
		if (this.files.length === 0) {
			yield* this.unique(sortRun(this.run));
			return;
		}
		if (this.run.length > 0) await this.spill();
		yield* this.unique(merge(this.files.map((file) => entriesOf(file))));
	}

	/** Removes the scratch files. */
	async close(): Promise<void> {
		this.run = [];
		await Promise.all(this.files.map((file) => unlink(file).catch(() => {})));
		this.files = [];
	}

	private async spill(): Promise<void> {
		const file = join(this.dir, importScratchName(this.role, this.files.length));
		this.files.push(file);
		const lines = sortRun(this.run).map((e) => JSON.stringify([e.key, e.size, e.hash]));
		this.spilled += this.run.length;
		this.run = [];
		await writeFile(file, lines.join('\n') + '\n');
	}

	private async *unique(entries: Iterable<Placed> | AsyncIterable<Placed>): AsyncGenerator<Placed> {
		let last: string | undefined;
		for await (const entry of entries) {
			if (entry.key === last) {
				this.repeated++;
				continue;
			}
			last = entry.key;
			yield entry;
		}
	}
}

/** Sorted by key; equal keys keep their order (Array.sort is stable): the first recorded first. */
const sortRun = (run: Placed[]) => run.sort((a, b) => compareKeys(a.key, b.key));

async function* entriesOf(file: string): AsyncGenerator<Placed> {
	for await (const line of readLines(file)) yield parseFile(line.text);
}

/** The runs merged in key order; of equal keys, the earlier run's first (runs are in the original's order). */
async function* merge(runs: AsyncGenerator<Placed>[]): AsyncGenerator<Placed> {
	const heads: { entry: Placed; run: number }[] = [];
	const before = (a: { entry: Placed; run: number }, b: { entry: Placed; run: number }) => {
		const order = compareKeys(a.entry.key, b.entry.key);
		return order < 0 || (order === 0 && a.run < b.run);
	};
	const push = (item: { entry: Placed; run: number }) => {
		heads.push(item);
		for (let i = heads.length - 1; i > 0; ) {
			const parent = (i - 1) >> 1;
			if (!before(heads[i]!, heads[parent]!)) break;
			[heads[i], heads[parent]] = [heads[parent]!, heads[i]!];
			i = parent;
		}
	};
	const pop = () => {
		const top = heads[0]!;
		const last = heads.pop()!;
		if (heads.length > 0) {
			heads[0] = last;
			for (let i = 0; ; ) {
				const l = 2 * i + 1;
				const r = l + 1;
				let least = i;
				if (l < heads.length && before(heads[l]!, heads[least]!)) least = l;
				if (r < heads.length && before(heads[r]!, heads[least]!)) least = r;
				if (least === i) break;
				[heads[i], heads[least]] = [heads[least]!, heads[i]!];
				i = least;
			}
		}
		return top;
	};
	try {
		for (let run = 0; run < runs.length; run++) {
			const next = await runs[run]!.next();
			if (!next.done) push({ entry: next.value, run });
		}
		while (heads.length > 0) {
			const { entry, run } = pop();
			yield entry;
			const next = await runs[run]!.next();
			if (!next.done) push({ entry: next.value, run });
		}
	} finally {
		await Promise.all(runs.map((r) => r.return(undefined)));
	}
}
