// The database's seal (seal.ts): version 2 is the SHA3-512 of the SHA-256 of each MiB,
// computed here independently, whatever pieces the bytes are fed in; version 1 is SHA3-512
// over every byte.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash, randomBytes } from 'node:crypto';
import { SEAL_PIECE, sealFor } from '../src/db/seal.ts';

const pieces = suite('the seal of a database');

/** The definition, spelled out: split into SEAL_PIECE bytes, SHA-256 each, SHA3-512 of the digests. */
function expected(bytes: Buffer): string {
	const outer = createHash('sha3-512');
	for (let at = 0; at < bytes.length; at += SEAL_PIECE) outer.update(createHash('sha256').update(bytes.subarray(at, at + SEAL_PIECE)).digest());
	return outer.digest('hex');
}

/** Feeds `bytes` in pieces of random sizes (some across a MiB boundary, some empty). */
function fed(bytes: Buffer, version = 2): string {
	const seal = sealFor(version);
	for (let at = 0; at < bytes.length; ) {
		const n = Math.min(bytes.length - at, Math.floor(Math.random() * 3 * SEAL_PIECE) >> Math.floor(Math.random() * 12));
		seal.update(bytes.subarray(at, at + n));
		at += n;
	}
	return seal.digest();
}

const sizes = [0, 1, 1000, SEAL_PIECE - 1, SEAL_PIECE, SEAL_PIECE + 1, 2 * SEAL_PIECE, Math.floor(2.5 * SEAL_PIECE)];

pieces('version 2: the SHA3-512 of the SHA-256 of each MiB, whatever sizes the bytes come in', () => {
	for (const size of sizes) {
		const bytes = randomBytes(size);
		const want = expected(bytes);
		assert.is(fed(bytes), want, `${size} bytes`);
		assert.is(fed(bytes), want, `${size} bytes, fed differently`);
		assert.match(want, /^[0-9a-f]{128}$/);
	}
});

pieces('version 1: SHA3-512 over every byte', () => {
	const bytes = randomBytes(SEAL_PIECE + 77);
	assert.is(fed(bytes, 1), createHash('sha3-512').update(bytes).digest('hex'));
});

pieces('any one byte changed, anywhere, changes the seal', () => {
	const bytes = randomBytes(2 * SEAL_PIECE + 10);
	const seal = expected(bytes);
	for (const at of [0, SEAL_PIECE - 1, SEAL_PIECE, 2 * SEAL_PIECE + 9]) {
		const changed = Buffer.from(bytes);
		changed[at] = changed[at]! ^ 1;
		assert.is.not(fed(changed), seal, `byte ${at}`);
	}
	// nor does moving bytes from one piece to the next give the same seal
	assert.is.not(fed(Buffer.concat([bytes.subarray(1), bytes.subarray(0, 1)])), seal);
});

pieces('a copy taken part-way seals what it was fed and then its own bytes, and leaves the original as it was', () => {
	const prefix = randomBytes(SEAL_PIECE + 500);
	const tailA = Buffer.from('"run":{"a":1},\n');
	const tailB = randomBytes(SEAL_PIECE);
	const seal = sealFor(2).update(prefix);
	const a = seal.copy().update(tailA.toString('utf8')).digest();
	const b = seal.copy().update(tailB).digest();
	assert.is(a, expected(Buffer.concat([prefix, tailA])));
	assert.is(b, expected(Buffer.concat([prefix, tailB])));
	assert.is(seal.digest(), expected(prefix));
});

pieces.run();
