import { createHash, type Hash } from 'node:crypto';

/**
 * A run whose scan gives, block for block, the listing its database recorded (the same
 * keys, sizes and mtimes) knows those entries are unchanged without reading them as
 * entries. Blocks of LISTING_BLOCK entries; each digest is the first 32 hex digits of the
 * SHA-256 of the block's listing lines (listingLine in codecs.ts).
 */
export const LISTING_BLOCK = 1024;

/**
 * Per block of LISTING_BLOCK entries: the digest of its listing, where its lines start (bytes
 * from the first entry of each section), and what coverage and the rolling hint need, so a
 * run whose listing matches a block need not read it at all. Recorded by every database of
 * version 2 on; the facts a version 1 database may hold are not used (see upgrade).
 */
export interface ListingFacts {
	block: number;
	digests: string[];
	fileOffsets: number[];
	localOffsets: number[];
	bytes: number[];
	/** The block's least recent verification (ms since epoch)… */
	oldest: number[];
	/** …and the size of its first file (key order) verified in that second. */
	oldestSizes: number[];
}

/** Whether `facts` has every array at one length, of blocks of LISTING_BLOCK: what a database of version 2 on records. */
export function completeFacts(facts: ListingFacts | undefined, entries: number): boolean {
	if (!facts || facts.block !== LISTING_BLOCK) return false;
	const blocks = Math.ceil(entries / LISTING_BLOCK);
	return [facts.digests, facts.fileOffsets, facts.localOffsets, facts.bytes, facts.oldest, facts.oldestSizes].every((list) => Array.isArray(list) && list.length === blocks);
}

/** The digest of a block's listing lines, fed piece by piece. */
export class ListingDigest {
	private sha256: Hash = createHash('sha256');

	update(lines: string): void {
		this.sha256.update(lines);
	}

	/** The digest, as a database records it (it can be taken once). */
	hex(): string {
		return this.sha256.digest('hex').slice(0, 32);
	}
}

/** The digest of a whole block's listing lines. */
export function listingDigest(lines: string): string {
	const digest = new ListingDigest();
	digest.update(lines);
	return digest.hex();
}

/** What a database recorded of one block of its listing. */
export interface BlockFacts {
	/** Its entries: LISTING_BLOCK, fewer in the last. */
	files: number;
	bytes: number;
	/** Its least recent verification (ms since epoch), and the size of its first file (key order) verified in that second. */
	oldest: number;
	oldestSize: number;
}

/** The blocks of a database's listing, as a run reads them: which it finds again unchanged, and what they hold. */
export class ListedBlocks {
	constructor(
		private facts: ListingFacts,
		private entries: number,
	) {}

	get count(): number {
		return this.facts.digests.length;
	}

	/** Block `b`'s entries: LISTING_BLOCK, fewer in the last, none (or less) past it. */
	filesIn(b: number): number {
		return Math.min(LISTING_BLOCK, this.entries - b * LISTING_BLOCK);
	}

	/** Block `b`'s facts. */
	block(b: number): BlockFacts {
		const facts = this.facts;
		return { files: this.filesIn(b), bytes: facts.bytes[b]!, oldest: facts.oldest[b]!, oldestSize: facts.oldestSizes[b]! };
	}

	/** Whether `digest`, fed a listing's lines, is block `b`'s. */
	matches(b: number, digest: ListingDigest): boolean {
		return digest.hex() === this.facts.digests[b];
	}
}
