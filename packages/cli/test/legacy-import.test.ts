// Issue 19, SPEC §10: `equilybrium import-legacy FILE --role A|B` makes M from the original
// Equilybrium's database, {"<decimal digest>": [[size, "path as written"], ...]}: keys mapped to
// labels from the config, digests to lowercase hex (hashlib's integers lose their leading zero
// bytes: the import pads them back). A run over the same tree then reports nothing for the files
// that did not change, and content that changed since the original's last run as its own
// finding: neither FileModified nor FileCorrupted (the original kept no mtimes), named as changed
// since the import. The original's file renamed into place is refused without naming a backup
// that does not exist.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adler32Hex, cli, eventsSince, filler, hashHex, LEGACY, lastRun, legacyText, logMark, mAsObject, namedBackupsThatDoNotExist, readM, removeDir, runAs, T1, T2, tempDir, typed, writeConfig, writeFiles, type Entry, type LoggedEvent } from './util/legacy.ts';
import { decimalOf, legacyDbText, readLegacyDb, makePass1, makePass2, type LegacyEntry } from './util/legacy-scenario.ts';

const ALGORITHMS = [
	{ config: 'zlib.adler32', hex: adler32Hex },
	{ config: 'hashlib.sha256', hex: (b: Uint8Array) => hashHex('sha256', b) },
] as const;

// the original's own integers for the files whose digests start with zero bytes (research, extra/digests)
assert.is(decimalOf(hashHex('sha256', Buffer.from('lead-zero-199'))), '102359126496999175042902170853030160675124675646138809563614359856005766000');
assert.is(decimalOf(adler32Hex(Buffer.alloc(100))), '6553601');

/** The original's config (its underscore keys), A's folders as written. */
const originalConfig = (algorithm: string, folders: string[]) => `[Settings]
ID_method = Python uuid
A = 123456789
B = 924784692
Hash_algorithm = ${algorithm}
Block_size = 2 ** 18
Avoid_at_dirs = B
Min_file_size = 0
Include_files_with_no_extension = True
Excluded_extensions = 
Excluded_files = 

[Monitored Directories]
A = [
${folders.map((f) => `    "${f}"`).join(',\n')}
    ]
B = [
    "/volume1/docs"
    ]
`;

/** The tree as the original last saw it. lead-zero.txt's sha256 and zeros100.bin's adler32 begin with a zero byte. */
const DOCS: Record<string, Buffer> = {
	'untouched.txt': filler('untouched.txt', 200),
	'lead-zero.txt': Buffer.from('lead-zero-199'),
	'zeros100.bin': Buffer.alloc(100),
	'café.txt': filler('café', 150),
	'sub/deep.txt': filler('deep.txt', 180),
	'dup1.txt': filler('dup', 160),
	'dup2.txt': filler('dup', 160),
	'changed.txt': filler('changed.txt', 200),
	'removed.txt': filler('removed.txt', 200),
	'moved.txt': filler('moved.txt', 200),
};
const PICS: Record<string, Buffer> = { 'photo.jpg': filler('photo.jpg', 500) };

/** Whether a line of output or an event names `key` as changed since the import (the finding's exact name is the implementer's). */
function namedAsChangedSinceImport(stdout: string, events: LoggedEvent[], key: string): boolean {
	return stdout.split('\n').some((l) => l.includes(key) && /import/i.test(l)) || events.some((e) => e.key === key && /import/i.test(`${e.type} ${e.details}`));
}

const test = suite("import-legacy on a database written in the original's format, then a run over the same tree");
let dir = '';
test.before.each(() => {
	dir = tempDir();
});
test.after.each(() => removeDir(dir));

