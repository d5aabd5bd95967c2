import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AT_RISK, compareJson, compareSides, VERDICTS, type Comparison, type Verdict } from '../src/index.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { runSide } from './util/run.ts';
import { buildScenario, T } from './util/scenario.ts';
import { runCli } from './util/bundle.ts';

async function keys(c: Comparison, verdict: Verdict): Promise<string[]> {
	const out: string[] = [];
	for await (const item of c.items(verdict)) out.push(item.key);
	return out;
}

const verdicts = suite('every verdict, content-based, across differently named folders');

verdicts('the scenario', async () => {
	const s = await buildScenario();
	assert.equal(s.bSecond.lines, ['FileCorrupted Docs/rots-on-b.txt']);
	assert.equal(s.aSecond.lines, ['FileCorrupted Documents/rots-on-a.txt', 'FileModified Music/song.txt', 'NewFile Documents/new.txt']);
	const c = await compareSides({ configDir: s.cfg, now: T.aSecond, staleAfterDays: 3 });
	assert.is(c.b, 'ok');
	assert.equal(await keys(c, 'backedUp'), ['Documents/letter.txt', 'Pictures/a.jpg', 'Pictures/dup1.jpg', 'Pictures/sub/dup2.jpg']);
	assert.equal(await keys(c, 'pending'), ['Documents/new.txt']);
	assert.equal(await keys(c, 'missingOnB'), ['Documents/missing.txt', 'Documents/twin-missing-1.txt', 'Documents/twin-missing-2.txt']);
	assert.equal(await keys(c, 'outdatedOnB'), ['Music/song.txt']);
	assert.is(c.samples.outdatedOnB[0]!.bPath, join(s.b.music, 'song.txt'), 'where the older version is');
	assert.equal(await keys(c, 'corruptedOnB'), ['Documents/rots-on-b.txt']);
	assert.equal(await keys(c, 'corruptedOnA'), ['Documents/rots-on-a.txt']);
	assert.equal(await keys(c, 'onlyOnB'), ['Docs/only-on-b.txt']);
	assert.is(c.samples.corruptedOnA[0]!.bKey, 'Docs/rots-on-a.txt', 'where to restore from');
	assert.is(c.samples.corruptedOnB[0]!.bKey, 'Docs/rots-on-b.txt', 'which copy on B rotted');
	assert.is(c.samples.corruptedOnA[0]!.bPath, join(s.b.docs, 'rots-on-a.txt'), 'as a path on B');
	assert.equal(c.counts.missingOnB, { files: 3, bytes: 'never synced'.length + 2 * 'duplicated and never synced'.length });
	// counts and the streamed lists agree
	for (const v of VERDICTS) assert.is(c.counts[v].files, (await keys(c, v)).length, v);
	removeDir(s.dir);
});

verdicts('a duplicated file with one copy lost on B stays backed up; one copy rotted on B too', async () => {
	const dir = tempDir();
	writeTree(join(dir, 'A/one'), { 'x.jpg': 'twin', 'y.jpg': 'twin' });
	writeTree(join(dir, 'A/two'), { 'z.jpg': 'twin' });
	writeTree(join(dir, 'B/all'), { 'x.jpg': 'twin', 'copy/x.jpg': 'twin' });
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'A/one'), join(dir, 'A/two')], b: [join(dir, 'B/all')] });
	await runSide(join(dir, 'cfg'), 'A', T.aFirst);
	await runSide(join(dir, 'cfg'), 'B', T.bFirst);
	const { corruptInPlace } = await import('./util/tree.ts');
	corruptInPlace(join(dir, 'B/all/copy/x.jpg'), 'twiN');
	await runSide(join(dir, 'cfg'), 'B', T.bSecond);
	const c = await compareSides({ configDir: join(dir, 'cfg'), now: T.bSecond, staleAfterDays: 3 });
	assert.equal(await keys(c, 'backedUp'), ['one/x.jpg', 'one/y.jpg', 'two/z.jpg']);
	assert.equal(await keys(c, 'corruptedOnB'), []);
	assert.equal(await keys(c, 'missingOnB'), []);
	removeDir(dir);
});

verdicts.run();

// ---

const edits = suite('an edit on A: outdated on B, or pending — each key of A in exactly one list');

