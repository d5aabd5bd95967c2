// import-legacy where legacy-import.test.ts does not go (SPEC §10; docs/coming-from-equilybrium.md):
// a database already in the config folder is never replaced, the original's file is only read,
// paths under none of the side's folders are left out with a warning (all of them: refused),
// a digest too wide for the config's algorithm is refused, B's database is imported as B's,
// and an imported file that rots after the first run is then FileCorrupted as usual.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adler32Hex, cli, eventsSince, filler, hashHex, logMark, readM, removeDir, runAs, T1, tempDir, typed, writeConfig, writeFiles } from './util/legacy.ts';
import { decimalOf, legacyDbText, rot } from './util/legacy-scenario.ts';

const config = (algorithm: string, a: string[], b: string[]) => `[Settings]
ID_method = Python uuid
A = 123456789
B = 924784692
Hash_algorithm = ${algorithm}
Min_file_size = 0

[Monitored Directories]
A = ${JSON.stringify(a)}
B = ${JSON.stringify(b)}
`;

const FILES = { 'a.txt': filler('a.txt', 120), 'sub/b.txt': filler('b.txt', 130) };

const test = suite('import-legacy: what it keeps and what it refuses');
let dir = '';
test.before.each(() => {
	dir = tempDir();
});
test.after.each(() => removeDir(dir));

/** The original's database of FILES under `root` (adler32), written to `dir/name`. */
function original(root: string, name = 'A.DB.json', more: { decimal: string; size: number; path: string }[] = []): string {
	const file = join(dir, name);
	writeFileSync(file, legacyDbText([...Object.entries(FILES).map(([rel, b]) => ({ decimal: decimalOf(adler32Hex(b)), size: b.length, path: `${root}/${rel}` })), ...more]));
	return file;
}

test('a database already in the config folder is kept byte for byte: the import is refused (exit 2), nothing else written', () => {
	const cfg = join(dir, 'cfg');
	const docs = join(dir, 'docs');
	writeFiles(docs, FILES, T1);
	writeConfig(cfg, config('zlib.adler32', [docs], ['/volume1/docs']));
	const ran = runAs(cfg, 'A');
	assert.ok(ran.status === 0 || ran.status === 1, ran.all); // 1: B has not run
	const ours = readFileSync(join(cfg, 'equilybrium.A.DB.json'));
	const before = readdirSync(cfg).sort();
	const r = cli(['import-legacy', original(docs), '--role', 'A', '--config', cfg]);
	assert.is(r.status, 2, r.all);
	assert.match(r.stderr, /equilybrium\.A\.DB\.json already exists/);
	assert.match(r.stderr, /never replaces/);
	assert.ok(readFileSync(join(cfg, 'equilybrium.A.DB.json')).equals(ours), 'M is left as it was');
	assert.equal(readdirSync(cfg).sort(), before, 'no other file written (no .bak, no .new, no lock left)');
});

test("paths under none of the side's folders are left out with a warning naming them; the original's file is left as it was", () => {
	const cfg = join(dir, 'cfg');
	const docs = join(dir, 'docs');
	writeConfig(cfg, config('zlib.adler32', [docs], []));
	const file = original(docs, 'A.DB.json', [{ decimal: '1', size: 0, path: '/elsewhere/gone.txt' }]);
	const bytes = readFileSync(file);
	const r = cli(['import-legacy', file, '--role', 'A', '--config', cfg]);
	assert.is(r.status, 0, r.all);
	assert.match(r.stderr, /warning: 1 file of .*left out.*\/elsewhere\/gone\.txt/);
	assert.equal([...readM(cfg, 'A').keys()], ['docs/a.txt', 'docs/sub/b.txt']);
	assert.ok(readFileSync(file).equals(bytes));
});

