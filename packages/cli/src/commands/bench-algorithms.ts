import { randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ALL_ALGORITHMS, createDigest, hashFile, prepareAlgorithm, type AlgorithmName } from '@equilybrium/core';
import { flag, type ParsedArgs } from '../args.ts';
import { EXIT, UsageError } from '../errors.ts';
import type { Io } from '../io.ts';

// The seed's algo_test.py and block_test_*.py as one command: measure on the user's own
// machine, print a table and a recommendation. Timing lives here, in the shell, not in the core.

/** Digest length in bits, for the "is it long enough" column. */
const BITS: Record<AlgorithmName, number> = {
	md5: 128, sha1: 160, sha224: 224, sha256: 256, sha384: 384, sha512: 512, blake2b: 512, blake2s: 256,
	sha3_224: 224, sha3_256: 256, sha3_384: 384, sha3_512: 512, crc32: 32, adler32: 32, xxh128: 128, blake3: 256,
};
const CRYPTOGRAPHIC = new Set<AlgorithmName>(['sha224', 'sha256', 'sha384', 'sha512', 'blake2b', 'blake2s', 'sha3_224', 'sha3_256', 'sha3_384', 'sha3_512', 'blake3']);
const BLOCK_SIZES = [14, 16, 18, 20, 22];

export async function benchAlgorithmsCommand(args: ParsedArgs, io: Io): Promise<number> {
	const seconds = Number(flag(args, 'seconds') ?? '0.5');
	if (!(seconds > 0 && seconds <= 60)) throw new UsageError(`--seconds must be a number of seconds between 0 and 60`);
	const workers = Number(flag(args, 'workers') ?? '0') || availableParallelism();
	const buffer = randomFillSync(Buffer.allocUnsafe(1 << 20));

	io.out(`Hashing speed on this machine, one core, ${seconds} s per algorithm (data in memory):`);
	io.out('');
	io.out(`  ${'algorithm'.padEnd(10)} ${'MiB/s'.padStart(8)}  ${'bits'.padStart(4)}  notes`);
	const speeds = new Map<AlgorithmName, number>();
	for (const algorithm of ALL_ALGORITHMS) {
		if (io.signal?.aborted) return EXIT.FAILED;
		await prepareAlgorithm(algorithm);
		const speed = measure(algorithm, buffer, seconds);
		speeds.set(algorithm, speed);
		// every algorithm is hashed on the threads, one per core, with this engine
		const notes = [BITS[algorithm] < 64 ? 'short digest: collisions likely in large trees' : '', `×${workers} cores in a run`]
			.filter(Boolean)
			.join('; ');
		io.out(`  ${algorithm.padEnd(10)} ${speed.toFixed(0).padStart(8)}  ${String(BITS[algorithm]).padStart(4)}  ${notes}`);
	}
	const effective = (a: AlgorithmName) => speeds.get(a)! * workers;
	const fastest = (pool: AlgorithmName[]) => pool.reduce((best, a) => (effective(a) > effective(best) ? a : best));
	const longEnough = ALL_ALGORITHMS.filter((a) => BITS[a] >= 128);
	const quick = fastest(longEnough);
	const crypto = fastest(ALL_ALGORITHMS.filter((a) => CRYPTOGRAPHIC.has(a)));

	const file = flag(args, 'file');
	const blockAlgorithm = quick;
	io.out('');
	io.out(`Block size with ${blockAlgorithm}, reading ${file ? file : 'a 64 MiB temporary file (in the page cache)'}:`);
	io.out('');
	const blocks = await measureBlocks(blockAlgorithm, file, seconds, io);
	for (const [power, speed] of blocks) io.out(`  Block size = 2 ** ${String(power).padEnd(2)}  ${speed.toFixed(0).padStart(8)} MiB/s`);
	const bestBlock = [...blocks].reduce((best, b) => (b[1] > best[1] ? b : best));
	// the default unless another size is clearly (10 %) better: small gains are noise
	const default18 = blocks.get(18) ?? 0;
	const block = bestBlock[1] > default18 * 1.1 ? bestBlock[0] : 18;

	io.out('');
	io.out(`Recommendation for this machine:`);
	io.out(`  Hash algorithm = ${quick}      (fastest with at least 128 bits: ${effective(quick).toFixed(0)} MiB/s with ${workers} cores)`);
	if (crypto !== quick) io.out(`  or ${crypto} for a cryptographic digest (${effective(crypto).toFixed(0)} MiB/s), e.g. to compare with sha256sum/b3sum`);
	io.out(`  Block size = 2 ** ${block}`);
	io.out(`Changing the algorithm makes the next run re-hash every file once.`);
	return EXIT.OK;
}

// --- internal ---

function measure(algorithm: AlgorithmName, buffer: Buffer, seconds: number): number {
	let bytes = 0;
	const start = performance.now();
	let elapsed = 0;
	do {
		const digest = createDigest(algorithm);
		for (let i = 0; i < 16; i++) digest.update(buffer);
		digest.digest();
		bytes += buffer.length * 16;
		elapsed = (performance.now() - start) / 1000;
	} while (elapsed < seconds);
	return bytes / (1 << 20) / elapsed;
}

async function measureBlocks(algorithm: AlgorithmName, file: string | undefined, seconds: number, io: Io): Promise<Map<number, number>> {
	let dir: string | undefined;
	let path = file;
	if (!path) {
		dir = mkdtempSync(join(tmpdir(), 'equilybrium-bench-'));
		path = join(dir, 'sample.bin');
		writeFileSync(path, randomFillSync(Buffer.allocUnsafe(64 << 20)));
	}
	const out = new Map<number, number>();
	try {
		for (const power of BLOCK_SIZES) {
			if (io.signal?.aborted) break;
			let bytes = 0;
			const start = performance.now();
			do bytes += (await hashFile(path, { algorithm, blockSize: 2 ** power })).size;
			while (performance.now() - start < seconds * 1000);
			out.set(power, bytes / (1 << 20) / ((performance.now() - start) / 1000));
		}
	} finally {
		if (dir) rmSync(dir, { recursive: true, force: true });
	}
	return out;
}
