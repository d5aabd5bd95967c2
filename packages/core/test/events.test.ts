import { suite } from 'uvu';
import { forceCrc } from './util/crc.ts';
import * as assert from 'uvu/assert';
import { chmodSync, readFileSync, renameSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { eventLogName, parseEventLine } from '../src/index.ts';
import { corruptInPlace, removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { runSide } from './util/run.ts';
import { giveToNobody, runCli } from './util/bundle.ts';

/** A fresh A side: one monitored folder "docs" with the given files, after a first run. */
async function side(files: Record<string, string | Uint8Array>, algorithm = 'sha256') {
	const dir = tempDir();
	const docs = join(dir, 'docs');
	const cfg = join(dir, 'cfg');
	writeTree(docs, files);
	writeConfig(cfg, { a: [docs], algorithm });
	const first = await runSide(cfg);
	return { dir, docs, cfg, first };
}

const first = suite('first run');

first('every file is NewFile, once', async () => {
	const s = await side({ 'a.txt': 'alpha', 'sub/b.txt': 'beta', 'empty': '' });
	assert.equal(s.first.lines, ['NewFile docs/a.txt', 'NewFile docs/empty', 'NewFile docs/sub/b.txt']);
	assert.ok(s.first.result.firstRun);
	assert.is(s.first.result.alarming, false);
	const log = readFileSync(join(s.cfg, eventLogName('A', 'NewFile')), 'utf8').trim().split('\n');
	assert.is(log.length, 3);
	assert.match(log[0]!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tNewFile\tdocs\/a\.txt$/);
	removeDir(s.dir);
});

first('a second run of an unchanged tree says nothing', async () => {
	const s = await side({ 'a.txt': 'alpha', 'b/c.txt': 'gamma' });
	const again = await runSide(s.cfg);
	assert.equal(again.lines, []);
	assert.is(again.result.files, 2);
	assert.is(again.result.hashedFiles, 2, 'Verify = full re-hashes every file');
	removeDir(s.dir);
});

first.run();

// ---

const changes = suite('modified, corrupted, touched');

changes('an edit (mtime changed) is FileModified', async () => {
	const s = await side({ 'a.txt': 'alpha' });
	writeTree(s.docs, { 'a.txt': 'alpha, edited' }, new Date('2024-05-02T10:00:00Z'));
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['FileModified docs/a.txt']);
	assert.is(r.result.alarming, false);
	removeDir(s.dir);
});

changes('content changed in place with mtime kept is FileCorrupted', async () => {
	const s = await side({ 'photo.jpg': 'original bytes' });
	corruptInPlace(join(s.docs, 'photo.jpg'), 'originaX bytes');
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['FileCorrupted docs/photo.jpg']);
	assert.match(r.events[0]!.details!, /modification time did not/);
	assert.ok(r.result.alarming);
	removeDir(s.dir);
});

changes('a truncated file with mtime kept is FileCorrupted too', async () => {
	const s = await side({ 'video.mp4': 'a long file that gets cut' });
	corruptInPlace(join(s.docs, 'video.mp4'), 'a long');
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['FileCorrupted docs/video.mp4']);
	removeDir(s.dir);
});

changes('a corrupted file is not reported again while it stays the same, and healing is quiet', async () => {
	const s = await side({ 'x.bin': 'good content' });
	corruptInPlace(join(s.docs, 'x.bin'), 'bad! content');
	assert.equal((await runSide(s.cfg)).lines, ['FileCorrupted docs/x.bin']);
	assert.equal((await runSide(s.cfg)).lines, []);
	const db = readFileSync(join(s.cfg, 'equilybrium.A.DB.json'), 'utf8');
	assert.ok(db.includes('"' + (await import('../src/index.ts')).digestOf('sha256', new TextEncoder().encode('good content')) + '"]'), 'the good hash is kept');
	corruptInPlace(join(s.docs, 'x.bin'), 'good content'); // restored from the backup, mtime kept
	assert.equal((await runSide(s.cfg)).lines, []);
	removeDir(s.dir);
});