test("none under the side's folders (the other side's database, say): refused, no M", () => {
	const cfg = join(dir, 'cfg');
	writeConfig(cfg, config('zlib.adler32', [join(dir, 'docs')], ['/volume1/docs']));
	const r = cli(['import-legacy', original('/volume1/docs', 'B.DB.json'), '--role', 'A', '--config', cfg]);
	assert.is(r.status, 2, r.all);
	assert.match(r.stderr, /none of its 2 files is under a folder of A's/);
	assert.not.ok(existsSync(join(cfg, 'equilybrium.A.DB.json')));
	// the same file as B's: B's database, B's label
	const b = cli(['import-legacy', join(dir, 'B.DB.json'), '--role', 'B', '--config', cfg]);
	assert.is(b.status, 0, b.all);
	assert.equal([...readM(cfg, 'B').keys()], ['docs/a.txt', 'docs/sub/b.txt']);
	assert.not.ok(existsSync(join(cfg, 'equilybrium.A.DB.json')));
});

test("a digest wider than the config's algorithm (the original used another): refused, no M", () => {
	const cfg = join(dir, 'cfg');
	const docs = join(dir, 'docs');
	writeConfig(cfg, config('zlib.adler32', [docs], []));
	const file = join(dir, 'A.DB.json');
	writeFileSync(file, legacyDbText([{ decimal: decimalOf(hashHex('sha256', FILES['a.txt'])), size: 120, path: `${docs}/a.txt` }]));
	const r = cli(['import-legacy', file, '--role', 'A', '--config', cfg]);
	assert.is(r.status, 2, r.all);
	assert.match(r.stderr, /wider than adler32's/);
	assert.not.ok(existsSync(join(cfg, 'equilybrium.A.DB.json')));
});

test('Windows folders match in any case ("d:/Video/…" under "D:\\video"); the label is the config\'s', () => {
	const cfg = join(dir, 'cfg');
	writeConfig(cfg, config('zlib.adler32', ['D:\\video'], []).replace('["D:\\\\video"]', '["D:\\video"]'));
	const file = join(dir, 'A.DB.json');
	writeFileSync(file, legacyDbText([{ decimal: '6553601', size: 100, path: 'd:/Video/zeros.bin' }]));
	const r = cli(['import-legacy', file, '--role', 'A', '--config', cfg]);
	assert.is(r.status, 0, r.all);
	assert.equal([...readM(cfg, 'A')], [['video/zeros.bin', { size: 100, hash: '00640001' }]]);
});

test('relative folders as the original wrote their paths: "../pc/docs" as ../pc/docs/…, "." as the bare path', () => {
	const cfg = join(dir, 'cfg');
	writeConfig(cfg, config('zlib.adler32', ['../pc/docs', '.'], []));
	const file = join(dir, 'A.DB.json');
	writeFileSync(file, legacyDbText([
		{ decimal: '6553601', size: 100, path: '../pc/docs/sub/zeros.bin' },
		{ decimal: '6553601', size: 100, path: 'here.bin' },
		{ decimal: '6553601', size: 100, path: '../elsewhere/gone.bin' },
	]));
	const r = cli(['import-legacy', file, '--role', 'A', '--config', cfg]);
	assert.is(r.status, 0, r.all);
	assert.equal([...readM(cfg, 'A').keys()], ['cfg/here.bin', 'docs/sub/zeros.bin']);
	assert.match(r.stderr, /1 file .*left out.*\.\.\/elsewhere\/gone\.bin/);
});

test('after the first run, an imported file that rots is FileCorrupted as usual (it gained its mtime)', () => {
	const cfg = join(dir, 'cfg');
	const docs = join(dir, 'docs');
	writeFiles(docs, FILES, T1);
	writeConfig(cfg, config('zlib.adler32', [docs], []));
	assert.is(cli(['import-legacy', original(docs), '--role', 'A', '--config', cfg]).status, 0);
	const first = logMark(cfg, 'A');
	runAs(cfg, 'A');
	assert.equal(typed(eventsSince(cfg, 'A', first)), []);
	rot(docs, 'a.txt');
	const second = logMark(cfg, 'A');
	const r = runAs(cfg, 'A');
	assert.equal(typed(eventsSince(cfg, 'A', second)), ['FileCorrupted docs/a.txt'], r.all);
});

test.run();
