// Skipping what did not change: a run with a database compares its listing with the
// database's, a block of LISTING_BLOCK files at a time (the digest of their keys, sizes and
// mtimes, see ListingFacts). A block that matches is neither read from the database nor
// compared entry by entry; at the first difference, the files held are given back to the
// entry-by-entry merge. The files are held as runs (see FolderRun), not as items: a block
// that matches never makes any.

import { ListingDigest, type BlockFacts, type ListedBlocks } from '../db/index.ts';
import { fromStats, statListed, type FolderRun, type ListedItem, type ScanItem } from '../scan/scan.ts';
import { report, type RunState } from './state.ts';

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

/**
 * Whether this run may skip stretches of its listing that match the database's, block by
 * block: the writer still holds nothing but old entries, nothing is resumed, files are not
 * all to be hashed anyway, and the database records its blocks.
 */
export function maySkip(run: RunState): ListedBlocks | undefined {
	const blocks = run.previous?.blocks;
	if (!blocks || !run.writer.onlyIdentical || run.resume || !run.sameAlgorithm || run.config.verify.mode === 'full') return undefined;
	return blocks;
}

/** Skipping stopped: what is given back to the merge, from where. */
export type SkipStep = GivenBack | { block: number; files: number; given: GivenBack; resume: number } | undefined;

/**
 * Adds a run of files (from item `at`) to the current block of the listing; each full block
 * whose digest is the database's is skipped: its entries are counted (coverage, hash index,
 * progress) without being read as entries or compared one by one. A block that matches but
 * may hold files to verify again is returned, to be compared entry by entry alone, with
 * where the run goes on. At the first difference, returns what is not skipped, for the
 * entry-by-entry merge.
 */
export async function skipUnchanged(run: RunState, skip: ListingSkip, folder: FolderRun, at = 0): Promise<SkipStep> {
	// a folder listed without lstat (a thread died): its files are stat'ed one by one by the merge
	if (!folder.stats) return skip.giveBack(folder, at);
	const rolling = run.rolling;
	for (let i = at; i < folder.length; ) {
		// the scan already has more files than the database
		if (skip.room <= 0) return skip.giveBack(folder, i);
		let to = i;
		let bytes = 0;
		while (to < folder.length && to - i < skip.room && folder.isStatedFile(to)) bytes += folder.stats.values[to++ * 3]!;
		if (to > i) skip.add(folder, i, to, bytes);
		i = to;
		// a problem, or a file gone since the listing: compare entry by entry from here
		if (i < folder.length && skip.room > 0) return skip.giveBack(folder, i);
		if (skip.room > 0) continue;
		if (!skip.matches()) return skip.giveBack(folder, i);
		const facts = skip.facts;
		const files = skip.held;
		// files past the N days (coverage counts them apart) or that rolling verification may
		// pick: this block is compared entry by entry
		if (rolling && (!rolling.coverage.isRecent(facts.oldest) || rolling.mayBeDue(facts.oldest))) return { block: skip.blocksSkipped, files, given: skip.takeBlock(), resume: i };
		const lastKey = skip.lastKey;
		rolling?.coverage.addBlock(files, facts.bytes, facts.oldest, facts.oldestSize);
		run.position += files;
		run.skipped += files;
		await run.writer.keepBlock(skip.blocksSkipped, files, lastKey);
		run.progress.files += files;
		run.progress.bytes += skip.bytes;
		report(run, lastKey);
		skip.next();
	}
	return undefined;
}