changes('a touch (mtime changed, same content) is silent', async () => {
	const s = await side({ 'a.txt': 'alpha' });
	const later = new Date('2024-07-01T00:00:00Z');
	utimesSync(join(s.docs, 'a.txt'), later, later);
	const r = await runSide(s.cfg);
	assert.equal(r.lines, []);
	// and the new mtime was recorded: corrupting now, with the new mtime kept, is still caught
	corruptInPlace(join(s.docs, 'a.txt'), 'alphX', later);
	assert.equal((await runSide(s.cfg)).lines, ['FileCorrupted docs/a.txt']);
	removeDir(s.dir);
});

changes.run();

// ---

const moves = suite('moves, renames, removals');

moves('a rename is FileMovedOrRenamed, not a removal and a new file', async () => {
	const s = await side({ 'a.txt': 'alpha', 'b.txt': 'beta' });
	renameSync(join(s.docs, 'a.txt'), join(s.docs, 'renamed.txt'));
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['FileMovedOrRenamed docs/renamed.txt']);
	assert.is(r.events[0]!.details, 'from docs/a.txt');
	removeDir(s.dir);
});

moves('a move to another folder is FileMovedOrRenamed', async () => {
	const s = await side({ 'inbox/a.txt': 'alpha', 'archive/keep.txt': 'keep' });
	renameSync(join(s.docs, 'inbox/a.txt'), join(s.docs, 'archive/a.txt'));
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['FileMovedOrRenamed docs/archive/a.txt']);
	assert.is(r.events[0]!.details, 'from docs/inbox/a.txt');
	const log = readFileSync(join(s.cfg, eventLogName('A', 'FileMovedOrRenamed')), 'utf8').trim();
	assert.match(log, /\tFileMovedOrRenamed\tdocs\/archive\/a\.txt\tfrom docs\/inbox\/a\.txt$/);
	removeDir(s.dir);
});

moves('a move between two monitored folders is a move too', async () => {
	const dir = tempDir();
	writeTree(join(dir, 'one'), { 'a.txt': 'alpha' });
	writeTree(join(dir, 'two'), { 'b.txt': 'beta' });
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'one'), join(dir, 'two')] });
	await runSide(join(dir, 'cfg'));
	renameSync(join(dir, 'one/a.txt'), join(dir, 'two/a.txt'));
	const r = await runSide(join(dir, 'cfg'));
	assert.equal(r.lines, ['FileMovedOrRenamed two/a.txt']);
	assert.is(r.events[0]!.details, 'from one/a.txt');
	removeDir(dir);
});

moves('a deleted file is FileNotFound', async () => {
	const s = await side({ 'a.txt': 'alpha', 'b.txt': 'beta' });
	rmSync(join(s.docs, 'b.txt'));
	assert.equal((await runSide(s.cfg)).lines, ['FileNotFound docs/b.txt']);
	removeDir(s.dir);
});

moves('deleting one of two identical files: one FileNotFound, no false move', async () => {
	const s = await side({ 'photo.jpg': 'same bytes', 'copy of photo.jpg': 'same bytes', 'other.txt': 'x' });
	rmSync(join(s.docs, 'copy of photo.jpg'));
	assert.equal((await runSide(s.cfg)).lines, ['FileNotFound docs/copy of photo.jpg']);
	removeDir(s.dir);
});

moves('several empty files: deleting one is one FileNotFound, the others stay', async () => {
	const s = await side({ 'e1': '', 'e2': '', 'e3': '', 'sub/e4': '' });
	assert.is(s.first.lines.length, 4, 'every empty file is its own entry');
	rmSync(join(s.docs, 'e2'));
	assert.equal((await runSide(s.cfg)).lines, ['FileNotFound docs/e2']);
	assert.equal((await runSide(s.cfg)).lines, []);
	removeDir(s.dir);
});

moves('renaming one of several empty files is one move, nothing lost', async () => {
	const s = await side({ 'e1': '', 'e2': '', 'e3': '' });
	renameSync(join(s.docs, 'e2'), join(s.docs, 'e9'));
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['FileMovedOrRenamed docs/e9']);
	assert.is(r.events[0]!.details, 'from docs/e2');
	removeDir(s.dir);
});

