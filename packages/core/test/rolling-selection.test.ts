import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, openDb, runMonitor, type DbEntry, type RunResult } from '../src/index.ts';
import { LISTING_BLOCK } from '../src/db/index.ts';
import { planFromBlocks, planFromHint, planRolling, RollingSelector, DAY_MS, type Verified } from '../src/run/rolling.ts';
import { CoverageCounter } from '../src/run/coverage.ts';
import { host } from './util/host.ts';

const T0 = Date.parse('2025-03-01T03:00:00Z');
const day = (n: number) => T0 + n * DAY_MS;

async function* list(items: Verified[]): AsyncGenerator<Verified> {
	yield* items;
}

/** Which entries (by position, key order) the plan selects. */
async function selected(items: Verified[], input: Parameters<typeof planRolling>[2]): Promise<number[]> {
	const plan = await planRolling(list(items), items.length, input);
	const selector = new RollingSelector(plan);
	return items.flatMap((item, i) => (selector.due(item.verifiedAt) ? [i] : []));
}

const plan = suite('planRolling');

plan('oldest first, whatever the key order', async () => {
	const items = [day(5), day(1), day(3), day(2), day(4)].map((verifiedAt) => ({ size: 100, verifiedAt }));
	// 30 days, 6 days since the last run: pace = 500 bytes × 6/30 = 100 → the oldest file
	assert.equal(await selected(items, { now: day(6), days: 30, previousRunAt: day(0) }), [1]);
	// 12 days since: 200 bytes → the two oldest
	assert.equal(await selected(items, { now: day(12), days: 30, previousRunAt: day(0) }), [1, 3]);
});

plan('everything overdue is due, even beyond the pace', async () => {
	const items = [day(0), day(20), day(1), day(25)].map((verifiedAt) => ({ size: 10, verifiedAt }));
	// 10 days: day 0 and day 1 are overdue at day 11; the pace (1 day) asks for less
	assert.equal(await selected(items, { now: day(11), days: 10, previousRunAt: day(10) }), [0, 2]);
});

plan('Max bytes is respected, oldest first, stopping at the first file that does not fit', async () => {
	const items = [
		{ size: 100, verifiedAt: day(1) },
		{ size: 300, verifiedAt: day(2) },
		{ size: 50, verifiedAt: day(3) },
		{ size: 100, verifiedAt: day(0) },
	];
	// all overdue at day 40; 250 bytes allowed: day 0 (100) then day 1 (100); day 2 (300) does
	// not fit and ends the selection even though day 3 (50) would
	const picked = await selected(items, { now: day(40), days: 10, previousRunAt: day(39), maxBytes: 250 });
	assert.equal(picked, [0, 3]);
	const p = await planRolling(list(items), 2, { now: day(40), days: 10, previousRunAt: day(39), maxBytes: 250 });
	assert.is(p.bytes, 200);
	assert.ok(p.bytes <= 250);
	assert.is(p.overdueBytes, 550);
});

plan('the hint a database records plans exactly as reading it would, when it decides at all', async () => {
	// a deterministic pseudo-random walk over many trees, clocks and budgets
	let seed = 42;
	const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	let decided = 0;
	for (let round = 0; round < 400; round++) {
		const n = 1 + Math.floor(random() * 40);
		const items = Array.from({ length: n }, () => ({ size: Math.floor(random() * 5000), verifiedAt: day(Math.floor(random() * 20)) + Math.floor(random() * 3) * 1000 }));
		const days = [10, 19, 21, 30][round % 4]!;
		const input = { now: day(20) + Math.floor(random() * 30 * 60_000), days, previousRunAt: day(20) - Math.floor(random() * 2 * DAY_MS), ...(random() < 0.3 ? { maxBytes: Math.floor(random() * 3000) } : {}) };
		const counter = new CoverageCounter(input.now, input.days);
		for (const item of items) counter.add(item.size, item.verifiedAt);
		const fromHint = planFromHint(counter.hint()!, input);
		if (!fromHint) continue;
		decided++;
		const read = await planRolling(list(items), n, input);
		assert.is(fromHint.files, read.files, `round ${round}`);
		assert.is(fromHint.bytes, read.bytes, `round ${round}`);
		assert.is(fromHint.overdueBytes, read.overdueBytes, `round ${round}`);
		const due = (plan: typeof read) => {
			const selector = new RollingSelector(plan);
			return items.filter((item) => selector.due(item.verifiedAt)).length;
		};
		assert.is(due(fromHint), due(read), `round ${round}`);
	}
	assert.ok(decided > 50, `the hint decided ${decided} of 400 plans`);
});