/** A and B hold the same two files; A edits `edited.txt` at `editedAt`, and B runs again at T.bSecond without receiving it. */
async function editedOnA(editedAt: number) {
	const dir = tempDir();
	writeTree(join(dir, 'A/docs'), { 'edited.txt': 'version 1', 'same.txt': 'unchanged' });
	writeTree(join(dir, 'B/docs'), { 'edited.txt': 'version 1', 'same.txt': 'unchanged', 'deleted-on-a.txt': 'old' });
	const cfg = join(dir, 'cfg');
	writeConfig(cfg, { a: [join(dir, 'A/docs')], b: [join(dir, 'B/docs')] });
	await runSide(cfg, 'A', T.aFirst);
	await runSide(cfg, 'B', T.bFirst);
	writeTree(join(dir, 'A/docs'), { 'edited.txt': 'version 2, longer' }, new Date(editedAt));
	await runSide(cfg, 'B', T.bSecond);
	await runSide(cfg, 'A', T.aSecond);
	return { dir, cfg, c: await compareSides({ configDir: cfg, now: T.aSecond, staleAfterDays: 3 }) };
}

async function everyList(c: Comparison): Promise<Record<string, string[]>> {
	return Object.fromEntries(await Promise.all(VERDICTS.map(async (v) => [v, await keys(c, v)] as const)));
}

edits('edited before B\'s last run and never copied: outdated on B (at risk), B\'s older copy not "only on B"', async () => {
	const { dir, c } = await editedOnA(T.bFirst + 3600_000);
	const lists = await everyList(c);
	assert.equal(lists, {
		backedUp: ['docs/same.txt'],
		pending: [],
		missingOnB: [],
		outdatedOnB: ['docs/edited.txt'],
		corruptedOnB: [],
		corruptedOnA: [],
		onlyOnB: ['docs/deleted-on-a.txt'],
	});
	assert.is(c.samples.outdatedOnB[0]!.bKey, 'docs/edited.txt');
	assert.is(c.samples.outdatedOnB[0]!.bPath, join(dir, 'B/docs/edited.txt'));
	assert.equal(c.counts.outdatedOnB, { files: 1, bytes: 'version 2, longer'.length });
	assert.ok(AT_RISK.includes('outdatedOnB'));
	removeDir(dir);
});

edits('edited after B\'s last run began: pending, and B\'s older copy not "only on B" either', async () => {
	const { dir, c } = await editedOnA(T.bSecond + 3600_000);
	const lists = await everyList(c);
	assert.equal(lists.pending, ['docs/edited.txt']);
	assert.equal(lists.outdatedOnB, []);
	assert.equal(lists.missingOnB, []);
	assert.equal(lists.onlyOnB, ['docs/deleted-on-a.txt']);
	removeDir(dir);
});

edits('every key of A in exactly one list, across the scenario', async () => {
	const s = await buildScenario();
	const c = await compareSides({ configDir: s.cfg, now: T.aSecond, staleAfterDays: 3 });
	const lists = await everyList(c);
	const ofA = VERDICTS.filter((v) => v !== 'onlyOnB').flatMap((v) => lists[v]!);
	assert.is(new Set(ofA).size, ofA.length, 'no key twice');
	assert.is(ofA.length, s.aSecond.result.files, 'none left out');
	assert.not.ok(lists.onlyOnB!.includes('Music/song.txt'), "B's older version of an edited file is not only on B");
	removeDir(s.dir);
});

edits('through the CLI: exit 1, the JSON lists it, the text says where the older version is', async () => {
	const { dir, cfg } = await editedOnA(T.bFirst + 3600_000);
	const r = runCli(['compare', '--config', cfg, '--json']);
	assert.is(r.status, 1, r.stderr);
	assert.equal(JSON.parse(r.stdout).outdatedOnB, ['docs/edited.txt']);
	const text = runCli(['compare', '--config', cfg]);
	assert.match(text.stdout, /^outdated on B +1 file, 17 B\n    docs\/edited\.txt  \(on B: .*edited\.txt\)$/m);
	removeDir(dir);
});

edits.run();

// ---

const states = suite("B's database: missing, unsealed, stale");

states('missing: nothing can be judged, and it says why', async () => {
	const s = await buildScenario();
	renameSync(join(s.cfg, 'equilybrium.B.DB.json'), join(s.dir, 'elsewhere.json'));
	const c = await compareSides({ configDir: s.cfg, now: T.aSecond, staleAfterDays: 3 });
	assert.is(c.b, 'missing');
	assert.match(c.bProblem!, /not in the config folder/);
	for (const v of VERDICTS) assert.is(c.counts[v].files, 0);
	removeDir(s.dir);
});