moves('a new file with the content of an existing one is NewFile and DuplicateFile naming it, not a move', async () => {
	const s = await side({ 'a.txt': 'alpha' });
	writeTree(s.docs, { 'copy.txt': 'alpha' });
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['DuplicateFile docs/copy.txt', 'NewFile docs/copy.txt']);
	assert.is(r.events.find((e) => e.type === 'DuplicateFile')!.details, 'same content as docs/a.txt');
	assert.not.ok(r.result.alarming, 'informational');
	removeDir(s.dir);
});

moves('no DuplicateFile between two files new in the same run, nor for an empty file', async () => {
	const s = await side({ 'a.txt': 'alpha', 'empty.txt': '' });
	writeTree(s.docs, { 'x1.txt': 'twins', 'x2.txt': 'twins', 'empty2.txt': '' });
	assert.equal((await runSide(s.cfg)).lines, ['NewFile docs/empty2.txt', 'NewFile docs/x1.txt', 'NewFile docs/x2.txt']);
	removeDir(s.dir);
});

moves('a file newly left out by Exclude, still there, leaves quietly and pairs with no move: its copy elsewhere is new', async () => {
	const s = await side({ 'app.log': 'log lines', 'keep.txt': 'keep' });
	writeConfig(s.cfg, { a: [s.docs], extra: 'Exclude = ["*.log"]' });
	writeTree(s.docs, { 'sub/app.txt': 'log lines' });
	const r = await runSide(s.cfg);
	// not "moved from docs/app.log" (it is still there), nor a copy of it (it is no longer monitored)
	assert.equal(r.lines, ['NewFile docs/sub/app.txt']);
	assert.is(r.result.noLongerMonitored, 1);
	assert.is(r.result.counts.FileNotFound, 0);
	removeDir(s.dir);
});

moves('a folder taken out of [Monitored Directories]: its files leave quietly, not as FileNotFound; a file removed from a folder kept still is', async () => {
	const s = await side({ 'a.txt': 'alpha', 'gone.txt': 'gone' });
	const pics = join(s.dir, 'pics');
	writeTree(pics, { 'p1.jpg': 'one', 'sub/p2.jpg': 'two' });
	writeConfig(s.cfg, { a: [s.docs, pics] });
	assert.equal((await runSide(s.cfg)).lines, ['NewFile pics/p1.jpg', 'NewFile pics/sub/p2.jpg']);
	writeConfig(s.cfg, { a: [s.docs] });
	rmSync(join(s.docs, 'gone.txt'));
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['FileNotFound docs/gone.txt']);
	assert.is(r.result.noLongerMonitored, 2);
	removeDir(s.dir);
});

moves.run();

// ---

const collisions = suite('hash collisions');

collisions('same crc32, another size: HashCollision', async () => {
	const original = new TextEncoder().encode('the original file');
	const s = await side({ 'original.txt': original }, 'crc32');
	const { crc32Js } = await import('../src/index.ts');
	const impostor = forceCrc(new TextEncoder().encode('another, longer file with different bytes'), crc32Js(original));
	assert.is(crc32Js(impostor), crc32Js(original));
	writeTree(s.docs, { 'impostor.txt': impostor });
	const r = await runSide(s.cfg);
	assert.equal(r.lines, ['HashCollision docs/impostor.txt', 'NewFile docs/impostor.txt']);
	assert.match(r.events.find((e) => e.type === 'HashCollision')!.details!, /docs\/original\.txt/);
	assert.ok(r.result.alarming);
	assert.equal((await runSide(s.cfg)).lines, [], 'an old collision is not reported again');
	removeDir(s.dir);
});

collisions('same digest and same size is a duplicate, not a collision', async () => {
	const s = await side({ 'a.txt': 'twin' }, 'crc32');
	writeTree(s.docs, { 'b.txt': 'twin' });
	assert.equal((await runSide(s.cfg)).lines, ['DuplicateFile docs/b.txt', 'NewFile docs/b.txt']);
	removeDir(s.dir);
});

collisions.run();

// ---

const unreadable = suite('unreadable files and folders (run as an unprivileged user)');

