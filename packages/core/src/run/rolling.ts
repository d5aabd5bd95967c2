// Rolling verification (Verify = rolling N): besides new and changed files, each run
// re-hashes the unchanged files whose last verification is oldest, so that every file is
// verified at least every N days, at a pace that spreads the work over the N days instead
// of re-hashing everything on day N — restic's read-data-subset and SnapRAID's scrub with
// an age order. Memory: two typed arrays over the old database while planning (12 bytes
// an entry, freed before the run starts), then two numbers.

import { uniqueSorted } from './sorted.ts';

export const DAY_MS = 24 * 3600 * 1000;

export interface RollingInput {
	now: number;
	days: number;
	/** When the previous run started: the pace is the share of N days since then. */
	previousRunAt: number;
	/** Bytes of re-verification this run may spend at most (Max bytes). */
	maxBytes?: number;
}

export interface RollingPlan {
	/** Files verified before this second (floor(verifiedAt / 1000)) are re-verified… */
	beforeSecond: number;
	/** …and this many more of those verified in exactly that second, in key order. */
	ties: number;
	/** Bytes the plan selects (known sizes; a file that changed meanwhile is hashed anyway). */
	bytes: number;
	files: number;
	/** Bytes of files already past N days: the least this run should do. */
	overdueBytes: number;
}

/** What rolling verification needs of each database entry, in key order. */
export interface Verified {
	size: number;
	verifiedAt: number;
}

/**
 * Picks the oldest-verified files whose bytes make the quota: everything overdue, or the
 * pace (all bytes × time since the last run / N days) if that is more — within Max bytes.
 * Oldest first, strictly: the first file that does not fit ends the selection, except that
 * an overdue file alone larger than the whole quota is taken when it is the oldest, or it
 * would never be verified.
 */
export async function planRolling(entries: AsyncIterable<Verified>, expected: number, input: RollingInput): Promise<RollingPlan> {
	return planRollingBatches(singletons(entries), expected, input);
}

async function* singletons<T>(items: AsyncIterable<T>): AsyncGenerator<T[]> {
	for await (const item of items) yield [item];
}

/** The same, reading the entries a batch at a time (one await per chunk of the database). */
export async function planRollingBatches(batches: AsyncIterable<readonly Verified[]>, expected: number, input: RollingInput): Promise<RollingPlan> {
	// sized from the database's own count: no doubled copies at the peak
	let seconds = new Uint32Array(Math.max(16, expected));
	let sizes = new Float64Array(Math.max(16, expected));
	let n = 0;
	let total = 0;
	let overdueBytes = 0;
	const overdueBefore = toSecond(input.now - input.days * DAY_MS) + 1;
	for await (const batch of batches) for (const entry of batch) {
		if (n === seconds.length) {
			seconds = grow(seconds, new Uint32Array(n * 2));
			sizes = grow(sizes, new Float64Array(n * 2));
		}
		const second = toSecond(entry.verifiedAt);
		seconds[n] = second;
		sizes[n] = entry.size;
		n++;
		total += entry.size;
		if (second < overdueBefore) overdueBytes += entry.size;
	}
	seconds = seconds.subarray(0, n);
	sizes = sizes.subarray(0, n);
	const pace = total * Math.min(1, Math.max(0, input.now - input.previousRunAt) / (input.days * DAY_MS));
	let quota = Math.max(overdueBytes, pace);
	if (input.maxBytes !== undefined) quota = Math.min(quota, input.maxBytes);
	const plan: RollingPlan = { beforeSecond: 0, ties: 0, bytes: 0, files: 0, overdueBytes };
	if (quota <= 0 || n === 0) return plan;

	// bytes(verified before second T) grows with T: binary search the distinct seconds for the
	// last T whose files all fit, then take that second's files one by one in key order
	const distinct = uniqueSorted(seconds);
	// (the sorted copy is 4 bytes an entry, and only the distinct seconds are kept of it)
	const bytesBefore = (t: number) => {
		let sum = 0;
		for (let i = 0; i < n; i++) if (seconds[i]! < t) sum += sizes[i]!;
		return sum;
	};
	let lo = 0;
	let hi = distinct.length - 1;
	// find the first distinct second s whose files (with all older) exceed the quota
	while (lo < hi) {
		const mid = (lo + hi) >> 1;
		if (bytesBefore(distinct[mid]! + 1) > quota) hi = mid;
		else lo = mid + 1;
	}
	const boundary = distinct[lo]!;
	plan.beforeSecond = boundary;
	let used = bytesBefore(boundary);
	for (let i = 0; i < n; i++) {
		if (seconds[i]! < boundary) plan.files++;
	}
	for (let i = 0; i < n; i++) {
		if (seconds[i] !== boundary) continue;
		const size = sizes[i]!;
		const alone = used === 0 && plan.ties === 0 && boundary < overdueBefore;
		if (used + size > quota && !alone) break;
		used += size;
		plan.ties++;
		plan.files++;
		if (used >= quota) break;
	}
	plan.bytes = used;
	return plan;
}

