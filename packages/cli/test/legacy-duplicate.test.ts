// Issue 19, SPEC §6: DuplicateFile, the original's event: a new file has the content (hash and
// size) of another monitored file. Its log, its details naming the other file, its subsection of
// A's report; informational, so it never changes the exit code.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventsSince, filler, lastReportSection, lastRun, logMark, pcAndNas, removeDir, runAs, T2, tempDir, typed, writeFiles } from './util/legacy.ts';

const SOURCE = filler('src.txt', 300);
const TREE = { 'a.txt': filler('a.txt', 200), 'sub/src.txt': SOURCE };

const test = suite('DuplicateFile');
const s = { dir: '', cfg: '', pc: '', nas: '' };
test.before(() => {
	s.dir = tempDir();
	Object.assign(s, pcAndNas(s.dir, TREE));
});
test.after(() => removeDir(s.dir));

test('first runs (B, then A): no DuplicateFile, BACKUP OK, exit 0', () => {
	const b = runAs(s.cfg, 'B');
	assert.is(b.status, 0, b.all);
	const a = runAs(s.cfg, 'A');
	assert.is(a.status, 0, a.all);
	assert.not.ok(eventsSince(s.cfg, 'A').some((e) => e.type === 'DuplicateFile'));
});

const marks = { A: new Map<string, number>(), B: new Map<string, number>() };

test("a copy of sub/src.txt made on both sides: B's run logs DuplicateFile Docs/copy.txt naming Docs/sub/src.txt in equilybrium.B.Event.DuplicateFile.log, and still exits 0", () => {
	writeFiles(s.pc, { 'copy.txt': SOURCE }, T2);
	writeFiles(s.nas, { 'copy.txt': SOURCE }, T2);
	marks.A = logMark(s.cfg, 'A');
	marks.B = logMark(s.cfg, 'B');
	const b = runAs(s.cfg, 'B');
	assert.is(b.status, 0, b.all);
	const lines = readFileSync(join(s.cfg, 'equilybrium.B.Event.DuplicateFile.log'), 'utf8').trimEnd().split('\n');
	assert.is(lines.length, 1, lines.join('\n'));
	const [at, type, key, details] = lines[0]!.split('\t');
	assert.match(at!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
	assert.equal([type, key], ['DuplicateFile', 'Docs/copy.txt']);
	assert.ok(details?.includes('Docs/sub/src.txt'), `details name the other file: ${details}`);
	assert.equal(typed(eventsSince(s.cfg, 'B', marks.B)), ['DuplicateFile Docs/copy.txt', 'NewFile Docs/copy.txt']);
	const record = lastRun(s.cfg, 'B');
	assert.equal([record.exitCode, record.counts.DuplicateFile], [0, 1]);
});

test("A's run: the same event, a DuplicateFile subsection in A's report naming both files, BACKUP OK and exit 0", () => {
	const a = runAs(s.cfg, 'A');
	assert.is(a.status, 0, a.all);
	assert.match(a.stdout, /^BACKUP OK/m, a.stdout);
	assert.equal(typed(eventsSince(s.cfg, 'A', marks.A)), ['DuplicateFile Docs/copy.txt', 'NewFile Docs/copy.txt']);
	const duplicate = eventsSince(s.cfg, 'A', marks.A).find((e) => e.type === 'DuplicateFile')!;
	assert.ok(duplicate.details.includes('Docs/sub/src.txt'), duplicate.details);
	const section = lastReportSection(s.cfg);
	// a heading line for DuplicateFile, then (before the next blank line) the copy with the file it copies
	assert.match(section, /^ *DuplicateFile\b.*\n(?:.+\n)*?.*Docs\/copy\.txt.*Docs\/sub\/src\.txt/m, section);
	assert.is(lastRun(s.cfg, 'A').counts.DuplicateFile, 1);
});

test.run();
