import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writable } from 'node:stream';
import { createProgress } from '../src/progress.ts';

function terminal(isTTY: boolean) {
	let written = '';
	const stream = Object.assign(
		new Writable({
			write(chunk, _encoding, done) {
				written += String(chunk);
				done();
			},
		}),
		{ isTTY, columns: 60 },
	);
	return { stream, text: () => written };
}

const progress = suite('progress line');

progress('on a terminal: one line redrawn in place, cut to the width, cleared at the end', async () => {
	const t = terminal(true);
	const p = createProgress(t.stream, true);
	p.update({ files: 1234, bytes: 0, hashedFiles: 10, hashedBytes: 5 * 2 ** 20, current: 'Photos/' + 'very-long-folder-name/'.repeat(5) + 'img.jpg' });
	await new Promise((r) => setTimeout(r, 5));
	const line = t.text();
	assert.ok(line.startsWith('\r1,234 files, 5.0 MiB read, '), line);
	assert.ok(line.includes('…') && line.endsWith('img.jpg'.padEnd(7)), 'the path is cut from the left, keeping the file name');
	assert.is(line.length, 1 + 59);
	p.clear();
	assert.ok(t.text().endsWith('\r' + ' '.repeat(59) + '\r'));
});

progress('redrawn at most ten times a second', () => {
	const t = terminal(true);
	const p = createProgress(t.stream, true);
	for (let i = 0; i < 1000; i++) p.update({ files: i, bytes: 0, hashedFiles: i, hashedBytes: i });
	assert.is(t.text().split('\r').length - 1, 1);
});

progress('quiet when disabled (not a terminal, or --quiet)', () => {
	const t = terminal(false);
	const p = createProgress(t.stream, false);
	p.update({ files: 1, bytes: 1, hashedFiles: 1, hashedBytes: 1 });
	p.clear();
	assert.is(t.text(), '');
});

progress.run();