/** What a plan needs of each block of the database's listing (see ListedBlocks in db/listing.ts). */
export interface BlockFacts {
	/** The block's least recent verification (ms). */
	oldest: number;
	bytes: number;
	files: number;
}

/**
 * The plan planRolling makes, reading only the blocks that can hold what it picks. A file
 * verified in second s sits in a block whose oldest verification is at or before s: once
 * every such block is read, the bytes verified up to s are known. So the blocks are read
 * oldest first — every block holding an overdue file, then until the boundary second is
 * known — and the files of that second are taken in key order (block order, then within).
 */
export async function planFromBlocks(blocks: readonly BlockFacts[], read: (block: number) => Promise<Verified[]>, input: RollingInput): Promise<RollingPlan | undefined> {
	// past this many blocks, one pass over the database is cheaper (undefined: plan that way)
	const most = Math.max(8, blocks.length >> 4);
	const secondOf = blocks.map((b) => toSecond(b.oldest));
	const order = blocks.map((_, i) => i).sort((a, b) => secondOf[a]! - secondOf[b]! || a - b);
	const total = blocks.reduce((sum, b) => sum + b.bytes, 0);
	const overdueBefore = toSecond(input.now - input.days * DAY_MS) + 1;
	const entries = new Map<number, Verified[]>();
	let next = 0;
	const readNext = async () => {
		const block = order[next++]!;
		entries.set(block, await read(block));
	};
	while (next < order.length && secondOf[order[next]!]! < overdueBefore) {
		if (next === most) return undefined;
		await readNext();
	}
	let overdueBytes = 0;
	for (const list of entries.values()) for (const e of list) if (toSecond(e.verifiedAt) < overdueBefore) overdueBytes += e.size;
	const pace = total * Math.min(1, Math.max(0, input.now - input.previousRunAt) / (input.days * DAY_MS));
	let quota = Math.max(overdueBytes, pace);
	if (input.maxBytes !== undefined) quota = Math.min(quota, input.maxBytes);
	const plan: RollingPlan = { beforeSecond: 0, ties: 0, bytes: 0, files: 0, overdueBytes };
	if (quota <= 0 || blocks.every((b) => b.files === 0)) return plan;
	for (;;) {
		const decided = decide(blocks, secondOf, order, next, entries, quota, overdueBefore);
		if (decided) return { ...decided, overdueBytes };
		// the next oldest block (blocks of the same oldest second go in key order)
		if (next === most) return undefined;
		await readNext();
	}
}

/**
 * The plan, if the blocks read so far decide it: every second before the oldest of the
 * blocks not read is complete; the boundary is the first second whose files, with all
 * older, exceed the quota, and its files are taken in key order — decided only if the
 * quota is met before the first block not read that may hold files of that second.
 */
