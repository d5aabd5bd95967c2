import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { emptyCounts, type RunResult } from '@equilybrium/core';
import { summaryLine } from '../src/commands/run.ts';

const DAY = 86_400_000;
// dates are the machine's local ones: 03:00 UTC is the evening before in New York
process.env.TZ = 'America/New_York';
const base: RunResult = {
	role: 'B', startedAt: Date.parse('2025-06-10T03:00:00Z'), finishedAt: Date.parse('2025-06-10T03:01:00Z'), algorithm: 'sha256',
	firstRun: false, files: 1000, bytes: 1 << 30, hashedFiles: 40, hashedBytes: 40 << 20, resumedFiles: 0,
	skippedFiles: 0,
	counts: emptyCounts(), alarming: false, aborted: false,
};

const summary = suite('summary line: rolling coverage and resume');

summary('rolling: what was re-verified, the share within N days, the oldest verification', () => {
	const line = summaryLine({
		...base,
		rolling: { plannedFiles: 40, plannedBytes: 40 << 20, verifiedFiles: 40, verifiedBytes: 40 << 20, deferredFiles: 0 },
		coverage: { days: 30, files: 1000, verifiedFiles: 987, bytes: 1 << 30, verifiedBytes: 1 << 29, share: 0.987, oldestVerifiedAt: base.startedAt - 45 * DAY },
	});
	assert.match(line, /rolling: 40 unchanged files re-verified \(40(\.0)? MiB\); 98\.7 % verified within 30 days, oldest 2025-04-25/);
});

summary('never rounds up to 100 %; deferred files are told', () => {
	const line = summaryLine({
		...base,
		rolling: { plannedFiles: 10, plannedBytes: 0, verifiedFiles: 4, verifiedBytes: 0, deferredFiles: 6 },
		coverage: { days: 7, files: 100_000, verifiedFiles: 99_999, bytes: 1, verifiedBytes: 1, share: 0.99999, oldestVerifiedAt: base.startedAt },
	});
	assert.match(line, /4 unchanged files re-verified .*, 6 left for the next run \(Max run time\); 99\.9 % verified within 7 days/);
});

summary('full verification: no rolling part; a resumed run says so', () => {
	const plain = summaryLine(base);
	assert.not.match(plain, /rolling/);
	assert.match(summaryLine({ ...base, resumedFiles: 1234 }), /continued a stopped run \(1,234 files taken from its checkpoint\)/);
});

summary('files left out by the config, --new-only and a dry run are told; a plain run says none of them', () => {
	assert.match(summaryLine({ ...base, noLongerMonitored: 3 }), / — 3 files no longer monitored \(left out by the config\)/);
	assert.match(summaryLine(base, { newOnly: true }), / — new files only \(--new-only\): known files were not read/);
	assert.match(summaryLine({ ...base, firstRun: true }, { dryRun: true }), / — first run \(dry run: no database created\)/);
	assert.not.match(summaryLine(base), /no longer monitored|new files only|dry run/);
});

summary.run();
