// import-legacy's entries put in key order (legacy/sorted.ts): in memory when they are few,
// through sorted scratch files merged back when they are many; the same order either way, a
// key recorded twice kept once (the first recorded), and no scratch file left behind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { SortedEntries, type Placed } from '../src/legacy/sorted.ts';
import { removeDir, tempDir } from './util/tree.ts';

/** `n` entries in a scrambled order, keys with escapes and non-ASCII, every 7th key given twice (a second digest later). */
function scrambled(n: number): Placed[] {
	const out: Placed[] = [];
	const again: Placed[] = [];
	for (let i = 0; i < n; i++) {
		const j = (i * 7919) % n;
		out.push({ key: `docs/${j % 97}/fïle "${j}"\\.txt`, size: j, hash: j.toString(16).padStart(8, '0') });
		// recorded again under another digest, in a later run of the sort
		if (j % 7 === 0) again.push({ key: `docs/${j % 97}/fïle "${j}"\\.txt`, size: 0, hash: 'ffffffff' });
	}
	return [...out, ...again];
}

async function through(entries: Placed[], dir: string, lowMemory: boolean): Promise<{ sorted: Placed[]; repeated: number; scratch: string[] }> {
	const sorting = new SortedEntries(dir, 'A', lowMemory);
	for (const e of entries) await sorting.add(e);
	const scratch = readdirSync(dir);
	const sorted: Placed[] = [];
	for await (const e of sorting.sorted()) sorted.push(e);
	await sorting.close();
	return { sorted, repeated: sorting.repeated, scratch };
}

/** Equal lists, told by the first difference (uvu's diff of 50,000 entries takes minutes). */
function same(got: Placed[], want: Placed[]): void {
	const at = got.findIndex((e, i) => JSON.stringify(e) !== JSON.stringify(want[i]));
	assert.ok(at < 0 && got.length === want.length, `entry ${at} of ${got.length} (want ${want.length}): ${JSON.stringify(got[at])} against ${JSON.stringify(want[at])}`);
}

const test = suite('the entries in key order');
let dir = '';
test.before.each(() => {
	dir = tempDir();
});
test.after.each(() => removeDir(dir));

test('50,000 entries with a small heap go through scratch files, and come out as sorted in memory: each key once, the first recorded', async () => {
	const entries = scrambled(50_000);
	const want = [...entries].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).filter((e, i, all) => i === 0 || e.key !== all[i - 1]!.key);
	assert.ok(want.every((e) => e.hash !== 'ffffffff'), 'the first of each repeated key is the one kept');
	const spilled = await through(entries, dir, true);
	assert.ok(spilled.scratch.length >= 2, `sorted runs were written: ${spilled.scratch}`);
	assert.ok(spilled.scratch.every((name) => /^equilybrium\.A\.import-\d+\.tmp$/.test(name)), spilled.scratch.join());
	same(spilled.sorted, want);
	assert.is(spilled.repeated, entries.length - want.length);
	assert.equal(readdirSync(dir), [], 'no scratch file left');
	const inMemory = await through(entries, dir, false);
	assert.equal(inMemory.scratch, [], 'fewer than a run: none written');
	same(inMemory.sorted, want);
});

test.run();
