// Issue 19: the original Equilybrium's config files are read as they are (SPEC §3). Its shipped
// example and its first-launch template, with only their folders pointed at test folders, run
// through the built CLI; every key's effect is read back from M (equilybrium.<role>.DB.json).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { adler32Hex, cli, filler, hashHex, legacyText, mAsObject, readM, removeDir, runAs, tempDir, writeConfig, writeFiles, type Entry, type Ran, type Role } from './util/legacy.ts';

const EXAMPLE = 'example.equilybrium.config.ini';
const TEMPLATE = 'first-launch-template.equilybrium.config.ini';

/** Replaces `from` (which must be there: a changed fixture fails loudly) with `to`. */
function edit(text: string, from: string, to: string): string {
	if (!text.includes(from)) throw new Error(`the fixture has no ${JSON.stringify(from)}`);
	return text.replace(from, () => to);
}

/** One file per filter rule of SPEC §3; big.bin spans two blocks of 2 ** 18. */
const PROBE: Record<string, Buffer> = {
	'keep.txt': filler('keep.txt', 200),
	'exact100.txt': filler('exact100.txt', 100),
	's99.txt': filler('s99.txt', 99),
	'empty.txt': Buffer.alloc(0),
	noext: filler('noext', 200),
	'dir.d/noext2': filler('noext2', 200),
	'lower.log': filler('lower.log', 200),
	'upper.LOG': filler('upper.LOG', 200),
	'x.tmp': filler('x.tmp', 200),
	'y.TMP': filler('y.TMP', 200),
	'log.txt': filler('log.txt', 200),
	'x.logx': filler('x.logx', 200),
	'Thumbs.db': filler('Thumbs.db', 200),
	'@SynologyHiddenFolder/syno.txt': filler('syno.txt', 200),
	'deep/@x/y.txt': filler('y.txt', 200),
	'@top.txt': filler('@top.txt', 200),
	'big.bin': filler('big.bin', 300_000),
};

/** What the example's filters keep of PROBE on every side; A also keeps the files under `@` folders. */
const KEPT_BY_EXAMPLE = ['keep.txt', 'exact100.txt', 'log.txt', 'x.logx', '@top.txt', 'big.bin'];
const UNDER_AT = ['@SynologyHiddenFolder/syno.txt', 'deep/@x/y.txt'];

