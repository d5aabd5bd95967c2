// Digests on this thread, by algorithm name: Node's own (digests.ts, which the hashing threads
// share), adler32, and the WebAssembly ones.

import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import { createBLAKE3, createXXHash128, type IHasher } from 'hash-wasm';
import { hex8, nodeDigest, OPENSSL_NAMES, threadEngine, type Digest, type NodeHashing } from './digests.ts';
import type { AlgorithmName, WasmAlgorithm } from './names.ts';

/**
 * Loads what an algorithm needs before `createDigest` can make it synchronously: the
 * WebAssembly of xxh128 and blake3 (compiled once per process). A no-op for the others.
 */
export function prepareAlgorithm(name: AlgorithmName): Promise<void> {
	if (name !== 'xxh128' && name !== 'blake3') return Promise.resolve();
	let ready = wasmReady.get(name);
	if (!ready) {
		ready = (name === 'xxh128' ? createXXHash128() : createBLAKE3()).then((hasher) => {
			hasher.init();
			wasmHashers.set(name, { hasher, initial: hasher.save() });
		});
		wasmReady.set(name, ready);
	}
	return ready;
}

export function createDigest(name: AlgorithmName): Digest {
	if (name === 'xxh128' || name === 'blake3') return wasmDigest(name);
	if (name === 'adler32') return adler32Digest();
	return nodeDigest(name === 'crc32' ? name : OPENSSL_NAMES[name], HERE);
}

/** The name a hashing thread computes `algorithm` under, or undefined when this thread must (see threadEngine). */
export function threadAlgorithm(algorithm: AlgorithmName): string | undefined {
	return threadEngine(algorithm, typeof (zlib as { crc32?: unknown }).crc32 === 'function');
}

/** Hex digest of an in-memory buffer: for tests and small inputs. */
export function digestOf(name: AlgorithmName, data: Uint8Array): string {
	const d = createDigest(name);
	d.update(data);
	return d.digest();
}

// --- internal ---

/** Node's hashing modules, loaded here already. */
const HERE: NodeHashing = { crypto: () => crypto, zlib: () => zlib };

const wasmReady = new Map<WasmAlgorithm, Promise<void>>();
const wasmHashers = new Map<WasmAlgorithm, { hasher: IHasher; initial: Uint8Array }>();

/**
 * One WebAssembly hasher serves every digest in flight: each digest keeps its own state
 * and loads it around each update (a few hundred bytes against a block of 256 KiB), so
 * several files can be hashed at once without an instance, and an await, per file.
 */
function wasmDigest(name: WasmAlgorithm): Digest {
	const wasm = wasmHashers.get(name);
	if (!wasm) throw new Error(`${name} is not loaded yet: await prepareAlgorithm("${name}") first`);
	let state = wasm.initial;
	return {
		update: (chunk) => {
			wasm.hasher.load(state);
			wasm.hasher.update(chunk);
			state = wasm.hasher.save();
		},
		digest: () => {
			wasm.hasher.load(state);
			return wasm.hasher.digest('hex');
		},
	};
}

function adler32Digest(): Digest {
	let state = 1;
	return {
		update: (chunk) => {
			state = adler32(chunk, state);
		},
		digest: () => hex8(state),
	};
}

/**
 * zlib's adler32 with its running value. Locals, not closure variables, in the hot loop:
 * V8 keeps them in registers, about ten times faster.
 */
function adler32(data: Uint8Array, previous: number): number {
	let a = previous & 0xffff;
	let b = (previous >>> 16) & 0xffff;
	// 5552 is the largest n for which 255·n·(n+1)/2 + (n+1)·65520 fits in 2^32 (zlib's NMAX),
	// so the modulo is taken once per run instead of once per byte.
	const NMAX = 5552;
	let i = 0;
	const length = data.length;
	while (i < length) {
		const end = Math.min(i + NMAX, length);
		for (; i < end; i++) {
			a += data[i]!;
			b += a;
		}
		a %= 65521;
		b %= 65521;
	}
	return ((b << 16) | a) >>> 0;
}
