// Issue 19, SPEC §10: the original's --simulate and --differential_scan.
// `run --dry-run` (alias --simulate): the whole run, its events and verdict printed, nothing
// written in the config folder: each file there is compared byte for byte (and by mtime) before
// and after, then a real run shows the dry run told the same events, verdict and exit code.
// `run --new-only` (alias --differential-scan): only the files M does not hold are hashed.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { eventsSince, filler, lastReportSection, lastRun, logMark, pcAndNas, readM, removeDir, runAs, snapshot, T2, tempDir, typed, writeFiles, type Ran, type Role } from './util/legacy.ts';
import { rot } from './util/legacy-scenario.ts';

const TREE = { 'a.txt': filler('a.txt', 200), 'b.txt': filler('b.txt', 200), 'c.txt': filler('c.txt', 200), 'sub/d.txt': filler('d.txt', 300) };

const setUp = (dir: string) => pcAndNas(dir, TREE);

/**
 * A dry run, then the real run: the config folder is the same before and after the dry run, and
 * every event the real run logs is printed by the dry run (a line naming its type and key),
 * with A's verdict line and the same exit code.
 */
function dryThenReal(cfg: string, role: Role, flag: string): { dry: Ran; real: Ran } {
	const before = snapshot(cfg);
	const dry = runAs(cfg, role, [flag]);
	assert.ok(dry.status === 0 || dry.status === 1, `${flag}: exit ${dry.status}\n${dry.all}`);
	assert.equal(snapshot(cfg), before, `${flag} wrote in the config folder`);

	const mark = logMark(cfg, role);
	const real = runAs(cfg, role);
	const events = eventsSince(cfg, role, mark);
	assert.ok(events.length > 0, 'the real run found something');
	const lines = dry.stdout.split('\n');
	for (const e of events) assert.ok(lines.some((l) => l.includes(e.type) && l.includes(e.key)), `${flag} printed ${e.type} ${e.key}:\n${dry.stdout}`);
	if (role === 'A') {
		const verdict = lastReportSection(cfg).split('\n')[1]!;
		assert.ok(dry.stdout.includes(verdict), `${flag} printed the verdict "${verdict}":\n${dry.stdout}`);
	}
	assert.is(dry.status, real.status, 'the same exit code as the real run');
	return { dry, real };
}

const dry = suite('run --dry-run / --simulate: everything told, nothing written');
let dir = '';
dry.before.each(() => {
	dir = tempDir();
});
dry.after.each(() => removeDir(dir));

dry('first launch on A (only the config in the folder): --dry-run prints every NewFile and the verdict, and creates no file', () => {
	const l = setUp(dir);
	dryThenReal(l.cfg, 'A', '--dry-run');
});

dry('first launch on B: --simulate creates no file (no database, log, run record)', () => {
	const l = setUp(dir);
	dryThenReal(l.cfg, 'B', '--simulate');
});

dry("A with B's database and A's report: --simulate after an edit, a new file, a removal and bit rot changes no byte of the folder (database, logs, report, run record), and tells all four and the verdict", () => {
	const l = setUp(dir);
	assert.is(runAs(l.cfg, 'B').status, 0);
	assert.is(runAs(l.cfg, 'A').status, 0);
	writeFiles(l.pc, { 'a.txt': filler('a-edited.txt', 200), 'new.txt': filler('new.txt', 120) }, T2);
	unlinkSync(join(l.pc, 'b.txt'));
	rot(l.pc, 'c.txt');
	const { real } = dryThenReal(l.cfg, 'A', '--simulate');
	assert.is(real.status, 1, 'bit rot');
	assert.equal(typed(eventsSince(l.cfg, 'A')).filter((t) => !t.startsWith('NewFile Docs/') || t === 'NewFile Docs/new.txt'), [
		'FileCorrupted Docs/c.txt',
		'FileModified Docs/a.txt',
		'FileNotFound Docs/b.txt',
		'NewFile Docs/new.txt',
	]);
});

dry.run();

const newOnly = suite('run --new-only / --differential-scan: only files M does not hold are hashed');
newOnly.before.each(() => {
	dir = tempDir();
});
newOnly.after.each(() => removeDir(dir));

newOnly("a new file is found and hashed alone (hashedFiles 1); a known file's same-size change (rotted, or edited with a new mtime) is not read; the next full run finds both as they are", () => {
	const l = setUp(dir);
	assert.is(runAs(l.cfg, 'B').status, 0);
	assert.is(lastRun(l.cfg, 'B').hashedFiles, 4);
	const known = readM(l.cfg, 'B');

	rot(l.nas, 'b.txt');
	writeFiles(l.nas, { 'c.txt': filler('c-edited.txt', 200) }, T2);
	writeFiles(l.nas, { 'e.txt': filler('e.txt', 150) }, T2);
	let mark = logMark(l.cfg, 'B');
	const r = runAs(l.cfg, 'B', ['--new-only']);
	assert.is(r.status, 0, r.all);
	assert.equal(typed(eventsSince(l.cfg, 'B', mark)), ['NewFile Docs/e.txt']);
	assert.equal([lastRun(l.cfg, 'B').hashedFiles, lastRun(l.cfg, 'B').hashedBytes], [1, 150]);
	const m = readM(l.cfg, 'B');
	assert.equal(m.get('Docs/e.txt')?.size, 150);
	assert.equal(m.get('Docs/b.txt'), known.get('Docs/b.txt'), 'b.txt kept as it was');
	assert.equal(m.get('Docs/c.txt'), known.get('Docs/c.txt'), 'c.txt kept as it was');

	writeFiles(l.nas, { 'f.txt': filler('f.txt', 160) }, T2);
	mark = logMark(l.cfg, 'B');
	const alias = runAs(l.cfg, 'B', ['--differential-scan']);
	assert.is(alias.status, 0, alias.all);
	assert.equal(typed(eventsSince(l.cfg, 'B', mark)), ['NewFile Docs/f.txt']);
	assert.is(lastRun(l.cfg, 'B').hashedFiles, 1);

	// what --new-only did not read was left for the next full run, the mtime with it
	mark = logMark(l.cfg, 'B');
	const full = runAs(l.cfg, 'B');
	assert.is(full.status, 1, full.all);
	assert.equal(typed(eventsSince(l.cfg, 'B', mark)), ['FileCorrupted Docs/b.txt', 'FileModified Docs/c.txt']);
	assert.is(lastRun(l.cfg, 'B').hashedFiles, 6);
});

newOnly.run();