function decide(blocks: readonly BlockFacts[], secondOf: number[], order: number[], next: number, entries: Map<number, Verified[]>, quota: number, overdueBefore: number): Omit<RollingPlan, 'overdueBytes'> | undefined {
	const all = next === order.length;
	const complete = all ? Infinity : secondOf[order[next]!]!;
	const bySecond = new Map<number, number>();
	for (const list of entries.values()) for (const e of list) bySecond.set(toSecond(e.verifiedAt), (bySecond.get(toSecond(e.verifiedAt)) ?? 0) + e.size);
	const seconds = [...bySecond.keys()].sort((x, y) => x - y);
	// the boundary: a complete second, or the first incomplete one if its known files already exceed
	let boundary: number | undefined;
	let before = 0;
	for (const second of seconds) {
		if (second > complete) break;
		if (before + bySecond.get(second)! > quota || second === complete) {
			if (before + bySecond.get(second)! > quota) boundary = second;
			break;
		}
		before += bySecond.get(second)!;
	}
	if (boundary === undefined) {
		if (!all) return undefined;
		// everything fits: the last second, all of whose files are taken
		boundary = seconds[seconds.length - 1]!;
	}
	const plan = { beforeSecond: boundary, ties: 0, bytes: 0, files: 0 };
	let used = 0;
	for (const list of entries.values()) {
		for (const e of list) {
			if (toSecond(e.verifiedAt) >= boundary) continue;
			used += e.size;
			plan.files++;
		}
	}
	// files of the boundary second in key order: blocks in order, up to the first not read
	// that may hold some (its oldest verification is that second)
	let firstUnread = blocks.length;
	for (let i = next; i < order.length && secondOf[order[i]!] === boundary; i++) firstUnread = Math.min(firstUnread, order[i]!);
	for (let block = 0; block < firstUnread; block++) {
		for (const e of entries.get(block) ?? []) {
			if (toSecond(e.verifiedAt) !== boundary) continue;
			const alone = used === 0 && plan.ties === 0 && boundary < overdueBefore;
			if (used + e.size > quota && !alone) return { ...plan, bytes: used };
			used += e.size;
			plan.ties++;
			plan.files++;
			if (used >= quota) return { ...plan, bytes: used };
		}
	}
	// the quota not met before a block not read: read on (unless every block is read)
	return firstUnread === blocks.length ? { ...plan, bytes: used } : undefined;
}

/**
 * What a database records so the next run can often plan without reading it: the oldest
 * verification (to the second) and the size of the first file, in key order, verified then.
 */
export interface RollingHint {
	oldestSecond: number;
	firstSize: number;
	/** All bytes of the database. */
	bytes: number;
}

/**
 * The plan, from the hint alone, when it is sure to pick nothing: nothing is overdue and the
 * pace is less than the first candidate's size (oldest first, strictly, so nothing fits).
 * Undefined when the database must be read to plan. The same plan planRolling would make.
 */
export function planFromHint(hint: RollingHint, input: RollingInput): RollingPlan | undefined {
	const overdueBefore = toSecond(input.now - input.days * DAY_MS) + 1;
	if (hint.oldestSecond < overdueBefore) return undefined;
	let quota = hint.bytes * Math.min(1, Math.max(0, input.now - input.previousRunAt) / (input.days * DAY_MS));
	if (input.maxBytes !== undefined) quota = Math.min(quota, input.maxBytes);
	if (quota > 0 && hint.firstSize <= quota) return undefined;
	return { beforeSecond: quota > 0 ? hint.oldestSecond : 0, ties: 0, bytes: 0, files: 0, overdueBytes: 0 };
}

/** Walks the old database in key order with the plan: is this entry due? */
export class RollingSelector {
	private ties: number;

	constructor(private plan: RollingPlan) {
		this.ties = plan.ties;
	}

	/** Files verified in the plan's boundary second still to be picked. */
	get tiesLeft(): number {
		return this.ties;
	}

	/** Call once per old entry, in key order, whether or not it is still there. */
	due(verifiedAt: number): boolean {
		const second = toSecond(verifiedAt);
		if (second < this.plan.beforeSecond) return true;
		if (second === this.plan.beforeSecond && this.ties > 0) {
			this.ties--;
			return true;
		}
		return false;
	}
}

// --- internal ---

/** The second of a time in ms, as plans and hints count them. */
export const toSecond = (ms: number) => Math.max(0, Math.floor(ms / 1000));

function grow<T extends Uint32Array | Float64Array>(old: T, next: T): T {
	next.set(old as never);
	return next;
}

