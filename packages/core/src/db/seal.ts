// The database's seal (SPEC §5: a SHA3-512 digest, checked on load). From database version 2
// it is the SHA3-512 of the SHA-256 digests of the file's consecutive SEAL_PIECE bytes
// (the last piece shorter): SHA3-512 over every byte runs at ~160 MB/s here, and a run checks
// the old file's seal and seals the new one, while SHA-256 runs at ~1.8 GB/s with the SHA
// extensions of current x86 and ARM CPUs (NAS CPUs included). Any byte changed still changes
// the seal. Version 1 files, sealed with SHA3-512 over every byte, are checked as they were.

import { createHash, type Hash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { Sealer } from './format.ts';

export const SEAL_PIECE = 1 << 20;

/** Fed the sealed bytes in order, possibly copied part-way (a run that keeps the old bytes extends their seal). */
export interface Seal {
	update(data: Uint8Array | string): Seal;
	copy(): Seal;
	/** Lowercase hex, 128 digits. */
	digest(): string;
}

/** The seal of a database of format `version`. */
export function sealFor(version: number): Seal {
	return version < 2 ? new WholeSeal(createHash('sha3-512')) : new PieceSeal(createHash('sha3-512'), createHash('sha256'), 0);
}

class WholeSeal implements Seal {
	constructor(private hash: Hash) {}

	update(data: Uint8Array | string): Seal {
		this.hash.update(data);
		return this;
	}

	copy(): Seal {
		return new WholeSeal(this.hash.copy());
	}

	digest(): string {
		return this.hash.digest('hex');
	}
}

class PieceSeal implements Seal {
	constructor(
		private pieces: Hash,
		private piece: Hash,
		private pieceBytes: number,
	) {}

	update(data: Uint8Array | string): Seal {
		let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
		for (;;) {
			const room = SEAL_PIECE - this.pieceBytes;
			if (bytes.length < room) {
				this.piece.update(bytes);
				this.pieceBytes += bytes.length;
				return this;
			}
			this.piece.update(bytes.subarray(0, room));
			this.pieces.update(this.piece.digest());
			this.piece = createHash('sha256');
			this.pieceBytes = 0;
			bytes = bytes.subarray(room);
		}
	}

	copy(): Seal {
		return new PieceSeal(this.pieces.copy(), this.piece.copy(), this.pieceBytes);
	}

	digest(): string {
		if (this.pieceBytes > 0) this.pieces.update(this.piece.digest());
		return this.pieces.digest('hex');
	}
}

/**
 * The seal checked on this thread between turns of its event loop, a chunk at a time, from
 * when `start` settles: a run first sets itself up (its files, the rolling plan) with nothing
 * in its way, then merges while the seal is checked and its threads list. A chunk of 256 KiB
 * holds this thread well under a millisecond (1.5 ms for a version 1 file, sealed with
 * SHA3-512 over every byte), so the merge's turns come between.
 */
export function sealAfter(start: Promise<unknown>): Sealer {
	return {
		async seal(path, prefixEnd, end, version) {
			await start;
			const { digest, prefixSeal } = await sealHere(path, prefixEnd, end, version, 1 << 18);
			return {
				digest,
				extend: async (text) => {
					if (!prefixSeal) throw new Error('no seal state before the run line');
					return prefixSeal.copy().update(text).digest();
				},
			};
		},
	};
}

/** The seal of the first `end` bytes, and its state after the first `prefixEnd`. */
export async function sealHere(path: string, prefixEnd: number, end: number, version: number, chunkSize = 1 << 20): Promise<{ digest: string; prefixSeal?: Seal }> {
	const seal = sealFor(version);
	let prefixSeal: Seal | undefined;
	const handle = await open(path, 'r');
	try {
		const chunk = Buffer.allocUnsafe(chunkSize);
		for (let at = 0; at < end; ) {
			// stop at the run line once: the seal of everything before it is kept (see DbPrefix)
			const stop = at < prefixEnd ? prefixEnd : end;
			const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, stop - at), at);
			if (bytesRead === 0) break;
			seal.update(chunk.subarray(0, bytesRead));
			at += bytesRead;
			if (at === prefixEnd) prefixSeal = seal.copy();
		}
	} finally {
		await handle.close();
	}
	return { digest: seal.digest(), ...(prefixSeal ? { prefixSeal } : {}) };
}
