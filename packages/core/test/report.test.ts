import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
	compareSides,
	emptyDigest,
	latestReportSection,
	readEventsSince,
	renderReportSection,
	VERDICTS,
	type Comparison,
	type EventDigest,
	type ReportInput,
} from '../src/index.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { buildScenario, T } from './util/scenario.ts';
import { runCli } from './util/bundle.ts';

const GOLDEN = new URL('../../../fixtures/reports/scenario.txt', import.meta.url);

// times in the report are the machine's local time with its offset: fixed here, so the text is too
// (Paris is two hours ahead of UTC in June, the scenario's month); the CLI's runs inherit it
process.env.TZ = 'Europe/Paris';

async function scenarioInput(limit = 20): Promise<{ input: ReportInput; dir: string }> {
	const s = await buildScenario();
	const comparison = await compareSides({ configDir: s.cfg, now: T.aSecond, staleAfterDays: 3, sampleLimit: limit });
	const r = s.aSecond.result;
	return {
		dir: s.dir,
		input: {
			at: T.aSecond,
			aRun: { startedAt: r.startedAt, finishedAt: r.finishedAt + 83_000, files: r.files, bytes: r.bytes, algorithm: r.algorithm },
			comparison,
			aEvents: await readEventsSince(s.cfg, 'A', r.startedAt, limit),
			bEvents: await readEventsSince(s.cfg, 'B', T.bFirst + 1, limit),
			bEventsSince: T.bFirst,
			limit,
		},
	};
}

const golden = suite('the golden report');

golden('the scenario renders exactly as fixtures/reports/scenario.txt', async () => {
	const { input, dir } = await scenarioInput();
	// B's paths live in this run's temp folder: the one part of the text that is not fixed
	const text = renderReportSection(input).split(dir).join('<scenario>');
	if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, text);
	assert.ok(existsSync(GOLDEN), 'run once with UPDATE_GOLDEN=1 to write the fixture, then review it');
	assert.fixture(text, readFileSync(GOLDEN, 'utf8'));
	removeDir(dir);
});

golden('its first five lines say whether the backup is OK, and what is at risk', async () => {
	const { input, dir } = await scenarioInput();
	const head = renderReportSection(input).split('\n').slice(0, 5);
	assert.match(head[0]!, /^=== Equilybrium report 2024-06-03 10:00:00\.000 \+02:00 ===$/);
	assert.match(head[1]!, /^ACTION NEEDED — 6 files \(.*\) at risk: 3 missing on B, 1 outdated on B, 1 corrupted on B, 1 corrupted on A\./);
	assert.match(head[3]!, /^B last ran 2024-06-02 22:00 \+02:00 \(12 hours before this report\)/);
	assert.match(head[4]!, /^Changes on A this run: 1 new, 1 modified, 1 corrupted\.$/);
	removeDir(dir);
});

golden.run();

// ---

const headlines = suite('headlines for every state');

function comparison(b: Comparison['b'], counts: Partial<Record<string, number>>, bProblem?: string): Comparison {
	const all = VERDICTS;
	const c: Comparison = {
		b,
		a: { startedAt: '', finishedAt: '', files: 10, bytes: 10_240, algorithm: 'sha256' },
		bRun: { startedAt: '2024-06-02T20:00:00.000Z', finishedAt: '2024-06-02T20:05:00.000Z', files: 10, bytes: 10_240, algorithm: 'sha256' },
		counts: Object.fromEntries(all.map((v) => [v, { files: counts[v] ?? 0, bytes: (counts[v] ?? 0) * 1024 }])) as Comparison['counts'],
		samples: Object.fromEntries(all.map((v) => [v, []])) as unknown as Comparison['samples'],
		items: async function* () {},
	};
	if (bProblem) c.bProblem = bProblem;
	return c;
}

function render(c: Comparison, aEvents = emptyDigest()): string[] {
	return renderReportSection({
		at: T.aSecond,
		aRun: { startedAt: T.aSecond - 60_000, finishedAt: T.aSecond, files: 10, bytes: 10_240, algorithm: 'sha256' },
		comparison: c,
		aEvents,
		bEvents: emptyDigest(),
		limit: 3,
	}).trimEnd().split('\n');
}

headlines('all backed up: BACKUP OK, and a quiet run is a short section', () => {
	const lines = render(comparison('ok', { backedUp: 10 }));
	assert.is(lines[1], 'BACKUP OK — all 10 files (10 KiB) on A have a correct copy on B.');
	assert.ok(lines.length <= 6, lines.join('\n'));
});