for (const algorithm of ALGORITHMS) {
	test(`${algorithm.config}: the entries become M (labels from the config, lowercase hex, leading zeros kept); the run reports nothing for unchanged files, a move, a removal, a new file, and changed.txt as changed since the import (not FileModified, not FileCorrupted); the next run nothing`, () => {
		const cfg = join(dir, 'cfg');
		const docs = join(dir, 'pc/docs');
		const pics = join(cfg, 'pics');
		writeFiles(docs, DOCS, T1);
		writeFiles(pics, PICS, T1);
		writeConfig(cfg, originalConfig(algorithm.config, [docs, './pics']));
		const entries: LegacyEntry[] = [
			...Object.entries(DOCS).map(([rel, b]) => ({ decimal: decimalOf(algorithm.hex(b)), size: b.length, path: `${docs}/${rel}` })),
			...Object.entries(PICS).map(([rel, b]) => ({ decimal: decimalOf(algorithm.hex(b)), size: b.length, path: `pics/${rel}` })),
		];
		const legacyFile = join(dir, 'original/data/A.DB.json');
		mkdirSync(join(dir, 'original/data'), { recursive: true });
		writeFileSync(legacyFile, legacyDbText(entries));
		const legacyBytes = readFileSync(legacyFile);
		assert.ok(legacyBytes.includes('\\u00e9'), 'é written as the original writes it');

		// since the original's last run: an edit, a removal, a rename, a new file
		writeFiles(docs, { 'changed.txt': filler('changed.txt, edited', 200), 'new.txt': filler('new.txt', 210) }, T2);
		unlinkSync(join(docs, 'removed.txt'));
		renameSync(join(docs, 'moved.txt'), join(docs, 'moved-now.txt'));

		const imported = cli(['import-legacy', legacyFile, '--role', 'A', '--config', cfg]);
		assert.is(imported.status, 0, imported.all);
		assert.ok(readFileSync(legacyFile).equals(legacyBytes), 'the original database is left as it was');
		const want: Record<string, Entry> = {};
		for (const [rel, b] of Object.entries(DOCS)) want[`docs/${rel}`] = { size: b.length, hash: algorithm.hex(b) };
		for (const [rel, b] of Object.entries(PICS)) want[`pics/${rel}`] = { size: b.length, hash: algorithm.hex(b) };
		assert.equal(mAsObject(readM(cfg, 'A')), mAsObject(new Map(Object.entries(want))));

		const mark = logMark(cfg, 'A');
		const run = runAs(cfg, 'A');
		assert.ok(run.status === 0 || run.status === 1, run.all);
		const events = eventsSince(cfg, 'A', mark);
		const others = events.filter((e) => e.key !== 'docs/changed.txt');
		assert.equal(typed(others), ['FileMovedOrRenamed docs/moved-now.txt', 'FileNotFound docs/removed.txt', 'NewFile docs/new.txt'], run.all);
		const changed = events.filter((e) => e.key === 'docs/changed.txt').map((e) => e.type);
		for (const type of ['FileModified', 'FileCorrupted', 'NewFile']) assert.not.ok(changed.includes(type), `changed.txt is not ${type}: ${changed}`);
		assert.equal([lastRun(cfg, 'A').counts.FileModified, lastRun(cfg, 'A').counts.FileCorrupted], [0, 0]);
		assert.ok(namedAsChangedSinceImport(run.stdout, events, 'docs/changed.txt'), `changed.txt named as changed since the import:\n${run.stdout}\n${JSON.stringify(events)}`);
		assert.is(readM(cfg, 'A').get('docs/changed.txt')?.hash, algorithm.hex(filler('changed.txt, edited', 200)));

		const again = logMark(cfg, 'A');
		const second = runAs(cfg, 'A');
		assert.ok(second.status === 0 || second.status === 1, second.all);
		assert.equal(typed(eventsSince(cfg, 'A', again)), [], 'nothing changed since the first run');
	});
}

test('the original\'s own databases of three files (md5, sha256, crc32, adler32, written by the original): M holds its digests in hex (sha256 of lead-zero.txt zero-padded to 64 digits), and a run finds no change', () => {
	const files = { 'zeros100.bin': Buffer.alloc(100), 'lead-zero.txt': Buffer.from('lead-zero-199'), 'hello.txt': Buffer.from('hello world\n') };
	const widths: Record<string, number> = { 'hashlib.md5': 32, 'hashlib.sha256': 64, 'zlib.crc32': 8, 'zlib.adler32': 8 };
	for (const [algorithm, width] of Object.entries(widths)) {
		const sub = join(dir, algorithm);
		const root = join(sub, 'three');
		const cfg = join(sub, 'cfg');
		writeFiles(root, files, T1);
		writeConfig(cfg, originalConfig(algorithm, [root]));
		const legacyFile = join(sub, 'A.DB.json');
		const text = readFileSync(join(LEGACY, `digests/${algorithm}.A.DB.json`), 'utf8').replaceAll('<ROOT>', root);
		writeFileSync(legacyFile, text);
		const imported = cli(['import-legacy', legacyFile, '--role', 'A', '--config', cfg]);
		assert.is(imported.status, 0, `${algorithm}: ${imported.all}`);
		const want = new Map([...readLegacyDb(text)].map(([path, { size, decimal }]) => [path.replace(`${root}/`, 'three/'), { size, hash: BigInt(decimal).toString(16).padStart(width, '0') }]));
		assert.equal(mAsObject(readM(cfg, 'A')), mAsObject(want), algorithm);
		if (algorithm === 'hashlib.sha256') assert.is(readM(cfg, 'A').get('three/lead-zero.txt')?.hash, hashHex('sha256', files['lead-zero.txt']));
		if (algorithm === 'zlib.adler32') assert.is(readM(cfg, 'A').get('three/zeros100.bin')?.hash, '00640001');
		const mark = logMark(cfg, 'A');
		const run = runAs(cfg, 'A');
		assert.ok(run.status === 0 || run.status === 1, run.all);
		assert.equal(typed(eventsSince(cfg, 'A', mark)), [], `${algorithm}: ${run.stdout}`);
	}
});

