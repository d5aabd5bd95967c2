// The build writes each bundle beside its place and renames it in: a test file that starts
// the CLI while another test file rebuilds it runs a whole bundle, old or new.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdtempSync, openSync, readFileSync, readSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replaceFile } from '../../../tools/build.ts';

const build = suite('build output');

build('a bundle is replaced whole: a reader of the old one keeps it, the new one appears at once, no temporary is left', () => {
	const dir = mkdtempSync(join(tmpdir(), 'eq-build-'));
	try {
		const path = join(dir, 'out', 'bundle.cjs');
		replaceFile(path, Buffer.from('old '.repeat(50_000)));
		const reader = openSync(path, 'r');
		try {
			replaceFile(path, Buffer.from('new '.repeat(70_000)));
			const rest = Buffer.alloc(200_000);
			const n = readSync(reader, rest, 0, rest.length, 0);
			// written in place (as esbuild writes), the open file would now read as the new text
			assert.is(rest.subarray(0, n).toString(), 'old '.repeat(50_000), 'the file a program had open is the old one, whole');
		} finally {
			closeSync(reader);
		}
		assert.is(readFileSync(path, 'utf8'), 'new '.repeat(70_000));
		assert.equal(readdirSync(join(dir, 'out')), ['bundle.cjs']);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

build.run();
