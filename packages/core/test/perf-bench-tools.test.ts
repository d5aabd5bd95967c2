// A smoke test of the benchmark's pieces (tools/bench-lib.ts, tools/make-tree.ts); the
// benchmark itself is `pnpm bench` and is never run as a test.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alternating, bestOf, table, timeCommand } from '../../../tools/bench-lib.ts';
import { makeTree } from '../../../tools/make-tree.ts';

const bench = suite('benchmark pieces');

bench('makeTree is deterministic: same sizes and bytes for the same spec', () => {
	const a = mkdtempSync(join(tmpdir(), 'eq-tree-'));
	const b = mkdtempSync(join(tmpdir(), 'eq-tree-'));
	try {
		const made = makeTree(a, { kind: 'small', count: 1200 });
		makeTree(b, { kind: 'small', count: 1200 });
		assert.is(made.files, 1200);
		assert.equal(readdirSync(a), ['d0000', 'd0001']);
		const sizes = (dir: string) => readdirSync(join(dir, 'd0001')).map((f) => statSync(join(dir, 'd0001', f)).size);
		assert.equal(sizes(a), sizes(b));
		assert.ok(sizes(a).every((s) => s >= 100 && s <= 8192));
	} finally {
		rmSync(a, { recursive: true, force: true });
		rmSync(b, { recursive: true, force: true });
	}
});

bench('the legacy tree (the adler32 row): small files of 1 – 64 KiB in folders of 1,000, and 20 large ones', () => {
	const a = mkdtempSync(join(tmpdir(), 'eq-tree-'));
	try {
		const made = makeTree(a, { kind: 'legacy', count: 1001, bytes: 3000 });
		assert.equal(readdirSync(a), ['d0000', 'd0001', 'large']);
		assert.is(made.files, 1021);
		const sizes = readdirSync(join(a, 'd0000')).map((f) => statSync(join(a, 'd0000', f)).size);
		assert.ok(sizes.every((s) => s >= 1024 && s <= 65536));
		assert.ok(Math.max(...sizes) - Math.min(...sizes) > 60_000, 'spread over the range');
		assert.equal(readdirSync(join(a, 'large')).map((f) => statSync(join(a, 'large', f)).size), new Array(20).fill(3000));
	} finally {
		rmSync(a, { recursive: true, force: true });
	}
});

bench('timeCommand measures, and reads peak RSS from /usr/bin/time -v when there', () => {
	const t = timeCommand('true');
	assert.is(t.status, 0);
	assert.ok(t.seconds >= 0);
	if (timeCommand('test -x /usr/bin/time').status === 0) {
		const m = timeCommand('node -e "Buffer.alloc(64 << 20, 1)"', { rss: true });
		assert.is(m.status, 0);
		assert.ok(m.maxRssKiB! > 64 * 1024, `peak ${m.maxRssKiB} KiB`);
	}
	const best = bestOf(3, () => timeCommand('true'));
	assert.is(best.all.length, 3);
	assert.is(best.seconds, Math.min(...best.all));
});

bench('timeCommand runs a command in the environment it is given, or in the process\'s', () => {
	const env = { PATH: process.env.PATH, BENCH_PROBE: 'given' };
	assert.is(timeCommand('test "$BENCH_PROBE" = given', { env }).status, 0);
	assert.is(timeCommand('test "$BENCH_PROBE" = given').status, 1, 'not in the process\'s own environment');
	assert.is(timeCommand('test -z "$BENCH_PROBE"', { env: { PATH: process.env.PATH } }).status, 0);
});

bench('alternating takes turns, ours then the peer, and keeps the best of each', () => {
	const calls: string[] = [];
	const ourTimes = [0.5, 0.3, 0.4];
	const peerTimes = [0.2, 0.25, 0.1];
	const { ours, peer } = alternating(
		3,
		() => (calls.push('ours'), { seconds: ourTimes[calls.filter((c) => c === 'ours').length - 1]!, status: 0 }),
		() => (calls.push('peer'), { seconds: peerTimes[calls.filter((c) => c === 'peer').length - 1]!, status: 0 }),
	);
	assert.equal(calls, ['ours', 'peer', 'ours', 'peer', 'ours', 'peer']);
	assert.is(ours.seconds, 0.3);
	assert.is(peer.seconds, 0.1);
	assert.equal(ours.all, ourTimes);
	assert.equal(peer.all, peerTimes);
});

bench('the table has a row per case and says which targets are met', () => {
	const text = table([
		{ case: 'big files', ours: '0.70 s', peerName: 'rhash', peer: '0.80 s', ratio: 0.875, target: '≤ 1.0 ×', met: true },
		{ case: 'small files', ours: '2.00 s', peerName: 'rhash', peer: '0.80 s', ratio: 2.5, target: '≤ 1.5 ×', met: false },
	]);
	const lines = text.split('\n');
	assert.is(lines.length, 4);
	assert.match(lines[2]!, /big files .*0\.88 × .*yes/);
	assert.match(lines[3]!, /small files .*2\.50 × .*NO/);
});

bench.run();