plan('planning from the blocks, reading only those it needs, plans exactly as one pass over all would', async () => {
	let seed = 7;
	const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
	let planned = 0;
	let partly = 0;
	for (let round = 0; round < 600; round++) {
		const n = 1 + Math.floor(random() * 300);
		// runs of files verified together, as daily runs leave them, or scattered
		const runs = round % 2 === 0;
		const items = Array.from({ length: n }, (_, i) => ({
			size: Math.floor(random() * 5000),
			verifiedAt: runs ? day(Math.floor((i / n) * 20 + random())) + (i % 3) * 1000 : day(Math.floor(random() * 20)) + Math.floor(random() * 3) * 1000,
		}));
		const size = 1 + Math.floor(random() * 12);
		const blocks: { oldest: number; bytes: number; files: number; items: Verified[] }[] = [];
		for (let at = 0; at < n; at += size) {
			const part = items.slice(at, at + size);
			blocks.push({ oldest: Math.min(...part.map((e) => e.verifiedAt)), bytes: part.reduce((sum, e) => sum + e.size, 0), files: part.length, items: part });
		}
		const days = [10, 19, 21, 30][round % 4]!;
		const input = { now: day(20) + Math.floor(random() * 30 * 60_000), days, previousRunAt: day(20) - Math.floor(random() * 3 * DAY_MS), ...(random() < 0.3 ? { maxBytes: Math.floor(random() * 30_000) } : {}) };
		const readBlocks = new Set<number>();
		const fromBlocks = await planFromBlocks(blocks, async (b) => (readBlocks.add(b), blocks[b]!.items), input);
		if (!fromBlocks) continue;
		planned++;
		if (readBlocks.size < blocks.length) partly++;
		const all = await planRolling(list(items), n, input);
		assert.equal(fromBlocks, all, `round ${round}`);
	}
	assert.ok(planned > 300, `planned from the blocks ${planned} times of 600`);
	assert.ok(partly > 100, `without reading every block ${partly} times`);
});

plan('the hint steps aside when something may be due', () => {
	const hint = { oldestSecond: Math.floor(day(0) / 1000), firstSize: 10, bytes: 1_000_000 };
	// overdue at day 40 (10 days): must read
	assert.is(planFromHint(hint, { now: day(40), days: 10, previousRunAt: day(39) }), undefined);
	// a day of pace over 30 days is 33 kB: the 10-byte oldest file fits, must read
	assert.is(planFromHint(hint, { now: day(5), days: 30, previousRunAt: day(4) }), undefined);
	// a second later: nothing fits
	assert.is(planFromHint(hint, { now: day(5), days: 30, previousRunAt: day(5) - 1 })?.files, 0);
});

plan('files verified in the same second are taken in key order', async () => {
	const items = Array.from({ length: 6 }, () => ({ size: 10, verifiedAt: day(0) + 123 }));
	assert.equal(await selected(items, { now: day(20), days: 10, previousRunAt: day(19), maxBytes: 35 }), [0, 1, 2]);
});

plan('an overdue file larger than the whole budget still gets its turn, alone', async () => {
	const items = [{ size: 10, verifiedAt: day(5) }, { size: 1000, verifiedAt: day(0) }];
	assert.equal(await selected(items, { now: day(40), days: 10, previousRunAt: day(39), maxBytes: 100 }), [1]);
});

plan('nothing due right after a run', async () => {
	const items = Array.from({ length: 100 }, (_, i) => ({ size: 1000, verifiedAt: day(0) + i }));
	assert.equal(await selected(items, { now: day(0) + 5000, days: 30, previousRunAt: day(0) }), []);
});

// --- through runMonitor ---

function makeTree(files: number, size: number): { dir: string; data: string } {
	const dir = mkdtempSync(join(tmpdir(), 'eq-rolling-'));
	const data = join(dir, 'data');
	mkdirSync(data);
	const mtime = new Date(T0 - DAY_MS);
	for (let i = 0; i < files; i++) {
		const path = join(data, `f${String(i).padStart(2, '0')}.bin`);
		writeFileSync(path, Buffer.alloc(size, i));
		utimesSync(path, mtime, mtime);
	}
	return { dir, data };
}

function writeConfig(dir: string, data: string, extra: string): void {
	writeFileSync(
		join(dir, 'equilybrium.config.ini'),
		`[Settings]\nID method = hostname\nA = test-a\nHash algorithm = sha256\n${extra}\n[Monitored Directories]\nA = ${JSON.stringify({ data })}\n`,
	);
}

async function runAt(dir: string, at: number): Promise<RunResult> {
	const config = await loadConfig(dir);
	return runMonitor({ host, config, role: 'A', toolVersion: 'test', now: () => at });
}

