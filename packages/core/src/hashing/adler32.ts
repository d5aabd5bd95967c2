// adler32 (zlib's, the original Equilybrium's default) in WebAssembly with 128-bit SIMD: 16
// bytes a step, ~3.5× hash-wasm's byte-at-a-time loop, so that adler32 costs less than reading
// the file. The module is a few hundred bytes, written out below instruction by instruction
// and compiled synchronously where it is first used (on each hashing thread, and here). A
// Node whose WebAssembly lacks SIMD (V8 needs SSE4.1 on x64) gets hash-wasm's (wasm.ts).
//
// For a run of n bytes d₀…dₙ₋₁ from (a, b): a += Σ dᵢ, b += n·a + Σ (n − i)·dᵢ, both modulo
// 65521. In steps of 16 bytes: the byte at j of a step weighs (16 − j), plus 16 for each
// step after its own (the running sum of the step sums, `prior`). Every 5552 bytes (zlib's
// NMAX, 347 steps) the sums are reduced: up to there b cannot pass 2³², so the lanes' sums,
// wrapping modulo 2³², still add up to the true value.

/** As digests.ts's Digest (which imports this module). */
interface Digest {
	update(chunk: Uint8Array): void;
	digest(): string;
}

/** Makes digests of adler32 by SIMD; undefined where WebAssembly has no SIMD. */
export function simdAdler32(): (() => Digest) | undefined {
	return (compiled ??= load())?.digest;
}

/**
 * `size` bytes of the module's own memory, for a thread to read a file into: a digest's update
 * takes a chunk from there in place, without copying it (a gigabyte copied costs ~0.1 s of
 * CPU). Valid until the next call with a larger size.
 */
export function adler32Space(size: number): Uint8Array | undefined {
	const memory = (compiled ??= load())?.memory;
	if (!memory) return undefined;
	const pages = Math.ceil(size / PAGE) - memory.buffer.byteLength / PAGE;
	if (pages > 0) memory.grow(pages);
	return new Uint8Array(memory.buffer, 0, size);
}

// --- internal ---

let compiled: { digest: () => Digest; memory: WebAssembly.Memory } | null | undefined;

function load(): { digest: () => Digest; memory: WebAssembly.Memory } | null {
	if (!WebAssembly.validate(MODULE)) return null;
	const instance = new WebAssembly.Instance(new WebAssembly.Module(MODULE));
	const update = instance.exports.adler32 as (length: number, previous: number) => number;
	const memory = instance.exports.memory as WebAssembly.Memory;
	let view = new Uint8Array(memory.buffer, 0, PAGE);
	// each digest keeps its own running value: several may be in flight on one thread
	const digest = (): Digest => {
		let state = 1;
		return {
			update: (chunk) => {
				if (chunk.buffer === memory.buffer && chunk.byteOffset === 0) {
					state = update(chunk.length, state);
					return;
				}
				if (view.buffer !== memory.buffer) view = new Uint8Array(memory.buffer, 0, PAGE);
				for (let at = 0; at < chunk.length; at += PAGE) {
					const piece = chunk.subarray(at, at + PAGE);
					view.set(piece);
					state = update(piece.length, state);
				}
			},
			digest: () => (state >>> 0).toString(16).padStart(8, '0'),
		};
	};
	return { digest, memory };
}

/** A page of the module's memory, which an update of a chunk from elsewhere fills in turn. */
const PAGE = 1 << 16;

// locals: the two parameters (length, previous), then i32 a, b, p (the next byte), stop (where the run ends) and v128 sums, prior, weighted, bytes
const [LENGTH, PREVIOUS, A, B, P, STOP, SUMS, PRIOR, WEIGHTED, BYTES] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
const NMAX = 5552;
const MOD = 65521;

