// Issue 19, SPEC §3: a file that an `Exclude` glob or one of the original's filters newly leaves
// out is dropped from M quietly: no FileNotFound (it is still on disk), counted in the summary
// as "no longer monitored". A file really removed in the same run still is a FileNotFound.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { eventsSince, filler, lastRun, logMark, readM, removeDir, runAs, tempDir, typed, writeConfig, writeFiles } from './util/legacy.ts';

const TREE = {
	'keep.txt': filler('keep.txt', 200),
	'gone.txt': filler('gone.txt', 200),
	'd/app.log': filler('app.log', 200),
	'small.txt': filler('small.txt', 50),
	README: filler('README', 200),
	'@stuff/x.txt': filler('x.txt', 200),
};

const configText = (nas: string, settings = '') => `[Settings]
ID method = hostname
A = test-machine-a
B = test-machine-b
Hash algorithm = sha256
${settings}

[Monitored Directories]
A = []
B = {"Docs": "${nas}"}
`;

/** "1 no longer monitored" (or "no longer monitored: 1") in the run's summary. */
const NO_LONGER = /\b1 (files? )?no longer monitored|no longer monitored:? 1\b/i;

const CASES: { setting: string; leaving: string }[] = [
	{ setting: 'Exclude = ["*.log"]', leaving: 'd/app.log' },
	{ setting: 'Excluded_extensions = log', leaving: 'd/app.log' },
	{ setting: 'Excluded_files = app.log', leaving: 'd/app.log' },
	{ setting: 'Min_file_size = 100', leaving: 'small.txt' },
	{ setting: 'Include_files_with_no_extension = False', leaving: 'README' },
	{ setting: 'Avoid_at_dirs = B', leaving: '@stuff/x.txt' },
];

const test = suite('a file newly left out by the config leaves M quietly');

for (const { setting, leaving } of CASES) {
	test(`"${setting}" added after a run: ${leaving} leaves M, no FileNotFound, "1 no longer monitored" in the summary; gone.txt, really removed, is FileNotFound`, () => {
		const dir = tempDir();
		try {
			const nas = join(dir, 'nas');
			const cfg = join(dir, 'cfg');
			writeFiles(nas, TREE);
			writeConfig(cfg, configText(nas));
			const first = runAs(cfg, 'B');
			assert.is(first.status, 0, first.all);
			assert.ok(readM(cfg, 'B').has(`Docs/${leaving}`), 'monitored before');

			writeConfig(cfg, configText(nas, setting));
			unlinkSync(join(nas, 'gone.txt'));
			const mark = logMark(cfg, 'B');
			const second = runAs(cfg, 'B');
			assert.is(second.status, 0, second.all);
			assert.equal(typed(eventsSince(cfg, 'B', mark)), ['FileNotFound Docs/gone.txt'], second.all);
			assert.is(lastRun(cfg, 'B').counts.FileNotFound, 1);
			assert.match(second.stdout, NO_LONGER, second.stdout);
			assert.ok(existsSync(join(nas, leaving)), 'still on disk');
			const m = readM(cfg, 'B');
			assert.not.ok(m.has(`Docs/${leaving}`), 'no longer in M');
			assert.ok(m.has('Docs/keep.txt'));
			assert.not.ok(m.has('Docs/gone.txt'));
		} finally {
			removeDir(dir);
		}
	});
}

test.run();
