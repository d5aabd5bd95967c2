import { createHash, type Hash } from 'node:crypto';
import type { DbRun } from './format.ts';

/**
 * A run whose scan gives, block for block, the listing its database recorded (the same
 * keys, sizes and mtimes) knows those entries are unchanged without reading them as
 * entries. Blocks of LISTING_BLOCK entries; each digest is the first 32 hex digits of the
 * SHA-256 of the block's listing lines. NUL cannot occur in a file name.
 */
export const LISTING_BLOCK = 1024;
/**
 * Per block of LISTING_BLOCK entries: the digest of its listing, where its lines start (bytes
 * from the first entry of each section), and what coverage and the rolling hint need, so a
 * run whose listing matches a block need not read it at all.
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

/** Whether a database records its blocks' facts as this version does (older ones do not, or in part). */
export function hasBlockFacts(run: DbRun): boolean {
	const listing = run.listing;
	return listing?.block === LISTING_BLOCK && listing.oldestSizes?.length === listing.digests.length && listing.oldest.length === listing.fileOffsets.length;
}

export const listingDigest = (text: string) => listingDigestOf(createHash('sha256').update(text));
/** The same, of a SHA-256 fed the block's lines piece by piece. */
export const listingDigestOf = (sha256: Hash) => sha256.digest('hex').slice(0, 32);