headlines('changes waiting for the sync: OK so far', () => {
	assert.match(render(comparison('ok', { backedUp: 8, pending: 2 }))[1]!, /^BACKUP OK SO FAR — 8 files .* 2 files changed since B's last run/);
});

headlines('B missing or unsealed: NOT VERIFIED, with the reason', () => {
	assert.match(render(comparison('missing', {}, 'B has never run'))[1]!, /^NOT VERIFIED — 10 files \(10 KiB\) on A could not be checked against B\. B has never run\.$/);
	assert.match(render(comparison('unsealed', {}, "B's database fails its seal"))[1]!, /^NOT VERIFIED — .*fails its seal/);
});

headlines('B stale: NOT UP TO DATE', () => {
	assert.match(render(comparison('stale', { backedUp: 10 }, 'B last ran 5 days ago'))[1]!, /^NOT UP TO DATE — .*B last ran 5 days ago/);
});

headlines('problems on A alone: CHECK A', () => {
	const events = emptyDigest();
	events.counts.FileUnreadable = 2;
	const lines = render(comparison('ok', { backedUp: 10 }), events);
	assert.match(lines[1]!, /^CHECK A — the backup is complete, but A reported 2 unreadable/);
	assert.ok(lines.some((l) => l.startsWith('  Unreadable on A (2 files)')));
});

headlines('with Verify = rolling N, the coverage of A is shown', () => {
	const lines = renderReportSection({
		at: T.aSecond,
		aRun: {
			startedAt: T.aSecond - 60_000, finishedAt: T.aSecond, files: 10, bytes: 10_240, algorithm: 'sha256',
			coverage: { days: 30, files: 8, verifiedFiles: 7, share: 7 / 8, oldestVerifiedAt: Date.parse('2024-04-20T10:00:00Z') },
		},
		comparison: comparison('ok', { backedUp: 10 }),
		aEvents: emptyDigest(),
		bEvents: emptyDigest(),
		limit: 3,
	}).split('\n');
	assert.ok(lines.includes("Rolling verification: 87.5 % of A's files (7 of 8) verified within 30 days; the oldest verification is from 2024-04-20 12:00 +02:00."), lines.join('\n'));
	assert.match(lines[1]!, /^BACKUP OK/);
});

headlines('very long lists are cut with a count and where the rest is', async () => {
	const c = comparison('ok', { missingOnB: 5 });
	c.samples.missingOnB = ['a', 'b', 'c', 'd', 'e'].map((k) => ({ verdict: 'missingOnB', key: `docs/${k}`, size: 1024, hash: 'x' }));
	const lines = render(c);
	assert.ok(lines.includes('    docs/c (1.0 KiB)'));
	assert.not.ok(lines.includes('    docs/d (1.0 KiB)'));
	assert.ok(lines.includes('    … and 2 more: run "equilybrium compare --json" for the full list'));
});

headlines.run();

// ---

const file = suite('the report file, through the CLI');

file('every A run appends a dated section, never rewriting; `report` prints the latest', async () => {
	const dir = tempDir();
	writeTree(join(dir, 'A'), { 'a.txt': 'alpha' });
	writeTree(join(dir, 'B'), { 'a.txt': 'alpha' });
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'A')], b: [join(dir, 'B')] });
	const cfg = join(dir, 'cfg');
	assert.is(runCli(['run', '--config', cfg, '--role', 'B']).status, 0);
	const first = runCli(['run', '--config', cfg, '--role', 'A']);
	assert.is(first.status, 0, first.stdout + first.stderr);
	assert.match(first.stdout, /BACKUP OK — all 1 file \(5 B\) on A have a correct copy on B\./);
	const report = join(cfg, 'equilybrium.report.txt');
	const afterFirst = readFileSync(report, 'utf8');
	assert.match(afterFirst, /^=== Equilybrium report \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+0[12]:00 ===\nBACKUP OK/);
	writeTree(join(dir, 'B'), { 'gone-from-a.txt': 'x' });
	assert.is(runCli(['run', '--config', cfg, '--role', 'B']).status, 0);
	const second = runCli(['run', '--config', cfg, '--role', 'A']);
	assert.is(second.status, 0);
	const afterSecond = readFileSync(report, 'utf8');
	assert.ok(afterSecond.startsWith(afterFirst), 'appended, the first section untouched');
	assert.is(afterSecond.match(/^=== Equilybrium report/gm)!.length, 2);
	const latest = await latestReportSection(cfg);
	assert.match(latest!.text, /B's events since the last report .*:\n  NewFile \(1\)\n    B\/gone-from-a\.txt\n/);
	assert.not.match(latest!.text, /B\/a\.txt/, "B's events from before the last report are not repeated");
	const printed = runCli(['report', '--config', cfg]);
	assert.is(printed.status, 0);
	assert.is(printed.stdout, latest!.text);
	removeDir(dir);
});

file('a heading in local time or in UTC (sections written before) is read back to the millisecond', async () => {
	const dir = tempDir();
	const at = Date.parse('2026-11-22T03:05:12.418Z');
	process.env.TZ = 'America/New_York';
	assert.match(renderReportSection({
		at, aRun: { startedAt: at - 60_000, finishedAt: at, files: 1, bytes: 1, algorithm: 'sha256' },
		comparison: comparison('ok', { backedUp: 1 }), aEvents: emptyDigest(), bEvents: emptyDigest(), limit: 3,
	}), /^=== Equilybrium report 2026-11-21 22:05:12\.418 -05:00 ===\n/);
	process.env.TZ = 'Europe/Paris';
	for (const heading of ['2026-11-22 03:05:12.418 UTC', '2026-11-22 04:05:12.418 +01:00', '2026-11-21 22:05:12.418 -05:00']) {
		writeFileSync(join(dir, 'equilybrium.report.txt'), `=== Equilybrium report 2026-11-20 03:00:00.000 UTC ===\nolder\n\n=== Equilybrium report ${heading} ===\nBACKUP OK\n`);
		const latest = await latestReportSection(dir);
		assert.is(latest?.at, at, heading);
		assert.is(latest?.text, `=== Equilybrium report ${heading} ===\nBACKUP OK\n`);
	}
	removeDir(dir);
});

file('`report` with no report yet says so', () => {
	const dir = tempDir();
	writeConfig(dir, { a: [dir] });
	const r = runCli(['report', '--config', dir]);
	assert.is(r.status, 1);
	assert.match(r.stderr, /no report yet/);
	removeDir(dir);
});

file.run();
