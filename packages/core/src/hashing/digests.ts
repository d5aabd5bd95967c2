// Node's own digests, by the names OpenSSL and zlib give them: what a hashing thread computes
// with built-in modules alone, and this thread too (algorithms.ts). One table for both; the
// WebAssembly algorithms and adler32 are this thread's only.

import type { AlgorithmName } from './names.ts';

export interface Digest {
	update(chunk: Uint8Array): void;
	/** Lowercase hex. */
	digest(): string;
}

/** The seed's algorithms as OpenSSL names them. */
export const OPENSSL_NAMES: Readonly<Record<Exclude<AlgorithmName, 'crc32' | 'adler32' | 'xxh128' | 'blake3'>, string>> = {
	md5: 'md5', sha1: 'sha1', sha224: 'sha224', sha256: 'sha256', sha384: 'sha384', sha512: 'sha512',
	// Python's defaults: blake2b with a 64-byte digest, blake2s with a 32-byte digest
	blake2b: 'blake2b512', blake2s: 'blake2s256',
	sha3_224: 'sha3-224', sha3_256: 'sha3-256', sha3_384: 'sha3-384', sha3_512: 'sha3-512',
};

/**
 * Node's hashing modules: a hashing thread loads them when it hashes its first file (one
 * that only lists compiles neither: crypto is some twenty of Node's modules), this thread
 * has them loaded.
 */
export interface NodeHashing {
	crypto(): typeof import('node:crypto');
	zlib(): typeof import('node:zlib');
}

/**
 * The name a hashing thread computes `algorithm` under (see nodeDigest), or undefined when it
 * is hashed on the main thread only: the WebAssembly algorithms, adler32, and crc32 where
 * zlib has no crc32 (before Node 20.15).
 */
export function threadEngine(algorithm: AlgorithmName, zlibHasCrc32: boolean): string | undefined {
	if (algorithm === 'crc32') return zlibHasCrc32 ? 'crc32' : undefined;
	return (OPENSSL_NAMES as Partial<Record<AlgorithmName, string>>)[algorithm];
}

/** A digest by its engine's name: 'crc32' (zlib's, else computed here), or an OpenSSL name. */
export function nodeDigest(engine: string, node: NodeHashing): Digest {
	if (engine === 'crc32') {
		const crc32 = (node.zlib() as { crc32?: (data: Uint8Array, value?: number) => number }).crc32 ?? crc32Js;
		let crc = 0;
		return {
			update: (chunk) => {
				crc = crc32(chunk, crc);
			},
			digest: () => hex8(crc),
		};
	}
	const hash = node.crypto().createHash(engine);
	return {
		update: (chunk) => void hash.update(chunk),
		digest: () => hash.digest('hex'),
	};
}

/** The digest of a small file's whole content in one call (crypto.hash: Node 20.12 and later). */
export function digestOnce(engine: string, data: Uint8Array, node: NodeHashing): string {
	const oneShot = (node.crypto() as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;
	if (typeof oneShot === 'function' && engine !== 'crc32') return oneShot(engine, data, 'hex');
	const digest = nodeDigest(engine, node);
	digest.update(data);
	return digest.digest();
}

export const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

let crcTable: Uint32Array | undefined;

/** zlib's crc32 with its running value, for a Node whose zlib has none. */
export function crc32Js(data: Uint8Array, previous = 0): number {
	if (!crcTable) {
		crcTable = new Uint32Array(256);
		for (let n = 0; n < 256; n++) {
			let c = n;
			for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
			crcTable[n] = c >>> 0;
		}
	}
	let crc = ~previous >>> 0;
	for (let i = 0; i < data.length; i++) crc = crcTable[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
	return ~crc >>> 0;
}
