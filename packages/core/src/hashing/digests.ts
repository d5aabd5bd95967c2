// The engines a digest is computed by, by the names OpenSSL and zlib give them, and the
// WebAssembly ones (adler32.ts, wasm.ts): what a hashing thread computes with, and this
// thread too (algorithms.ts). One table for both.

import type { AlgorithmName } from './names.ts';
import { adler32Space, simdAdler32 } from './adler32.ts';
import { isWasmEngine, loadWasm, wasmHasher } from './wasm.ts';

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
 * The engine `algorithm` is computed by (see engineDigest): an OpenSSL name, 'crc32' (zlib's,
 * or computed here before Node 20.15), or a WebAssembly one (wasm.ts). Every algorithm has
 * one, and every one runs on the hashing threads.
 */
export function threadEngine(algorithm: AlgorithmName): string {
	return (OPENSSL_NAMES as Partial<Record<AlgorithmName, string>>)[algorithm] ?? algorithm;
}

/**
 * What `engine` needs loaded before engineDigest can make it (hash-wasm's WebAssembly, once
 * per thread), or undefined when it is ready.
 */
export function engineLoading(engine: string): Promise<void> | undefined {
	if (!isWasmEngine(engine) || wasmHasher(engine) || (engine === 'adler32' && simdAdler32())) return undefined;
	return loadWasm(engine);
}

/** Whether `engine`'s digests share one hasher (hash-wasm's): one digest at a time, or each keeps a state to load. */
export const sharesHasher = (engine: string): boolean => isWasmEngine(engine) && !(engine === 'adler32' && simdAdler32());

/**
 * A digest by its engine's name. One of hash-wasm's must be loaded (engineLoading) and serves
 * one digest at a time, as a hashing thread hashes one file at a time (this thread keeps a
 * state per digest: algorithms.ts).
 */
export function engineDigest(engine: string, node: NodeHashing): Digest {
	if (engine === 'adler32') {
		const simd = simdAdler32();
		if (simd) return simd();
	}
	if (isWasmEngine(engine)) {
		const hasher = wasmHasher(engine)!;
		hasher.init();
		return {
			update: (chunk) => void hasher.update(chunk),
			digest: () => hasher.digest('hex'),
		};
	}
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

/**
 * Where a thread reads the files it hashes with `engine`, `size` bytes at a time: adler32's
 * module memory, whose digests take it in place, or a buffer of its own.
 */
export function readBuffer(engine: string, size: number): Buffer {
	const space = engine === 'adler32' ? adler32Space(size) : undefined;
	return space ? Buffer.from(space.buffer, 0, size) : Buffer.allocUnsafe(size);
}

/** The digest of a small file's whole content in one call (crypto.hash: Node 20.12 and later). */
export function digestOnce(engine: string, data: Uint8Array, node: NodeHashing): string {
	// crypto is not loaded for an engine of its own (some twenty of Node's modules)
	const oneShot = engine === 'crc32' || isWasmEngine(engine) ? undefined : (node.crypto() as { hash?: (algorithm: string, data: Uint8Array, encoding: 'hex') => string }).hash;
	if (typeof oneShot === 'function') return oneShot(engine, data, 'hex');
	const digest = engineDigest(engine, node);
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
