// Builds deterministic trees for benchmarks: same bytes, names and mtimes on every machine.
// Content is AES-128-CTR keystream (fast, incompressible, reproducible from the seed).
//   tsx tools/make-tree.ts DIR large  [count=41] [bytes=25MiB]
//   tsx tools/make-tree.ts DIR small  [count=50000]        sizes 100 B – 8 KiB
//   tsx tools/make-tree.ts DIR million [count=1000000]     sizes 0 – 256 B
//   tsx tools/make-tree.ts DIR legacy [count=20000]        sizes 1 – 64 KiB, and 20 files of 20 MiB
//                                                          (the original Equilybrium's adler32 case)
import { createCipheriv } from 'node:crypto';
import { mkdirSync, writeFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TreeKind = 'large' | 'small' | 'million' | 'legacy';

export interface TreeSpec {
	kind: TreeKind;
	count: number;
	/** For `large`: bytes per file; for `legacy`: bytes of each of its 20 large files. */
	bytes?: number;
}

/** Files a folder holds before the generator opens the next one (a photo folder's size). */
const PER_DIR = 1000;
const MTIME = new Date('2024-01-01T00:00:00Z');

export function makeTree(dir: string, spec: TreeSpec): { files: number; bytes: number } {
	const stream = keystream(`${spec.kind}:${spec.count}`);
	let total = 0;
	for (let i = 0; i < spec.count; i++) {
		const folder = join(dir, `d${String(Math.floor(i / PER_DIR)).padStart(4, '0')}`);
		if (i % PER_DIR === 0) mkdirSync(folder, { recursive: true });
		const size = sizeOf(spec, i);
		const path = join(folder, `f${String(i).padStart(7, '0')}.bin`);
		writeFileSync(path, stream(size));
		utimesSync(path, MTIME, MTIME);
		total += size;
	}
	if (spec.kind !== 'legacy') return { files: spec.count, bytes: total };
	// and the few large files a photo or video collection also holds, in a folder of their own
	const folder = join(dir, 'large');
	mkdirSync(folder, { recursive: true });
	const bytes = spec.bytes ?? 20 << 20;
	for (let i = 0; i < LEGACY_LARGE; i++) {
		const path = join(folder, `l${String(i).padStart(2, '0')}.bin`);
		writeFileSync(path, stream(bytes));
		utimesSync(path, MTIME, MTIME);
		total += bytes;
	}
	return { files: spec.count + LEGACY_LARGE, bytes: total };
}

// --- internal ---

/** The `legacy` tree's files of 20 MiB, beside its small ones. */
const LEGACY_LARGE = 20;

function sizeOf(spec: TreeSpec, i: number): number {
	// a multiplicative hash spreads sizes evenly without a PRNG state
	const spread = (Math.imul(i + 1, 2654435761) >>> 0) / 2 ** 32;
	if (spec.kind === 'large') return spec.bytes ?? 25 << 20;
	if (spec.kind === 'small') return 100 + Math.floor(spread * (8192 - 100));
	if (spec.kind === 'legacy') return 1024 + Math.floor(spread * (65536 - 1024 + 1));
	return Math.floor(spread * 257);
}

function keystream(seed: string): (n: number) => Buffer {
	const key = Buffer.alloc(16);
	key.write(seed.slice(0, 16));
	const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
	return (n) => cipher.update(Buffer.alloc(n));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const [dir, kind, count, bytes] = process.argv.slice(2);
	if (!dir || (kind !== 'large' && kind !== 'small' && kind !== 'million' && kind !== 'legacy')) {
		console.error('usage: tsx tools/make-tree.ts DIR large|small|million|legacy [count] [bytes]');
		process.exit(2);
	}
	const defaults = { large: 41, small: 50_000, million: 1_000_000, legacy: 20_000 };
	const made = makeTree(dir, { kind, count: count ? Number(count) : defaults[kind], bytes: bytes ? Number(bytes) : undefined });
	console.log(`${made.files} files, ${made.bytes} bytes in ${dir}`);
}
