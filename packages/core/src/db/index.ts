// What the rest of the core uses of the database: everything else of its format stays in
// db/. (The listing line, codecs.ts, is also imported alone, by the scan: a hashing thread
// makes the lines of the folders it lists, and must not load the rest.)

export { DB_VERSION, IMPORTED_MTIME, type DbEntry, type StoredEntry } from './format.ts';
export { LISTING_BLOCK, ListingDigest, type BlockFacts, type ListedBlocks } from './listing.ts';
export { openDb, type OpenedDb } from './open.ts';
export type { DbReader } from './reader.ts';
export { DbWriter } from './writer.ts';
export { sealAfter } from './seal.ts';
