// Skipping what did not change: a run with a database compares its listing with the
// database's, a block of LISTING_BLOCK files at a time (the digest of their keys, sizes and
// mtimes, see ListingFacts). A block that matches is neither read from the database nor
// compared entry by entry; at the first difference, the files held are given back to the
// entry-by-entry merge. The files are held as runs (see FolderRun), not as items: a block
// that matches never makes any.

import { ListingDigest, type BlockFacts, type ListedBlocks } from '../db/index.ts';
import { describe, statListed, type FolderRun, type ListedFile, type ListedItem, type ScanItem } from '../scan/scan.ts';
import type { FolderStats } from '../scan/folder.ts';

/** What a block held, given back to the merge: items, and their scan items (lstat'ed already). */
export interface GivenBack {
	batch: ListedItem[];
	resolved: (ScanItem | undefined)[];
}

/** The current block of a listing being compared with the database's. */
export class ListingSkip {
	/** The block's files so far: runs and the part of each. */
	private parts: { run: FolderRun; from: number; to: number }[] = [];
	private files = 0;
	bytes = 0;
	private digest = new ListingDigest();
	private block = 0;

	constructor(private blocks: ListedBlocks) {}

	/** Files the current block still needs (0 or less: the scan has more files than the database). */
	get room(): number {
		return this.blocks.filesIn(this.block) - this.files;
	}

	get held(): number {
		return this.files;
	}

	/** Items from..to of a run, all stat'ed regular files, whose sizes add up to `bytes`. */
	add(run: FolderRun, from: number, to: number, bytes: number): void {
		this.parts.push({ run, from, to });
		this.files += to - from;
		this.bytes += bytes;
		// a folder listed with its files' lstat comes with their listing lines too (folderLines)
		const text = run.lines(from, to);
		if (text === undefined) throw new Error('a folder listed with lstat but without its lines');
		this.digest.update(text);
	}

	matches(): boolean {
		return this.blocks.matches(this.block, this.digest);
	}

	/** What the database recorded of the current block. */
	get facts(): BlockFacts {
		return this.blocks.block(this.block);
	}

	get blocksSkipped(): number {
		return this.block;
	}

	/** The last file held: its key. */
	get lastKey(): string {
		const last = this.parts[this.parts.length - 1]!;
		return last.run.keyOf(last.to - 1);
	}

	next(): void {
		this.block++;
		this.clear();
	}

	/** The current block's files, whole and matching, for the merge; the next block starts. */
	takeBlock(): GivenBack {
		const block = this.giveBack();
		this.block++;
		return block;
	}

	/** The files held, then items `from` on of `rest` (resolved from its stats), for the merge. */
	giveBack(rest?: FolderRun, from = 0): GivenBack {
		const batch: ListedItem[] = [];
		const resolved: (ScanItem | undefined)[] = [];
		for (const { run, from, to } of this.parts) {
			const values = run.stats!.values;
			for (let i = from; i < to; i++) {
				const listed = run.batch[i]!;
				batch.push(listed);
				resolved.push({ kind: 'file', key: listed.key, path: listed.path, size: values[i * 3]!, mtimeMs: values[i * 3 + 1]! });
			}
		}
		if (rest) {
			for (let i = from; i < rest.length; i++) {
				const listed = rest.batch[i]!;
				batch.push(listed);
				resolved.push(listed.kind !== 'listed' ? listed : rest.stats ? fromStats(listed, rest.stats, i) : statListed(listed));
			}
		}
		this.clear();
		return { batch, resolved };
	}

	private clear(): void {
		this.parts = [];
		this.files = 0;
		this.bytes = 0;
		this.digest = new ListingDigest();
	}
}

/** The scan item for a listed file from its folder's lstat (as statListed would have made it). */
export function fromStats(listed: ListedFile, stats: FolderStats, i: number): ScanItem | undefined {
	const kind = stats.values[i * 3 + 2];
	if (kind === 1) return { kind: 'file', key: listed.key, path: listed.path, size: stats.values[i * 3]!, mtimeMs: stats.values[i * 3 + 1]! };
	const error = stats.errors[i];
	if (kind !== -1 || !error) return undefined;
	return { kind: 'unreadable', key: listed.key, path: listed.path, reason: describe(Object.assign(new Error(error[1]), { code: error[0] })) };
}