// the instructions used, by their binary encoding (WebAssembly core spec 5.4; SIMD opcodes after 0xfd, LEB128)
const get = (i: number) => [0x20, i];
const set = (i: number) => [0x21, i];
const i32 = (n: number) => [0x41, ...leb128(n)];
const [ADD, SUB, MUL, REM_U, AND, OR, SHL, SHR_U, LT_U, GT_U, GE_U, LOAD8_U] = [[0x6a], [0x6b], [0x6c], [0x70], [0x71], [0x72], [0x74], [0x76], [0x49], [0x4b], [0x4f], [0x2d, 0, 0]];
const [BLOCK, LOOP, END, BR, BR_IF, SELECT] = [[0x02, 0x40], [0x03, 0x40], [0x0b], [0x0c], [0x0d], [0x1b]];
const simd = (op: number) => [0xfd, ...leb128(op)];
const V128_LOAD = [...simd(0x00), 4, 0];
const v128 = (lanes: number[]) => [...simd(0x0c), ...lanes];
const [PAIRS_U8, PAIRS_U16, LOW_U8, HIGH_U8, DOT, V_ADD] = [simd(0x7d), simd(0x7f), simd(0x89), simd(0x8a), simd(0xba), simd(0xae)];
const lane = (i: number) => [...simd(0x1b), i];
/** Weights of a step's bytes as two i16x8: 16…9, 8…1. */
const weights = (from: number) => v128(Array.from({ length: 8 }, (_, k) => [from - k, 0]).flat());
const zero = v128(new Array(16).fill(0));
/** The four lanes of an i32x4 local, added. */
const lanesOf = (v: number) => [...get(v), ...lane(0), ...get(v), ...lane(1), ADD, ...get(v), ...lane(2), ADD, ...get(v), ...lane(3), ADD].flat();

const body = [
	// a = previous & 0xffff; b = previous >>> 16
	get(PREVIOUS), i32(0xffff), AND, set(A),
	get(PREVIOUS), i32(16), SHR_U, set(B),
	// whole steps, NMAX bytes at most between reductions
	BLOCK, LOOP,
	get(LENGTH), get(P), SUB, i32(16), LT_U, BR_IF, [1],
	// stop = p + min(NMAX, (length − p) & ~15)
	get(P), i32(NMAX), get(LENGTH), get(P), SUB, i32(-16), AND,
	get(LENGTH), get(P), SUB, i32(-16), AND, i32(NMAX), GT_U, SELECT, ADD, set(STOP),
	// b += (stop − p)·a, before the sums of this run are added
	get(B), get(STOP), get(P), SUB, get(A), MUL, ADD, set(B),
	zero, set(SUMS), zero, set(PRIOR), zero, set(WEIGHTED),
	LOOP,
	get(P), V128_LOAD, set(BYTES),
	get(PRIOR), get(SUMS), V_ADD, set(PRIOR),
	get(SUMS), get(BYTES), PAIRS_U8, PAIRS_U16, V_ADD, set(SUMS),
	get(WEIGHTED), get(BYTES), LOW_U8, weights(16), DOT, V_ADD, get(BYTES), HIGH_U8, weights(8), DOT, V_ADD, set(WEIGHTED),
	get(P), i32(16), ADD, set(P),
	get(P), get(STOP), LT_U, BR_IF, [0],
	END,
	// a += Σ sums; b += 16·Σ prior + Σ weighted; both reduced
	get(A), lanesOf(SUMS), ADD, i32(MOD), REM_U, set(A),
	get(B), lanesOf(PRIOR), i32(4), SHL, ADD, lanesOf(WEIGHTED), ADD, i32(MOD), REM_U, set(B),
	BR, [0],
	END, END,
	// the last bytes, fewer than 16, one at a time
	BLOCK, LOOP,
	get(P), get(LENGTH), GE_U, BR_IF, [1],
	get(A), get(P), LOAD8_U, ADD, set(A),
	get(B), get(A), ADD, set(B),
	get(P), i32(1), ADD, set(P),
	BR, [0],
	END, END,
	// (b % 65521) << 16 | a % 65521
	get(B), i32(MOD), REM_U, i32(16), SHL, get(A), i32(MOD), REM_U, OR,
	END,
].flat();

function uleb128(n: number): number[] {
	const out: number[] = [];
	do {
		const byte = n & 0x7f;
		n >>>= 7;
		out.push(n ? byte | 0x80 : byte);
	} while (n);
	return out;
}

function leb128(n: number): number[] {
	const out: number[] = [];
	for (;;) {
		const byte = n & 0x7f;
		n >>= 7;
		if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) return [...out, byte];
		out.push(byte | 0x80);
	}
}

/** A section: its id, then its content's length. */
const section = (id: number, content: number[]) => [id, ...uleb128(content.length), ...content];
const text = (name: string) => [name.length, ...[...name].map((c) => c.charCodeAt(0))];
// four i32 locals, four v128
const code = [2, 4, 0x7f, 4, 0x7b, ...body];

const MODULE = new Uint8Array([
	0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
	// type 0: (i32, i32) → i32
	...section(1, [1, 0x60, 2, 0x7f, 0x7f, 1, 0x7f]),
	// function 0 of type 0
	...section(3, [1, 0]),
	// one memory of one page
	...section(5, [1, 0x00, 1]),
	...section(7, [2, ...text('memory'), 0x02, 0, ...text('adler32'), 0x00, 0]),
	...section(10, [1, ...uleb128(code.length), ...code]),
]);
