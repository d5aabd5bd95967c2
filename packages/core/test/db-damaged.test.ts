// A damaged or unknown database is answered within seconds, never by a hang (SPEC §13): the
// built CLI is run on databases damaged every way the attack log found (a flipped byte
// anywhere, a cut, a byte order mark, a newer version sealed correctly, sealed files of the
// wrong shape). Each run must exit 3 naming the file and what to do, print no JavaScript
// error text, leave the file exactly as it was, and release its lock.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sealFor } from '../src/db/seal.ts';
import { ensureBundle } from './util/bundle.ts';
import { dropWorld, makeWorld, runSide, type World } from './util/crash.ts';

const bundle = () => process.env.EQ_BUNDLE ?? ensureBundle();
const DB = 'equilybrium.B.DB.json';

/** The file with its seal line made anew over what precedes it (a "correctly sealed" file). */
function resealed(text: string, version = 2): string {
	const body = text.slice(0, text.lastIndexOf('"seal":'));
	const digest = sealFor(version).update(Buffer.from(body, 'utf8')).digest();
	return `${body}"seal":"${digest}"}\n`;
}

/** One run of B over the damaged database; it must end in well under the 20 s it is given. */
function runOn(world: World, damaged: string | Buffer) {
	writeFileSync(join(world.cfg, DB), damaged);
	const started = Date.now();
	const r = spawnSync(process.execPath, [bundle(), 'run', '--role', 'B', '--config', world.cfg, '--quiet'], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
	return { ...r, ms: Date.now() - started };
}

function refused(world: World, name: string, damaged: string | Buffer, message?: RegExp): void {
	const r = runOn(world, damaged);
	assert.not.ok(r.signal === 'SIGKILL', `${name}: the run hung (killed after 20 s)`);
	assert.is(r.status, 3, `${name}: exit ${r.status}\n${r.stdout}${r.stderr}`);
	assert.ok(r.ms < 15_000, `${name}: answered in ${r.ms} ms`);
	assert.match(r.stderr, /equilybrium\.B\.DB\.json/, `${name}: names the file: ${r.stderr}`);
	if (message) assert.match(r.stderr, message, `${name}: ${r.stderr}`);
	assert.not.match(r.stderr, /Unexpected (token|end)|JSON|undefined|TypeError|RangeError|\n\s+at /, `${name}: no JavaScript error text: ${r.stderr}`);
	assert.ok(Buffer.compare(readFileSync(join(world.cfg, DB)), Buffer.from(damaged)) === 0, `${name}: the file is left as it was`);
	assert.not.ok(existsSync(join(world.cfg, 'equilybrium.B.lock')), `${name}: the lock is released`);
	for (const backup of r.stderr.match(/[^\s"'()`]+\.bak\b/g) ?? []) assert.ok(existsSync(join(world.cfg, backup)), `${name}: names ${backup}, which is not there: ${r.stderr}`);
}

const damaged = suite('a damaged or unknown database');
let world: World;
let good = '';
damaged.before(() => {
	ensureBundle();
	world = makeWorld();
	assert.is(runSide(world, 'B').status, 0);
	good = readFileSync(join(world.cfg, DB), 'utf8');
});
damaged.after(() => dropWorld(world));

damaged('one byte flipped anywhere: header, entries, local facts, run line, seal', () => {
	const bytes = Buffer.from(good, 'utf8');
	const sealAt = good.lastIndexOf('"seal":');
	const runAt = good.lastIndexOf('"run":');
	const places = [0, 1, 10, 14, 25, 40, good.indexOf('"files"') + 3, good.indexOf('"files"') + 20, good.indexOf('"local"') + 15, runAt + 8, runAt + 40, sealAt - 3, sealAt + 10, bytes.length - 2, bytes.length - 1];
	for (const at of places) {
		for (const byte of [0x26, 0x00, 0x7b, 0xff]) {
			if (bytes[at] === byte) continue;
			const copy = Buffer.from(bytes);
			copy[at] = byte;
			refused(world, `byte ${at} set to 0x${byte.toString(16)}`, copy);
		}
	}
});

damaged('cut short at any length, or empty', () => {
	for (const length of [0, 1, 30, good.indexOf('"files"'), Math.floor(good.length / 2), good.lastIndexOf('"run":'), good.length - 10, good.length - 1]) {
		refused(world, `cut at ${length}`, good.slice(0, length));
	}
});

damaged('a byte order mark before the header (saved by an editor)', () => {
	refused(world, 'BOM', '\uFEFF' + good, /byte order mark|editor/);
});

damaged('a newer version, correctly sealed, says so', () => {
	const newer = resealed(good.replace('"version":2', '"version":3'), 2);
	refused(world, 'version 3', newer, /newer Equilybrium/);
});

damaged('sealed, but of the wrong shape: every message names the file, none is a JavaScript error', () => {
	const cases: [string, string][] = [
		['not our format', good.replace('"format":"equilybrium-db"', '"format":"something-else"')],
		['a header that is not an object', good.replace(/^\{"format/, '{"format":"equilybrium-db","version":2},{"x')],
		['an entry that is not JSON', good.replace(/^\["Docs\/d0\/f00\.txt",/m, '["Docs/d0/f00.txt",,')],
		['an entry of the wrong types', good.replace(/^\["Docs\/d0\/f00\.txt",(\d+),/m, '[42,"$1",')],
		['a local line of garbage', good.replace(/("local":\[\n)\[[^\n]*\]/, '$1[oops]')],
		['fewer local lines than entries', good.replace(/("local":\[\n)\[[^\n]*\],\n/, '$1')],
		['a run line that is not an object', good.replace(/"run":\{[^\n]*\},\n/, '"run":[1,2],\n')],
		['a run line without its offsets', good.replace(/"filesAt":\d+/, '"filesAt":"x"')],
		['offsets pointing elsewhere', good.replace(/"filesAt":\d+/, '"filesAt":3').replace(/"localAt":\d+/, '"localAt":5')],
		['no entries section at all', good.replace(/"files":\[\n[\s\S]*?\n\],\n/, '')],
	];
	for (const [name, text] of cases) {
		assert.is.not(text, good, `${name}: the damage was made`);
		refused(world, name, resealed(text));
	}
});

damaged('sealed as version 2, but its run line does not record its blocks: refused, not read without them', () => {
	const without = good.replace(/"listing":\{[^}]*\},/, '');
	assert.is.not(without, good, 'the damage was made');
	refused(world, 'no listing', resealed(without), /does not record the blocks/);
	const half = good.replace(/"oldestSizes":\[[^\]]*\]/, '"oldestSizes":[]');
	assert.is.not(half, good, 'the damage was made');
	refused(world, 'a listing of fewer blocks', resealed(half), /does not record the blocks/);
});

damaged('with hashing threads (which kept a hung run alive for ever): the same answers', () => {
	const ini = join(world.cfg, 'equilybrium.config.ini');
	const config = readFileSync(ini, 'utf8');
	writeFileSync(ini, config.replace('Workers = 0', 'Workers = 2'));
	try {
		const flipped = Buffer.from(good, 'utf8');
		flipped[10] = 0x26;
		refused(world, 'a flipped header byte, threads', flipped);
		refused(world, 'BOM, threads', '\uFEFF' + good);
		refused(world, 'version 3, threads', resealed(good.replace('"version":2', '"version":3')), /newer Equilybrium/);
	} finally {
		writeFileSync(ini, config);
	}
});

damaged("the original Equilybrium's database put in its place (its data/B.DB.json renamed): refused, import-legacy suggested", () => {
	const original = '{\n  "2693604934": [\n    [\n      101,\n      "/volume1/docs/collision.1.txt"\n    ]\n  ]\n}';
	refused(world, "the original's database", original, /original Equilybrium's database[\s\S]*import-legacy .* --role B/);
	refused(world, "the original's empty database", '{}', /import-legacy/);
});

damaged('with a previous version kept (.bak), a damaged file\'s message names it; without one, it names none (checked on every case above)', () => {
	writeFileSync(join(world.cfg, DB), good);
	assert.is(runSide(world, 'B').status, 0);
	assert.ok(existsSync(join(world.cfg, `${DB}.bak`)), 'the second run kept the first version');
	const flipped = Buffer.from(readFileSync(join(world.cfg, DB)));
	flipped[10] = 0x26;
	refused(world, 'a flipped byte, with a .bak', flipped, /restore that backup/);
	assert.match(runOn(world, flipped).stderr, /equilybrium\.B\.DB\.json\.bak/);
});

damaged.run();