/** A tree owned by the unprivileged user, one run done, then `lock` makes part of it unreadable. */
function unreadableCase(files: Record<string, string>, lock: (docs: string) => void, unlock: (docs: string) => void) {
	const dir = tempDir();
	const docs = join(dir, 'docs');
	const cfg = join(dir, 'cfg');
	writeTree(docs, files);
	// as B: A's runs also compare with B, whose absence alone would make the exit code 1
	writeConfig(cfg, { b: [docs] });
	giveToNobody(dir);
	const run = () => runCli(['run', '--role', 'B', '--config', cfg], { asNobody: true });
	const first = run();
	assert.is(first.status, 0, first.stderr);
	lock(docs);
	const second = run();
	unlock(docs);
	const third = run();
	return { dir, cfg, second, third };
}

unreadable('a file that cannot be read is FileUnreadable, not FileNotFound, and stays in M', () => {
	const path = (docs: string) => join(docs, 'secret.txt');
	const c = unreadableCase({ 'secret.txt': 'classified', 'open.txt': 'public' }, (d) => chmodSync(path(d), 0o000), (d) => chmodSync(path(d), 0o644));
	assert.is(c.second.status, 1, 'exit 1: something to look at');
	assert.match(c.second.stdout, /FileUnreadable\s+docs\/secret\.txt\s+\(permission denied/);
	assert.not.match(c.second.stdout, /FileNotFound/);
	const log = readFileSync(join(c.cfg, eventLogName('B', 'FileUnreadable')), 'utf8');
	assert.is(parseEventLine(log.trim())!.key, 'docs/secret.txt');
	assert.is(c.third.status, 0, c.third.stdout);
	assert.match(c.third.stdout, /no changes/, 'readable again and unchanged: nothing was lost from M');
	removeDir(c.dir);
});

unreadable('a folder that cannot be listed keeps every entry below it', () => {
	const sub = (docs: string) => join(docs, 'private');
	const c = unreadableCase(
		{ 'private/a.txt': 'a', 'private/deep/b.txt': 'b', 'public.txt': 'p' },
		(d) => chmodSync(sub(d), 0o000),
		(d) => chmodSync(sub(d), 0o755),
	);
	assert.is(c.second.status, 1);
	assert.match(c.second.stdout, /FileUnreadable\s+docs\/private\//);
	assert.not.match(c.second.stdout, /FileNotFound|NewFile/);
	assert.match(c.third.stdout, /no changes/);
	removeDir(c.dir);
});

unreadable.run();

// ---

const typed = suite('what an event carries besides its words');

typed('a move names its origin, an edit and a rot the content they replaced; the log line is as before', async () => {
	const s = await side({ 'a.txt': 'alpha', 'edit.txt': 'first', 'rot.txt': 'intact' });
	const before = s.first.events.find((e) => e.key === 'docs/rot.txt')!;
	renameSync(join(s.docs, 'a.txt'), join(s.docs, 'moved.txt'));
	writeTree(s.docs, { 'edit.txt': 'second, longer' });
	utimesSync(join(s.docs, 'edit.txt'), new Date(), new Date(Date.now() + 5000));
	corruptInPlace(join(s.docs, 'rot.txt'), 'intacX');
	const r = await runSide(s.cfg);
	const moved = r.events.find((e) => e.type === 'FileMovedOrRenamed')!;
	assert.is(moved.from, 'docs/a.txt');
	assert.is(moved.details, 'from docs/a.txt');
	const edited = r.events.find((e) => e.type === 'FileModified')!;
	assert.equal(edited.was, { size: 5, hash: s.first.events.find((e) => e.key === 'docs/edit.txt')!.hash });
	const rotted = r.events.find((e) => e.type === 'FileCorrupted')!;
	assert.equal(rotted.was, { size: before.size, hash: before.hash });
	const line = readFileSync(join(s.cfg, eventLogName('A', 'FileMovedOrRenamed')), 'utf8').trim();
	assert.match(line, /\tFileMovedOrRenamed\tdocs\/moved\.txt\tfrom docs\/a\.txt$/);
	assert.is(parseEventLine(line)!.from, 'docs/a.txt', 'read back from the log, typed too');
	removeDir(s.dir);
});

typed.run();
