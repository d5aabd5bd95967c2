// The algorithms Node has no engine for, computed by WebAssembly (hash-wasm: embedded in the
// JS, so they bundle, run on every thread and need no native addon). Loaded once per thread
// (a compile of a few milliseconds) before the first file is hashed with them: the hashing
// threads and the main thread alike.

import type { IHasher } from 'hash-wasm';

/**
 * xxh128 and blake3 as `xxhsum -H2` and `b3sum` print them; adler32 where WebAssembly has no
 * SIMD for adler32.ts's (~1.8 GB/s a core here, its JavaScript loop ~0.55). crc32 is zlib's
 * (digests.ts).
 */
export const WASM_ENGINES = ['adler32', 'xxh128', 'blake3'] as const;
export type WasmEngine = (typeof WASM_ENGINES)[number];

export const isWasmEngine = (engine: string): engine is WasmEngine => (WASM_ENGINES as readonly string[]).includes(engine);

/** Loads `engine` on this thread (once); `wasmHasher` gives it synchronously from then on. */
export function loadWasm(engine: WasmEngine): Promise<void> {
	let ready = loading.get(engine);
	if (!ready) {
		// imported when first needed: a thread that lists, or hashes with another engine, never evaluates it
		ready = import('./wasm-load.ts')
			.then((wasm) => ({ adler32: wasm.createAdler32, xxh128: wasm.createXXHash128, blake3: wasm.createBLAKE3 })[engine]())
			.then((hasher) => void loaded.set(engine, hasher));
		loading.set(engine, ready);
	}
	return ready;
}

/** The loaded hasher of `engine`, or undefined before loadWasm has settled. */
export const wasmHasher = (engine: WasmEngine): IHasher | undefined => loaded.get(engine);

// --- internal ---

const loading = new Map<WasmEngine, Promise<void>>();
const loaded = new Map<WasmEngine, IHasher>();