states('unsealed: a B database that fails its seal is not trusted, and is left as it is', async () => {
	const s = await buildScenario();
	const path = join(s.cfg, 'equilybrium.B.DB.json');
	const tampered = readFileSync(path, 'utf8').replace('"Docs/letter.txt",6', '"Docs/letter.txt",7');
	writeFileSync(path, tampered);
	const c = await compareSides({ configDir: s.cfg, now: T.aSecond, staleAfterDays: 3 });
	assert.is(c.b, 'unsealed');
	assert.match(c.bProblem!, /fails its seal/);
	assert.is(readFileSync(path, 'utf8'), tampered);
	removeDir(s.dir);
});

states('stale: older than the configured age, verdicts still given', async () => {
	const s = await buildScenario();
	const fresh = await compareSides({ configDir: s.cfg, now: T.bSecond + 2.9 * 86_400_000, staleAfterDays: 3 });
	assert.is(fresh.b, 'ok');
	const old = await compareSides({ configDir: s.cfg, now: T.bSecond + 3.1 * 86_400_000, staleAfterDays: 3 });
	assert.is(old.b, 'stale');
	assert.match(old.bProblem!, /B last ran 3 days ago \(stale after 3\)/);
	assert.is(old.counts.backedUp.files, 4);
	const week = await compareSides({ configDir: s.cfg, now: T.bSecond + 5 * 86_400_000, staleAfterDays: 7 });
	assert.is(week.b, 'ok', 'the age is configurable');
	removeDir(s.dir);
});

states.run();

// ---

const json = suite('equilybrium compare --json');

json('prints exactly the shape of SPEC §8, exit 1 when something is at risk', async () => {
	const s = await buildScenario();
	const r = runCli(['compare', '--config', s.cfg, '--json']);
	assert.is(r.status, 1, r.stderr);
	const parsed = JSON.parse(r.stdout);
	assert.equal(Object.keys(parsed), ['b', 'backedUp', 'pending', 'missingOnB', 'outdatedOnB', 'corruptedOnB', 'corruptedOnA', 'onlyOnB']);
	assert.equal(parsed.outdatedOnB, ['Music/song.txt']);
	assert.is(parsed.b, 'stale', 'the scenario happened in 2024: B is days old now');
	assert.equal(parsed.corruptedOnA, ['Documents/rots-on-a.txt']);
	assert.equal(parsed.onlyOnB, ['Docs/only-on-b.txt']);
	// the same JSON as the library's stream
	const c = await compareSides({ configDir: s.cfg, now: Date.now(), staleAfterDays: 3 });
	let text = '';
	for await (const chunk of compareJson(c)) text += chunk;
	assert.equal(JSON.parse(text), parsed);
	removeDir(s.dir);
});

json('exit 0 when every file is backed up and B is fresh; no hashing, nothing written', async () => {
	const dir = tempDir();
	writeTree(join(dir, 'A/docs'), { 'a.txt': 'alpha', 'b.txt': 'beta' });
	writeTree(join(dir, 'B/copy'), { 'b.txt': 'beta', 'deep/a.txt': 'alpha' });
	writeConfig(join(dir, 'cfg'), { a: [join(dir, 'A/docs')], b: [join(dir, 'B/copy')] });
	const now = Date.now();
	await runSide(join(dir, 'cfg'), 'A', now - 60_000);
	await runSide(join(dir, 'cfg'), 'B', now - 30_000);
	const before = readFileSync(join(dir, 'cfg/equilybrium.A.DB.json'), 'utf8');
	writeTree(join(dir, 'A/docs'), { 'a.txt': 'changed but compare does not hash' });
	const r = runCli(['compare', '--config', join(dir, 'cfg'), '--json']);
	assert.is(r.status, 0, r.stdout + r.stderr);
	assert.equal(JSON.parse(r.stdout), { b: 'ok', backedUp: ['docs/a.txt', 'docs/b.txt'], pending: [], missingOnB: [], outdatedOnB: [], corruptedOnB: [], corruptedOnA: [], onlyOnB: [] });
	assert.is(readFileSync(join(dir, 'cfg/equilybrium.A.DB.json'), 'utf8'), before);
	const missingB = runCli(['compare', '--config', join(dir, 'B')]);
	assert.is(missingB.status, 2, 'no config there');
	removeDir(dir);
});

json.run();