async function entries(dir: string): Promise<DbEntry[]> {
	const db = await openDb(join(dir, 'equilybrium.A.DB.json'));
	const out: DbEntry[] = [];
	for await (const e of db!.entries()) out.push(e);
	return out;
}

const run = suite('runMonitor with Verify = rolling N');

run('daily runs spread the verification over N days; coverage is right at each step', async () => {
	const { dir, data } = makeTree(10, 100);
	try {
		writeConfig(dir, data, 'Verify = rolling 10');
		const first = await runAt(dir, day(0));
		assert.is(first.hashedFiles, 10);
		assert.equal(first.coverage, { days: 10, files: 10, verifiedFiles: 10, bytes: 1000, verifiedBytes: 1000, share: 1, oldestVerifiedAt: day(0) });
		for (let n = 1; n <= 10; n++) {
			const r = await runAt(dir, day(n));
			// pace: 1000 bytes × 1 day / 10 days = 100 bytes = one file a day, the oldest
			assert.is(r.rolling!.verifiedFiles, 1, `day ${n}`);
			assert.is(r.hashedFiles, 1);
			const verified = (await entries(dir)).map((e) => e.verifiedAt);
			assert.is(verified[n - 1], day(n), `day ${n}: file ${n - 1} re-verified`);
			// files still at day 0 are outside the 10 days from day 10 on
			const stale = n >= 10 ? 10 - n : 0;
			assert.is(r.coverage!.verifiedFiles, 10 - Math.max(0, stale), `day ${n}`);
			assert.is(r.coverage!.oldestVerifiedAt, n < 10 ? day(0) : day(1));
		}
		const all = (await entries(dir)).map((e) => e.verifiedAt);
		assert.equal(all, Array.from({ length: 10 }, (_, i) => day(i + 1)), 'every file re-verified within 10 days');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

run('Max bytes caps the re-verification; the coverage figure shows what is left', async () => {
	const { dir, data } = makeTree(10, 100);
	try {
		writeConfig(dir, data, 'Verify = rolling 10\nMax bytes = 250');
		await runAt(dir, day(0));
		const r = await runAt(dir, day(20));
		assert.is(r.rolling!.plannedFiles, 2);
		assert.is(r.rolling!.verifiedFiles, 2);
		assert.is(r.rolling!.verifiedBytes, 200);
		assert.is(r.hashedBytes, 200);
		assert.equal(r.coverage!.verifiedFiles, 2);
		assert.is(r.coverage!.share, 0.2);
		assert.is(r.coverage!.oldestVerifiedAt, day(0));
		const verified = (await entries(dir)).map((e) => e.verifiedAt);
		assert.equal(verified.slice(0, 3), [day(20), day(20), day(0)]);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

run('new and changed files are hashed whatever the budget', async () => {
	const { dir, data } = makeTree(4, 100);
	try {
		writeConfig(dir, data, 'Verify = rolling 10\nMax bytes = 1');
		await runAt(dir, day(0));
		writeFileSync(join(data, 'new.bin'), 'new');
		writeFileSync(join(data, 'f00.bin'), 'changed');
		const r = await runAt(dir, day(1));
		assert.is(r.hashedFiles, 2);
		assert.is(r.counts.NewFile, 1);
		assert.is(r.counts.FileModified, 1);
		assert.is(r.rolling!.verifiedFiles, 0);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

run('Max run time: due files past the time budget wait for the next run', async () => {
	const { dir, data } = makeTree(6, 100);
	try {
		writeConfig(dir, data, 'Verify = rolling 10\nMax run time = 10 min');
		await runAt(dir, day(0));
		const config = await loadConfig(dir);
		// a clock that moves 4 minutes each time it is read: the budget runs out part-way
		let t = day(30);
		const r = await runMonitor({ host, config, role: 'A', toolVersion: 'test', now: () => (t += 4 * 60_000) });
		assert.is(r.rolling!.plannedFiles, 6);
		assert.ok(r.rolling!.verifiedFiles > 0 && r.rolling!.verifiedFiles < 6, `verified ${r.rolling!.verifiedFiles}`);
		assert.is(r.rolling!.verifiedFiles + r.rolling!.deferredFiles, 6);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

run('Verify = full has no rolling figures and re-hashes everything', async () => {
	const { dir, data } = makeTree(3, 10);
	try {
		writeConfig(dir, data, 'Verify = full');
		await runAt(dir, day(0));
		const r = await runAt(dir, day(0) + 1000);
		assert.is(r.hashedFiles, 3);
		assert.is(r.rolling, undefined);
		assert.is(r.coverage, undefined);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

/** `blocks` full blocks of 100-byte files, one folder a block, configured for rolling `blocks` (a block's worth due a day). */
function blockTree(blocks: number, name: string): { dir: string; data: string; files: number; path: (i: number) => string } {
	const dir = mkdtempSync(join(tmpdir(), name));
	const data = join(dir, 'data');
	const files = blocks * LISTING_BLOCK;
	const path = (i: number) => join(data, `d${Math.floor(i / LISTING_BLOCK)}`, `f${String(i).padStart(5, '0')}.bin`);
	const mtime = new Date(T0 - DAY_MS);
	for (let i = 0; i < files; i++) {
		if (i % LISTING_BLOCK === 0) mkdirSync(join(data, `d${i / LISTING_BLOCK}`), { recursive: true });
		writeFileSync(path(i), Buffer.alloc(100, i & 255));
		utimesSync(path(i), mtime, mtime);
	}
	writeConfig(dir, data, `Verify = rolling ${blocks}`);
	return { dir, data, files, path };
}

run('daily runs compare only the block that holds the day’s files; the others are skipped', async () => {
	const blocks = 4;
	const { dir, files } = blockTree(blocks, 'eq-rolling-skip-');
	try {
		await runAt(dir, day(0));
		for (let n = 1; n <= 3; n++) {
			const r = await runAt(dir, day(n));
			assert.is(r.rolling!.verifiedFiles, LISTING_BLOCK, `day ${n}: one block's files re-verified`);
			// the blocks verified the days before, and those after the day's (the plan takes the
			// files verified in its boundary second in key order: the day's block has them all)
			assert.is(r.skippedFiles, (blocks - 1) * LISTING_BLOCK, `day ${n}: every other block skipped`);
			assert.is(r.coverage!.files, files);
			assert.is(r.coverage!.verifiedFiles, files);
			const verified = (await entries(dir)).map((e) => e.verifiedAt);
			const expected = Array.from({ length: files }, (_, i) => (Math.floor(i / LISTING_BLOCK) < n ? day(Math.floor(i / LISTING_BLOCK) + 1) : day(0)));
			assert.equal(verified, expected, `day ${n}: each file verified when its block was due`);
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

run('a due block, skipped blocks, then a changed one: each found as a full comparison finds it', async () => {
	const blocks = 4;
	const { dir, data, files, path } = blockTree(blocks, 'eq-rolling-mixed-');
	try {
		await runAt(dir, day(0));
		// in the last block: one file edited, one removed, one added
		writeFileSync(path(3 * LISTING_BLOCK + 10), Buffer.alloc(100, 200));
		rmSync(path(3 * LISTING_BLOCK + 20));
		writeFileSync(join(data, 'd3', 'new.bin'), 'new');
		const events: string[] = [];
		const config = await loadConfig(dir);
		const r = await runMonitor({ host, config, role: 'A', toolVersion: 'test', now: () => day(1), onEvent: (e) => events.push(`${e.type} ${e.key}`) });
		assert.equal(events.sort(), [`FileModified data/d3/f${String(3 * LISTING_BLOCK + 10).padStart(5, '0')}.bin`, `FileNotFound data/d3/f${String(3 * LISTING_BLOCK + 20).padStart(5, '0')}.bin`, 'NewFile data/d3/new.bin']);
		assert.is(r.rolling!.verifiedFiles, LISTING_BLOCK, 'the due block re-verified');
		assert.is(r.skippedFiles, 2 * LISTING_BLOCK, 'the two blocks between skipped');
		const stored = await entries(dir);
		assert.is(stored.length, files, 'one removed, one added');
		const at = (i: number) => stored.find((e) => e.key === `data/d${Math.floor(i / LISTING_BLOCK)}/f${String(i).padStart(5, '0')}.bin`)!;
		assert.is(at(5).verifiedAt, day(1), 'a file of the due block: verified today');
		assert.is(at(LISTING_BLOCK + 5).verifiedAt, day(0), 'a file of a skipped block: as it was');
		assert.is(at(3 * LISTING_BLOCK + 10).verifiedAt, day(1), 'the edited file: hashed today');
		// and the next day goes on from that database: a quarter of its bytes (100 fewer, 3 more)
		// is 1,023 files, all in the second block; the three others are skipped
		const next = await runAt(dir, day(2));
		assert.is(next.rolling!.verifiedFiles, Math.floor((files * 100 - 100 + 3) / blocks / 100));
		assert.is(next.skippedFiles, 3 * LISTING_BLOCK);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

plan.run();
run.run();
