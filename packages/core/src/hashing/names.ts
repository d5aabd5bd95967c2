// The algorithms a config may name (SPEC §4). The seed's, each mapped to an implementation whose hex digest equals
// Python's hashlib.<name>(data).hexdigest() — or, for crc32/adler32, zlib's value as
// 8 lowercase hex digits.
export const ALGORITHMS = [
	'md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512',
	'blake2b', 'blake2s',
	'sha3_224', 'sha3_256', 'sha3_384', 'sha3_512',
	'crc32', 'adler32',
] as const;

/**
 * Fast modern algorithms beside the seed's (SPEC §4), from hash-wasm (WebAssembly embedded
 * in the JS, so they bundle and need no native addon). Digests as `xxhsum -H2` (XXH128,
 * canonical big-endian hex) and `b3sum` (BLAKE3, 256 bits) print them.
 */
export const FAST_ALGORITHMS = ['xxh128', 'blake3'] as const;
export const ALL_ALGORITHMS = [...ALGORITHMS, ...FAST_ALGORITHMS] as const;

export type AlgorithmName = (typeof ALGORITHMS)[number] | (typeof FAST_ALGORITHMS)[number];

export function isAlgorithm(name: string): name is AlgorithmName {
	return (ALL_ALGORITHMS as readonly string[]).includes(name);
}