test("the original's database after pass 2 of its own test scenario, imported over the pass-2 tree with the scenario's config: no change", () => {
	const root = join(dir, 'test');
	const cfg = join(dir, 'cfg');
	makePass1(root);
	makePass2(root);
	writeConfig(cfg, legacyText('scenario.equilybrium.config.ini').replace('@UUID@', '42').replace('<ROOT>', root));
	const legacyFile = join(dir, 'A.DB.json');
	writeFileSync(legacyFile, readFileSync(join(LEGACY, 'scenario/pass2.A.DB.json'), 'utf8').replaceAll('<ROOT>', root));
	const imported = cli(['import-legacy', legacyFile, '--role', 'A', '--config', cfg]);
	assert.is(imported.status, 0, imported.all);
	assert.is(readM(cfg, 'A').size, 8);
	const mark = logMark(cfg, 'A');
	const run = runAs(cfg, 'A');
	// the collision pair (100 and 101 bytes, one adler32) may be reminded of: it is no change
	assert.equal(typed(eventsSince(cfg, 'A', mark).filter((e) => e.type !== 'HashCollision')), [], run.all);
});

test('Windows folders written with single backslashes map the original\'s "D:/video/…" paths to their labels (the import reads no folder)', () => {
	const cfg = join(dir, 'cfg');
	writeConfig(cfg, originalConfig('hashlib.sha256', ['D:\\video', 'E:\\photos 2021']));
	const digest = (s: string) => decimalOf(hashHex('sha256', Buffer.from(s)));
	const legacyFile = join(dir, 'A.DB.json');
	writeFileSync(legacyFile, legacyDbText([
		{ decimal: digest('a'), size: 1, path: 'D:/video/a.mp4' },
		{ decimal: digest('b'), size: 1, path: 'D:/video/sub/b.mkv' },
		{ decimal: digest('x'), size: 1, path: 'E:/photos 2021/x.jpg' },
	]));
	const imported = cli(['import-legacy', legacyFile, '--role', 'A', '--config', cfg]);
	assert.is(imported.status, 0, imported.all);
	assert.equal([...readM(cfg, 'A').keys()].sort(), ['photos 2021/x.jpg', 'video/a.mp4', 'video/sub/b.mkv']);
	assert.is(readM(cfg, 'A').get('video/a.mp4')?.hash, hashHex('sha256', Buffer.from('a')));
});

test('the original\'s A.DB.json renamed into place as equilybrium.A.DB.json: the run is refused (exit 3), the file kept byte for byte, no .bak named that does not exist, import-legacy suggested', () => {
	const cfg = join(dir, 'cfg');
	const docs = join(dir, 'pc/docs');
	writeFiles(docs, DOCS, T1);
	// our own config's words: only the database is in question here
	writeConfig(cfg, `[Settings]\nID method = hostname\nA = test-machine-a\nB = test-machine-b\nHash algorithm = adler32\n\n[Monitored Directories]\nA = ["${docs}"]\n`);
	const text = legacyDbText(Object.entries(DOCS).map(([rel, b]) => ({ decimal: decimalOf(adler32Hex(b)), size: b.length, path: `${docs}/${rel}` })));
	const inPlace = join(cfg, 'equilybrium.A.DB.json');
	writeFileSync(inPlace, text);
	const r = runAs(cfg, 'A');
	assert.is(r.status, 3, r.all);
	assert.equal(namedBackupsThatDoNotExist(r.all, [cfg]), [], r.all);
	assert.match(r.all, /import-legacy/, r.all);
	assert.not.match(r.all, /\n\s+at /, 'no stack trace');
	assert.is(readFileSync(inPlace, 'utf8'), text);
});

test.run();

const usage = suite('import-legacy: bad usage is a clear error');
usage.before.each(() => {
	dir = tempDir();
});
usage.after.each(() => removeDir(dir));

usage('no FILE: exit 2 with the usage', () => {
	const cfg = join(dir, 'cfg');
	writeConfig(cfg, originalConfig('zlib.adler32', [join(dir, 'docs')]));
	const r = cli(['import-legacy', '--role', 'A', '--config', cfg]);
	assert.is(r.status, 2, r.all);
	assert.not.match(r.all, /unknown command/, r.all);
	assert.match(r.all, /import-legacy/);
});

usage('a FILE that does not exist, or is not the original\'s format: an error naming it, no stack trace, no M written', () => {
	const cfg = join(dir, 'cfg');
	writeConfig(cfg, originalConfig('zlib.adler32', [join(dir, 'docs')]));
	for (const [name, content] of [['missing.json', undefined], ['not-json.json', 'hello'], ['ours.json', '{"format":"equilybrium-db","version":2}']] as const) {
		const file = join(dir, name);
		if (content !== undefined) writeFileSync(file, content);
		const r = cli(['import-legacy', file, '--role', 'A', '--config', cfg]);
		assert.ok(r.status === 2 || r.status === 3, `${name}: exit ${r.status}\n${r.all}`);
		assert.ok(r.stderr.includes(name), `${name} named: ${r.stderr}`);
		assert.not.match(r.all, /\n\s+at /, 'no stack trace');
		assert.throws(() => readM(cfg, 'A'), undefined, `${name}: no M written`);
	}
});

usage.run();
