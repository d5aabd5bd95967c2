import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { Progress } from '@equilybrium/core';
import { createProgress, ProgressMeter, progressLine, type Measure } from '../src/progress.ts';
import { main } from '../src/index.ts';
import { ensureBundle } from '../../core/test/util/bundle.ts';
import { removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';
import { testIo } from './util/win.ts';

function terminal(isTTY: boolean, columns = 60) {
	let written = '';
	const stream = Object.assign(
		new Writable({
			write(chunk, _encoding, done) {
				written += String(chunk);
				done();
			},
		}),
		{ isTTY, columns },
	);
	// what a person sees, one redraw at a time
	const lines = () => written.split('\r').map((l) => l.trimEnd()).filter(Boolean);
	return { stream, text: () => written, lines };
}

const MiB = 2 ** 20;

/** A clock the test moves. */
function clock(start = 0) {
	let t = start;
	return { now: () => t, at: (ms: number) => (t = ms) };
}

// ---

const lines = suite('the progress line, update by update');

lines('with the last run\'s totals: share, files and bytes of the total, rate, time left; the clock moves without updates', () => {
	const c = clock();
	const meter = new ProgressMeter(0, 'bytes');
	const line = (p: Progress | undefined, at: number) => progressLine(meter.view(p, c.at(at)), 120);
	const totals = { totalFiles: 1000, totalBytes: 100 * MiB };
	assert.is(line(undefined, 1000), '[0:01]  listing the folders…');
	const p: Progress = { files: 100, bytes: 10 * MiB, hashedFiles: 50, hashedBytes: 10 * MiB, ...totals, current: 'Photos/2024/a.jpg' };
	assert.is(line(p, 1500), '[0:01]  10 %  100 of 1,000 files, 10 MiB of 100 MiB read  Photos/2024/a.jpg');
	// after two seconds, a rate over what was seen, and the time left at that pace
	Object.assign(p, { files: 300, hashedFiles: 250, hashedBytes: 30 * MiB, current: 'Photos/2024/c.jpg' });
	assert.is(line(p, 3000), '[0:03]  30 %  300 of 1,000 files, 30 MiB of 100 MiB read  13 MiB/s  0:06 left  Photos/2024/c.jpg');
	// nothing new (a large file is being read): the clock, the rate and the time left still move
	assert.is(line(p, 4000), '[0:04]  30 %  300 of 1,000 files, 30 MiB of 100 MiB read  8.0 MiB/s  0:09 left  Photos/2024/c.jpg');
	Object.assign(p, { files: 1000, hashedFiles: 1000, hashedBytes: 100 * MiB, committing: true });
	assert.is(line(p, 5000), '[0:05]  1,000 of 1,000 files, 100 MiB of 100 MiB read  writing the database…');
});

lines('a first run: no total, so files found and read, and the rate', () => {
	const meter = new ProgressMeter(0, 'bytes');
	const p: Progress = { files: 20_040, bytes: 0, hashedFiles: 3101, hashedBytes: 78 * MiB, current: 'small/d0003/f0003100.bin' };
	assert.is(progressLine(meter.view(p, 500), 100), '[0:00]  20,040 files found, 3,101 read (78 MiB)  small/d0003/f0003100.bin');
	p.hashedBytes = 178 * MiB;
	assert.is(progressLine(meter.view(p, 2500), 100), '[0:02]  20,040 files found, 3,101 read (178 MiB)  50 MiB/s  small/d0003/f0003100.bin');
});

lines('Verify = rolling: the share is of files walked, bytes read are not set against the total', () => {
	const meter = new ProgressMeter(0, 'files' satisfies Measure);
	const p: Progress = { files: 450, bytes: 40 * MiB, hashedFiles: 3, hashedBytes: 2 * MiB, totalFiles: 1000, totalBytes: 90 * MiB };
	assert.is(progressLine(meter.view(p, 1000), 100), '[0:01]  45 %  450 of 1,000 files, 2.0 MiB read');
});

lines('more files than the last run: never 100 % before the end, no time left', () => {
	const meter = new ProgressMeter(0, 'files');
	const p: Progress = { files: 900, bytes: 0, hashedFiles: 0, hashedBytes: 0, totalFiles: 1000, totalBytes: 1 };
	meter.view(p, 0);
	p.files = 1200;
	assert.is(progressLine(meter.view(p, 3000), 100), '[0:03]  99 %  1,200 of 1,000 files, 0 B read  0 B/s');
});

lines('cut to the width: the path loses its start, the file name stays', () => {
	const meter = new ProgressMeter(0, 'bytes');
	const p: Progress = { files: 1234, bytes: 0, hashedFiles: 10, hashedBytes: 5 * MiB, current: 'Photos/' + 'very-long-folder-name/'.repeat(5) + 'img.jpg' };
	const line = progressLine(meter.view(p, 0), 59);
	assert.is(line.length, 59);
	assert.ok(line.startsWith('[0:00]  1,234 files found, 10 read (5.0 MiB)  …'), line);
	assert.ok(line.endsWith('/img.jpg'), line);
});

lines('hours on the clock', () => {
	const meter = new ProgressMeter(0, 'bytes');
	assert.match(progressLine(meter.view(undefined, 3_723_000), 100), /^\[1:02:03\]/);
});

lines.run();

// ---

const writer = suite('the progress line on a terminal');

writer('one line redrawn in place, at most ten times a second as updates come, cleared at the end', () => {
	const t = terminal(true);
	const c = clock();
	const p = createProgress(t.stream, true, { now: c.now });
	for (let i = 0; i < 1000; i++) p.update({ files: i, bytes: 0, hashedFiles: i, hashedBytes: i });
	assert.is(t.lines().length, 1, 'the first update is drawn at once, the rest of that instant is not');
	assert.is(t.text().length, 1 + 59, 'padded to the width');
	c.at(100);
	p.update({ files: 2000, bytes: 0, hashedFiles: 2000, hashedBytes: 0 });
	assert.match(t.lines().at(-1)!, /^\[0:00\]  2,000 files found/);
	p.stop();
	assert.ok(t.text().endsWith('\r' + ' '.repeat(59) + '\r'));
});

writer('redrawn by its timer with no update: the line shows time passing (the freeze of a large file)', () => {
	const t = terminal(true);
	const c = clock();
	const p = createProgress(t.stream, true, { now: c.now });
	const progress: Progress = { files: 20_040, bytes: 0, hashedFiles: 20_000, hashedBytes: 78 * MiB };
	p.update(progress);
	// the core's object moves in place as files are done; no update is called
	progress.hashedFiles = 20_010;
	progress.hashedBytes = 328 * MiB;
	c.at(3000);
	p.tick();
	assert.equal(t.lines(), [
		'[0:00]  20,040 files found, 20,000 read (78 MiB)',
		'[0:03]  20,040 files found, 20,010 read (328 MiB)  83 MiB/s',
	]);
	p.stop();
});

writer('quiet when disabled (not a terminal, or --quiet)', () => {
	const t = terminal(false);
	const p = createProgress(t.stream, false);
	p.update({ files: 1, bytes: 1, hashedFiles: 1, hashedBytes: 1 });
	p.tick();
	p.stop();
	assert.is(t.text(), '');
});

writer.run();

// ---

const run = suite('equilybrium run on a terminal');

/** Three folders of small files, the first of them with a few larger ones. */
function tree(dir: string, files: number) {
	for (const folder of ['docs', 'music', 'photos']) {
		writeTree(join(dir, 'A', folder), Object.fromEntries(Array.from({ length: files / 3 }, (_, i) => [`f${String(i).padStart(5, '0')}.txt`, `${folder} ${i} `.repeat(1 + (i % 50))])));
	}
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'A/docs'), join(dir, 'A/music'), join(dir, 'A/photos')] });
}