function expected(label: string, files: Record<string, Buffer>, kept: string[], digest: (b: Buffer) => string = adler32Hex): Record<string, Entry> {
	return Object.fromEntries(kept.map((rel) => [`${label}/${rel}`, { size: files[rel]!.length, hash: digest(files[rel]!) }]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
}

const noUnknownKey = (r: Ran) => assert.not.match(r.stderr, /unknown (key|section)/i, r.stderr);
const ran = (r: Ran) => assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}\n${r.all}`);

/** dir/cfg holds the config; the runs start in dir/elsewhere/deeper, a folder of no consequence. */
interface Layout {
	dir: string;
	cfg: string;
	cwd: string;
	pc: string;
	nas: string;
}

function layout(): Layout {
	const dir = tempDir();
	const l = { dir, cfg: join(dir, 'cfg'), cwd: join(dir, 'elsewhere/deeper'), pc: join(dir, 'pc'), nas: join(dir, 'nas') };
	mkdirSync(l.cwd, { recursive: true });
	writeFiles(join(l.pc, 'video'), PROBE);
	writeFiles(join(l.pc, 'myvideos'), { 'a.mp4': filler('a.mp4', 150), 'clip.log': filler('clip.log', 150) });
	writeFiles(join(l.nas, 'private/videos'), PROBE);
	writeFiles(join(l.nas, 'public/movies and series'), { 'm.mkv': filler('m.mkv', 150), 'clip.tmp': filler('clip.tmp', 150) });
	return l;
}

/**
 * The shipped example with its four folders pointed at the layout's. With `relative`, A's first
 * one is written "../pc/video": from the config folder, dir/pc/video; from the working folder
 * (dir/elsewhere/deeper), nothing.
 */
function exampleFor(l: Layout, relative = false): string {
	let text = legacyText(EXAMPLE);
	text = edit(text, '"D:/video",\r\n    "F:/myvideos"', `"${relative ? '../pc/video' : `${l.pc}/video`}",\r\n    "${l.pc}/myvideos"`);
	text = edit(text, '"/private/videos",\r\n    "/public/movies and series"', `"${l.nas}/private/videos",\r\n    "${l.nas}/public/movies and series"`);
	return text;
}

// --- the example as shipped -----------------------------------------------------------------

const example = suite('the original example config, folders pointed at test folders');
const ex = { l: undefined as unknown as Layout, a: undefined as unknown as Ran, b: undefined as unknown as Ran };
example.before(() => {
	ex.l = layout();
	writeConfig(ex.l.cfg, exampleFor(ex.l));
	ex.b = runAs(ex.l.cfg, 'B', [], ex.l.cwd);
	ex.a = runAs(ex.l.cfg, 'A', [], ex.l.cwd);
});
example.after(() => removeDir(ex.l.dir));
const mOf = (role: Role) => mAsObject(readM(ex.l.cfg, role));
const keysOf = (role: Role) => Object.keys(mOf(role));

example('the fixture is the original file: CRLF line endings, no final newline, underscore keys', () => {
	const text = legacyText(EXAMPLE);
	assert.ok(text.includes('\r\nHash_algorithm = zlib.adler32\r\n'));
	assert.not.ok(text.endsWith('\n'));
});

example('both sides run on it, with no warning about an unknown key (ID_method, Hash_algorithm, Block_size, the five filters)', () => {
	ran(ex.b);
	ran(ex.a);
	noUnknownKey(ex.b);
	noUnknownKey(ex.a);
});

example('Hash_algorithm = zlib.adler32: every digest in M is zlib.adler32 as 8 hex digits (a 300 KB file read in two Block_size blocks too)', () => {
	ran(ex.b);
	assert.is(mOf('B')['videos/big.bin']?.hash, adler32Hex(PROBE['big.bin']!));
	assert.equal(mOf('B'), { ...expected('videos', PROBE, KEPT_BY_EXAMPLE), ...expected('movies and series', { 'm.mkv': filler('m.mkv', 150) }, ['m.mkv']) });
});

example('Min_file_size = 100: a 99-byte and an empty file are not monitored, a file of exactly 100 bytes is', () => {
	for (const role of ['A', 'B'] as const) {
		const label = role === 'A' ? 'video' : 'videos';
		assert.ok(keysOf(role).includes(`${label}/exact100.txt`), role);
		assert.not.ok(keysOf(role).includes(`${label}/s99.txt`), role);
		assert.not.ok(keysOf(role).includes(`${label}/empty.txt`), role);
	}
});

example('Include_files_with_no_extension = False: "noext" and "dir.d/noext2" are not monitored', () => {
	for (const key of ['video/noext', 'video/dir.d/noext2']) assert.not.ok(keysOf('A').includes(key), key);
});

example('Excluded_extensions = log, .tmp: .log .LOG .tmp .TMP left out in every folder; log.txt and x.logx kept', () => {
	const a = keysOf('A');
	for (const rel of ['lower.log', 'upper.LOG', 'x.tmp', 'y.TMP']) assert.not.ok(a.includes(`video/${rel}`), rel);
	assert.not.ok(a.includes('myvideos/clip.log'));
	assert.not.ok(keysOf('B').includes('movies and series/clip.tmp'));
	assert.ok(a.includes('video/log.txt') && a.includes('video/x.logx'));
});

example('Excluded_files = Thumbs.db: not monitored', () => {
	assert.not.ok(keysOf('A').includes('video/Thumbs.db'));
});

example('Avoid_at_dirs = B: B skips every folder whose name starts with @, A does not; a file named @top.txt is kept on both', () => {
	for (const rel of UNDER_AT) {
		assert.ok(keysOf('A').includes(`video/${rel}`), `A keeps ${rel}`);
		assert.not.ok(keysOf('B').includes(`videos/${rel}`), `B skips ${rel}`);
	}
	assert.ok(keysOf('A').includes('video/@top.txt') && keysOf('B').includes('videos/@top.txt'));
});

example("A's M is exactly what the example's keys leave", () => {
	ran(ex.a);
	assert.equal(mOf('A'), { ...expected('video', PROBE, [...KEPT_BY_EXAMPLE, ...UNDER_AT]), ...expected('myvideos', { 'a.mp4': filler('a.mp4', 150) }, ['a.mp4']) });
});

example.run();

// --- each key changed: its effect ------------------------------------------------------------

const keys = suite('the example with one key changed: that key has its effect');
let l: Layout;
keys.before.each(() => {
	l = layout();
});
keys.after.each(() => removeDir(l.dir));

function withKey(from: string, to: string): string {
	return edit(exampleFor(l), from, to);
}

keys('a relative folder ("../pc/video") is found from the config folder, not from the working folder', () => {
	writeConfig(l.cfg, exampleFor(l, true));
	const r = runAs(l.cfg, 'A', [], l.cwd);
	ran(r);
	const keys = [...readM(l.cfg, 'A').keys()];
	assert.ok(keys.includes('video/keep.txt'), keys.join('\n'));
	assert.ok(keys.includes('myvideos/a.mp4'));
});

keys('ID_method = hostname with A = this host name: run without --role plays A', () => {
	writeConfig(l.cfg, withKey('ID_method = Python uuid\r\nA = 123456789', `ID_method = hostname\r\nA = ${hostname()}`));
	const r = cli(['run', '--config', l.cfg], { cwd: l.cwd });
	ran(r);
	noUnknownKey(r);
	assert.match(r.stdout, /^A: /m, r.all);
	assert.ok(readM(l.cfg, 'A').has('video/keep.txt'));
});

keys('ID_method = Python uuid (as shipped) with A = the uuid "equilybrium id" prints: run without --role plays A, no unknown-key warning', () => {
	const uuid = /^Python uuid: (\d+)$/m.exec(cli(['id']).stdout)?.[1];
	assert.ok(uuid, 'equilybrium id prints a Python uuid');
	writeConfig(l.cfg, withKey('A = 123456789', `A = ${uuid}`));
	const r = cli(['run', '--config', l.cfg], { cwd: l.cwd });
	ran(r);
	noUnknownKey(r);
	assert.match(r.stdout, /^A: /m, r.all);
});

keys('ID_method = carrier pigeon: refused (exit 2) naming the value', () => {
	writeConfig(l.cfg, withKey('ID_method = Python uuid', 'ID_method = carrier pigeon'));
	const r = runAs(l.cfg, 'B', [], l.cwd);
	assert.is(r.status, 2, r.all);
	assert.match(r.stderr, /carrier pigeon/);
});

keys('Block_size = lots: refused (exit 2) naming Block_size, so the key is read', () => {
	writeConfig(l.cfg, withKey('Block_size = 2 ** 18', 'Block_size = lots'));
	const r = runAs(l.cfg, 'B', [], l.cwd);
	assert.is(r.status, 2, r.all);
	assert.match(r.stderr, /Block[ _]size/i);
	assert.not.match(r.stderr, /\n\s+at /, 'no stack trace');
});

keys('Hash_algorithm = hashlib.sha256: every digest in M is sha256', () => {
	writeConfig(l.cfg, withKey('Hash_algorithm = zlib.adler32', 'Hash_algorithm = hashlib.sha256'));
	const r = runAs(l.cfg, 'B', [], l.cwd);
	ran(r);
	noUnknownKey(r);
	assert.equal(mAsObject(readM(l.cfg, 'B')), { ...expected('videos', PROBE, KEPT_BY_EXAMPLE, (b) => hashHex('sha256', b)), ...expected('movies and series', { 'm.mkv': filler('m.mkv', 150) }, ['m.mkv'], (b) => hashHex('sha256', b)) });
});

keys('Hash_algorithm = hashlib.md5: every digest in M is md5', () => {
	writeConfig(l.cfg, withKey('Hash_algorithm = zlib.adler32', 'Hash_algorithm = hashlib.md5'));
	const r = runAs(l.cfg, 'B', [], l.cwd);
	ran(r);
	assert.is(readM(l.cfg, 'B').get('videos/big.bin')?.hash, hashHex('md5', PROBE['big.bin']!));
});

keys('"Hash algorithm = zlib.adler32" (the key spelled with a space): adler32 too', () => {
	writeConfig(l.cfg, withKey('Hash_algorithm = zlib.adler32', 'Hash algorithm = zlib.adler32'));
	const r = runAs(l.cfg, 'B', [], l.cwd);
	ran(r);
	assert.is(readM(l.cfg, 'B').get('videos/keep.txt')?.hash, adler32Hex(PROBE['keep.txt']!));
});

keys('Hash_algorithm = zlib.nonsense: refused (exit 2) naming the value', () => {
	writeConfig(l.cfg, withKey('Hash_algorithm = zlib.adler32', 'Hash_algorithm = zlib.nonsense'));
	const r = runAs(l.cfg, 'B', [], l.cwd);
	assert.is(r.status, 2, r.all);
	assert.match(r.stderr, /nonsense/);
});

keys('Excluded_files = Secret.txt, Thumbs.db: case-sensitive names at any depth (secret.txt is kept)', () => {
	writeFiles(join(l.nas, 'private/videos'), { 'Secret.txt': filler('Secret.txt', 200), 'sub/Secret.txt': filler('sub-Secret.txt', 200), 'other/secret.txt': filler('secret.txt', 200) });
	writeConfig(l.cfg, withKey('Excluded_files = Thumbs.db', 'Excluded_files = Secret.txt, Thumbs.db'));
	const r = runAs(l.cfg, 'B', [], l.cwd);
	ran(r);
	const m = readM(l.cfg, 'B');
	assert.not.ok(m.has('videos/Secret.txt'));
	assert.not.ok(m.has('videos/sub/Secret.txt'));
	assert.ok(m.has('videos/other/secret.txt'));
});

keys('Avoid_at_dirs = A, B: both sides skip folders starting with @', () => {
	writeConfig(l.cfg, withKey('Avoid_at_dirs = B', 'Avoid_at_dirs = A, B'));
	ran(runAs(l.cfg, 'A', [], l.cwd));
	for (const rel of UNDER_AT) assert.not.ok(readM(l.cfg, 'A').has(`video/${rel}`), rel);
	assert.ok(readM(l.cfg, 'A').has('video/@top.txt'));
});

keys('Include_files_with_no_extension = True: "noext" and "dir.d/noext2" are monitored', () => {
	writeConfig(l.cfg, withKey('Include_files_with_no_extension = False', 'Include_files_with_no_extension = True'));
	ran(runAs(l.cfg, 'B', [], l.cwd));
	const m = readM(l.cfg, 'B');
	assert.ok(m.has('videos/noext') && m.has('videos/dir.d/noext2'));
});

keys('Windows paths with single backslashes ("C:\\new\\temp", "D:\\video") parse: B runs, and A names C:\\new\\temp literally (no \\n or \\t escape)', () => {
	writeConfig(l.cfg, withKey(`"${l.pc}/video",\r\n    "${l.pc}/myvideos"`, '"C:\\new\\temp",\r\n    "D:\\video"'));
	const b = runAs(l.cfg, 'B', [], l.cwd);
	ran(b);
	assert.not.match(b.stderr, /JSON/, b.stderr);
	assert.ok(readM(l.cfg, 'B').has('videos/keep.txt'));
	// on Linux A's folders cannot be reached: the message shows how the path was read
	const a = runAs(l.cfg, 'A', [], l.cwd);
	assert.is(a.status, 2, a.all);
	assert.not.match(a.stderr, /JSON/, a.stderr);
	assert.ok(a.stderr.includes('C:\\new\\temp'), a.stderr);
});

keys.run();

// --- the first-launch template -------------------------------------------------------------

const template = suite("the original's first-launch template");
let t: Layout;
template.before.each(() => {
	t = layout();
});
template.after.each(() => removeDir(t.dir));

const PLACEHOLDER_A = 'A = [\n    ""\n    ]';
const PLACEHOLDER_B = 'B = [\n    ""\n    ]';
const placeholderWarning = (r: Ran) => assert.match(r.stderr, /warning.*(""|empty)/i, r.stderr);

template('the fixture is the original file: empty IDs ("A = "), A = [""] and B = [""]', () => {
	const text = legacyText(TEMPLATE);
	assert.ok(text.includes('\nA = \nB = \n') && text.includes(PLACEHOLDER_A) && text.includes(PLACEHOLDER_B));
});

template('B pointed at a folder, A\'s [""] left: B runs with a warning about the placeholder; its defaults: adler32, Min 100, no-extension files out, .log kept, @ folders kept, Thumbs.db out', () => {
	writeConfig(t.cfg, edit(legacyText(TEMPLATE), PLACEHOLDER_B, `B = [\n    "${t.nas}/private/videos"\n    ]`));
	const r = runAs(t.cfg, 'B', [], t.cwd);
	assert.is(r.status, 0, r.all);
	noUnknownKey(r);
	placeholderWarning(r);
	const kept = ['keep.txt', 'exact100.txt', 'log.txt', 'x.logx', '@top.txt', 'big.bin', 'lower.log', 'upper.LOG', 'x.tmp', 'y.TMP', ...UNDER_AT];
	assert.equal(mAsObject(readM(t.cfg, 'B')), expected('videos', PROBE, kept));
});

template('A = ["", "<folder>"]: the empty placeholder is skipped with a warning, the folder is monitored', () => {
	writeConfig(t.cfg, edit(legacyText(TEMPLATE), PLACEHOLDER_A, `A = [\n    "",\n    "${t.pc}/myvideos"\n    ]`));
	const r = runAs(t.cfg, 'A', [], t.cwd);
	ran(r);
	placeholderWarning(r);
	// the template excludes no extension: clip.log is monitored
	assert.equal([...readM(t.cfg, 'A').keys()].sort(), ['myvideos/a.mp4', 'myvideos/clip.log']);
});

template('as written on first launch (A = [""]): NOTHING CHECKED with a warning about the placeholder, not a complaint about a label', () => {
	writeConfig(t.cfg, legacyText(TEMPLATE));
	const r = runAs(t.cfg, 'A', [], t.cwd);
	placeholderWarning(r);
	assert.match(r.stdout, /NOTHING CHECKED/, r.all);
	assert.not.match(r.all, /label/i);
});

template.run();
