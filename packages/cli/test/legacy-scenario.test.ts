// Issue 19: the original Equilybrium's own test scenario (its equilybrium-test.py), recreated
// with the contents and mtimes the original was run on, through our CLI with the original's
// config. Per pass, our events are compared with the events the original logged
// (fixtures/legacy/scenario/events.tsv) where the two vocabularies meet, and our M with the
// original's database. The original's VerificationFailed is our FileModified when the mtime
// changed (every edit of this scenario) and FileCorrupted when it did not (pass 3, ours only).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventsSince, legacyText, LEGACY, logMark, mAsObject, readM, removeDir, runAs, tempDir, typed, writeConfig, type Entry, type LoggedEvent, type Ran } from './util/legacy.ts';
import { makePass1, makePass2, originalEvents, readLegacyDb, rot } from './util/legacy-scenario.ts';

const LABEL = 'test';
const key = (path: unknown) => String(path).replace(/^<ROOT>\//, `${LABEL}/`);

/** The original's events of one pass in our vocabulary: `type key` lines, the collision pair apart, and what details must name. */
function expectedOf(pass: string, file?: string) {
	const lines: string[] = [];
	const mentions: [string, string][] = [];
	const pairs: string[][] = [];
	for (const { type, fields } of originalEvents(file).filter((e) => e.pass === pass)) {
		if (type === 'NewFile' || type === 'FileNotFound') lines.push(`${type} ${key(fields.path)}`);
		else if (type === 'VerificationFailed') lines.push(`FileModified ${key(fields.path)}`); // every edit of the scenario changes the mtime
		else if (type === 'FileMovedOrRenamed') {
			lines.push(`FileMovedOrRenamed ${key(fields.moved_to)}`);
			mentions.push([`FileMovedOrRenamed ${key(fields.moved_to)}`, key(fields.moved_from)]);
		} else if (type === 'DuplicateFile') {
			const [copy, ...others] = (fields.duplicate_files as string[]).map(key);
			lines.push(`DuplicateFile ${copy}`);
			for (const other of others) mentions.push([`DuplicateFile ${copy}`, other]);
		} else if (type === 'HashCollision') pairs.push([key(fields.other_file), key(fields.reference)]);
		else throw new Error(`an event of the original not mapped: ${type}`);
	}
	return { lines: lines.sort(), mentions, pairs };
}

/** Our events against the original's: the same `type key` set; the collision pair named; details naming the other file. */
function compareWithOriginal(ours: LoggedEvent[], pass: string, file?: string): void {
	const want = expectedOf(pass, file);
	const collisions = ours.filter((e) => e.type === 'HashCollision');
	assert.equal(typed(ours.filter((e) => e.type !== 'HashCollision')), want.lines, `${pass}: our events (left) against the original's (right)`);
	for (const [line, other] of want.mentions) {
		const event = ours.find((e) => `${e.type} ${e.key}` === line);
		assert.ok(event?.details.includes(other), `${line}: its details name ${other} (${event?.details})`);
	}
	for (const pair of want.pairs) {
		const named = new Set(collisions.flatMap((e) => [e.key, ...pair.filter((p) => e.details.includes(p))]));
		assert.ok(pair.every((p) => named.has(p)), `${pass}: HashCollision names ${pair.join(' and ')}: ${JSON.stringify(collisions)}`);
	}
	const inPairs = new Set(want.pairs.flat());
	assert.ok(collisions.every((e) => inPairs.has(e.key)), `${pass}: no other HashCollision: ${JSON.stringify(collisions)}`);
}

/** The original's database after a pass, as our M: `key → {size, adler32 as 8 hex digits}`. */
function originalM(pass: string): Record<string, Entry> {
	const db = readLegacyDb(readFileSync(join(LEGACY, `scenario/${pass}.A.DB.json`), 'utf8'));
	return mAsObject(new Map([...db].map(([path, { size, decimal }]) => [key(path), { size, hash: BigInt(decimal).toString(16).padStart(8, '0') }])));
}

function scenarioConfig(fixture: string, root: string): string {
	return legacyText(fixture).replace('@UUID@', '42').replace('<ROOT>', root);
}

const ran = (r: Ran) => {
	assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}\n${r.all}`);
	assert.not.match(r.stderr, /unknown key/i, r.stderr);
};

const test = suite("the original's test scenario, pass by pass, against the original's events and databases");
const s = { dir: '', root: '', cfg: '' };
test.before(() => {
	s.dir = tempDir();
	s.root = join(s.dir, LABEL);
	s.cfg = join(s.dir, 'cfg');
	makePass1(s.root);
	writeConfig(s.cfg, scenarioConfig('scenario.equilybrium.config.ini', s.root));
});
test.after(() => removeDir(s.dir));

test('pass 1: NewFile for the 8 monitored files, HashCollision for the adler32 pair of 100 and 101 bytes; no_ext, small.txt (99 B), the @ folder (Avoid_at_dirs = A) and $RECYCLE.BIN unseen', () => {
	const r = runAs(s.cfg, 'A');
	ran(r);
	const ours = eventsSince(s.cfg, 'A');
	compareWithOriginal(ours, 'pass1');
	assert.equal(mAsObject(readM(s.cfg, 'A')), originalM('pass1'), "our M (left) against the original's database (right)");
});

test('pass 2: DuplicateFile (naming dupl_src.tst) and NewFile for dupl_dst.tst, FileModified for the additive and the in-place edit, FileMovedOrRenamed, FileNotFound; nothing for the untouched file', () => {
	makePass2(s.root);
	const mark = logMark(s.cfg, 'A');
	const r = runAs(s.cfg, 'A');
	ran(r);
	compareWithOriginal(eventsSince(s.cfg, 'A', mark), 'pass2');
	assert.equal(mAsObject(readM(s.cfg, 'A')), originalM('pass2'), "our M (left) against the original's database (right)");
});

test('pass 3 (ours): untouched.txt rots (a byte changes, the mtime does not): FileCorrupted, where the original says VerificationFailed', () => {
	rot(s.root, 'untouched.txt');
	const mark = logMark(s.cfg, 'A');
	const r = runAs(s.cfg, 'A');
	assert.is(r.status, 1, r.all);
	assert.equal(typed(eventsSince(s.cfg, 'A', mark)), [`FileCorrupted ${LABEL}/untouched.txt`]);
});

test.run();

const noext = suite("the same scenario with Include_files_with_no_extension = True (the original's second config)");
const n = { dir: '', root: '', cfg: '' };
noext.before(() => {
	n.dir = tempDir();
	n.root = join(n.dir, LABEL);
	n.cfg = join(n.dir, 'cfg');
	makePass1(n.root);
	writeConfig(n.cfg, scenarioConfig('scenario-noext-included.equilybrium.config.ini', n.root));
});
noext.after(() => removeDir(n.dir));

noext('pass 1: no_ext is a NewFile too, as in the original', () => {
	const r = runAs(n.cfg, 'A');
	ran(r);
	compareWithOriginal(eventsSince(n.cfg, 'A'), 'pass1', 'scenario/events-noext-included.tsv');
	assert.ok(readM(n.cfg, 'A').has(`${LABEL}/no_ext`));
});

noext('pass 2: the same events as the original', () => {
	makePass2(n.root);
	const mark = logMark(n.cfg, 'A');
	ran(runAs(n.cfg, 'A'));
	compareWithOriginal(eventsSince(n.cfg, 'A', mark), 'pass2', 'scenario/events-noext-included.tsv');
});

noext.run();