/** The run in-process on a fake terminal whose clock moves a second at each look: every progress is drawn. */
async function onTerminal(dir: string) {
	const t = terminal(true, 120);
	const io = testIo({ cwd: dir });
	let now = 0;
	const code = await main(['run', '--config', join(dir, 'cfg'), '--role', 'A'], { ...io, progressStream: t.stream, now: () => (now += 1000) });
	return { code, lines: t.lines(), out: io.lines };
}

run('a first run over 3,000 files: the line goes through the reading, file by file, and is cleared', async () => {
	const dir = tempDir();
	tree(dir, 3000);
	const { code, lines, out } = await onTerminal(dir);
	assert.is(code, 1, 'B has never run');
	const read = lines.map((l) => /files found, ([\d,]+) read/.exec(l)?.[1]).filter(Boolean).map((n) => Number(n!.replace(/,/g, '')));
	assert.ok(read.length >= 10, `${read.length} lines`);
	for (let i = 1; i < read.length; i++) assert.ok(read[i]! >= read[i - 1]!, 'never backwards');
	assert.ok(read.filter((n) => n > 0 && n < 3000).length >= 5, 'seen while reading, not only at the end');
	assert.is(Math.max(...read), 3000);
	assert.ok(lines.some((l) => /^\[[\d:]+\]  3,000 files found, 3,000 read .*writing the database…$/.test(l)), 'then the commit');
	assert.match(out.join('\n'), /A: 3,000 files, .* — first run, database created/);
	removeDir(dir);
});

run('a second run: a share of the last run\'s totals that grows to 99 %, and a time left', async () => {
	const dir = tempDir();
	tree(dir, 3000);
	await onTerminal(dir);
	const { lines } = await onTerminal(dir);
	const shares = lines.map((l) => /^\[[\d:]+\]  (\d+) %  [\d,]+ of 3,000 files, .* of .* read/.exec(l)?.[1]).filter(Boolean).map(Number);
	assert.ok(shares.length >= 10, lines.slice(0, 5).join('\n'));
	for (let i = 1; i < shares.length; i++) assert.ok(shares[i]! >= shares[i - 1]!);
	assert.ok(shares[0]! < 50 && shares.at(-1)! === 99, shares.join(' '));
	assert.ok(lines.some((l) => / left /.test(l)), 'a time left once a rate is known');
	removeDir(dir);
});

run('the built command on a real pseudo-terminal (script): progress on stderr, cleared before the summary', () => {
	const dir = tempDir();
	tree(dir, 600);
	const command = `stty cols 100; ${process.execPath} ${ensureBundle()} run --config ${join(dir, 'cfg')} --role A`;
	const r = spawnSync('script', ['-qefc', command, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
	assert.ok(!r.error, `script(1) from util-linux is needed: ${r.error}`);
	assert.is(r.status, 1, r.stdout + r.stderr);
	const screen = r.stdout;
	assert.match(screen, /\r\[0:0\d\]  600 files found, [\d,]+ read/);
	const afterLastDraw = screen.slice(screen.lastIndexOf('\r[0:'));
	assert.match(afterLastDraw, /^[^\n]*\r {99}\r[^]*\nA: 600 files, /, 'the last line drawn is wiped before the summary');
	removeDir(dir);
});

run.run();
