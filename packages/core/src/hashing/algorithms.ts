// Digests on this thread, by algorithm name: the engines the hashing threads compute with
// (digests.ts), with a state of its own for each WebAssembly digest in flight.

import * as crypto from 'node:crypto';
import * as zlib from 'node:zlib';
import { engineDigest, engineLoading, sharesHasher, threadEngine, type Digest, type NodeHashing } from './digests.ts';
import type { AlgorithmName } from './names.ts';
import { wasmHasher, type WasmEngine } from './wasm.ts';

/**
 * Loads what an algorithm needs before `createDigest` can make it synchronously: hash-wasm's
 * WebAssembly of xxh128 and blake3 (compiled once per thread). A no-op for the others.
 */
export function prepareAlgorithm(name: AlgorithmName): Promise<void> {
	return engineLoading(threadEngine(name)) ?? Promise.resolve();
}

export function createDigest(name: AlgorithmName): Digest {
	const engine = threadEngine(name);
	return sharesHasher(engine) ? wasmDigest(engine as WasmEngine) : engineDigest(engine, HERE);
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

const initialStates = new Map<WasmEngine, Uint8Array>();

/**
 * One WebAssembly hasher serves every digest in flight: each digest keeps its own state
 * and loads it around each update (a few hundred bytes against a block of 256 KiB), so
 * several files can be hashed at once without an instance, and an await, per file.
 */
function wasmDigest(name: WasmEngine): Digest {
	const hasher = wasmHasher(name);
	if (!hasher) throw new Error(`${name} is not loaded yet: await prepareAlgorithm("${name}") first`);
	let state = initialStates.get(name);
	if (!state) {
		hasher.init();
		initialStates.set(name, (state = hasher.save()));
	}
	return {
		update: (chunk) => {
			hasher.load(state!);
			hasher.update(chunk);
			state = hasher.save();
		},
		digest: () => {
			hasher.load(state!);
			return hasher.digest('hex');
		},
	};
}
