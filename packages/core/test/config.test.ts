import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MALFORMED_CONFIGS, seedText } from './util/malformed.ts';
import { parseConfig, type CoreError } from '../src/index.ts';


const seed = suite("the seed's own example");

seed('parses with every value as the seed means it', () => {
	const c = parseConfig(seedText, 'equilybrium.config.ini');
	assert.is(c.idMethod, 'Python uuid');
	assert.equal(c.ids, { A: '123456789', B: '924784692' });
	assert.is(c.algorithm, 'sha256');
	assert.is(c.blockSize, 262144);
	assert.equal(c.roots.A, [
		{ label: 'video', path: 'D:/video' },
		{ label: 'myvideos', path: 'F:/myvideos' },
	]);
	assert.equal(c.roots.B!.map((r) => r.label), ['videos', 'movies and series']);
	assert.equal(c.warnings, []);
	assert.equal(c.verify, { mode: 'full' });
});

seed('configparser dialect: ":" delimiter, ";" comments, case-insensitive keys, CRLF, BOM', () => {
	const text = '\uFEFF[Settings]\r\n; a comment\r\nid METHOD: hostname\r\nA: pc\r\nb = nas\r\nHASH Algorithm = MD5\r\n\r\n[Monitored Directories]\r\na: {"Pics": "C:\\\\Users\\\\me\\\\Pictures"}\r\n';
	const c = parseConfig(text, 'x.ini');
	assert.is(c.idMethod, 'hostname');
	assert.equal(c.ids, { A: 'pc', B: 'nas' });
	assert.is(c.algorithm, 'md5');
	assert.equal(c.roots.A, [{ label: 'Pics', path: 'C:\\Users\\me\\Pictures' }]);
});

seed('new keys: Schedule, Exclude, Verify, Stale after days; unknown keys warn', () => {
	const text = seedText.replace('Block size = 2 ** 18', 'Block size = 65536\nSchedule = 30 2 * * 1-5\nExclude = [\n    "*.tmp",\n    "cache/**"\n    ]\nVerify = rolling 30\nStale after days = 7\nColour = blue');
	const c = parseConfig(text, 'equilybrium.config.ini');
	assert.is(c.blockSize, 65536);
	assert.is(c.schedule, '30 2 * * 1-5');
	assert.equal(c.exclude, ['*.tmp', 'cache/**']);
	assert.equal(c.verify, { mode: 'rolling', days: 30 });
	assert.is(c.staleAfterDays, 7);
	assert.is(c.warnings.length, 1);
	assert.match(c.warnings[0]!, /equilybrium\.config\.ini:\d+: \[Settings\] Colour: unknown key/);
});

seed.run();

// ---

const bad = suite('malformed configs: one clear line naming the line and key');


for (const [what, edit, expected] of MALFORMED_CONFIGS) {
	bad(what, () => {
		try {
			parseConfig(edit(seedText), '/some/where/equilybrium.config.ini');
			assert.unreachable('should have been refused');
		} catch (error) {
			const e = error as CoreError;
			assert.is(e.code, 'E_CONFIG', String(error));
			assert.match(e.message, expected);
			assert.not.match(e.message, /\n/, 'one line');
		}
	});
}

bad.run();

const strict = suite('what the config may not slip past');
const withSettings = (settings: string, dirs = 'A = ["/data/photos"]') => `[Settings]\nID method = hostname\nA = pc\n${settings}\n[Monitored Directories]\n${dirs}\n`;
const refusal = (text: string): string => {
	try {
		parseConfig(text, 'eq.ini');
	} catch (error) {
		return (error as CoreError).message;
	}
	throw new Error('expected a refusal');
};

strict('a schedule with a value out of its range is refused, naming the field', () => {
	assert.match(refusal(withSettings('Schedule = 0 3 * * 8')), /^eq\.ini:4: \[Settings\] Schedule: .*day of the week "8": "8" is not a number or a name from 0 to 7/);
	assert.match(refusal(withSettings('Schedule = 60 3 * * *')), /minute "60": "60" is not a number from 0 to 59/);
	assert.match(refusal(withSettings('Schedule = 0 24 * * *')), /hour "24"/);
	assert.match(refusal(withSettings('Schedule = 0 3 0 * *')), /day of the month "0"/);
	assert.match(refusal(withSettings('Schedule = 0 3 * 13 *')), /month "13"/);
	assert.match(refusal(withSettings('Schedule = 0 3 * * 5-1')), /runs backwards/);
	assert.match(refusal(withSettings('Schedule = 0 3 * *')), /expected 5 fields/);
	for (const ok of ['15 4 * * 1-5', '0 3 * * sun', '*/15 * * * *', '0 0 1,15 * *', '30 0 3 * * *', '0 3 * jan-mar mon,wed']) {
		assert.is(parseConfig(withSettings(`Schedule = ${ok}`), 'eq.ini').schedule, ok, ok);
	}
});

strict('a label given twice in the object form is refused (JSON keeps only the last)', () => {
	assert.match(refusal(withSettings('', 'A = {"Photos": "/data/a", "Docs": "/data/b", "Photos": "/data/c"}')), /^eq\.ini:\d+: \[Monitored Directories\] A: the label "Photos" is given twice/);
	assert.equal(parseConfig(withSettings('', 'A = {"Photos": "/data/\\"Photos\\": x", "Docs": "/data/b"}'), 'eq.ini').roots.A!.length, 2, 'a label inside a path is not a key');
});

strict('a config that is not UTF-8 is refused at the line of its first such byte', async () => {
	const { loadConfig } = await import('../src/index.ts');
	const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
	const { join } = await import('node:path');
	const { tmpdir } = await import('node:os');
	const dir = mkdtempSync(join(tmpdir(), 'eq-latin1-'));
	try {
		writeFileSync(join(dir, 'equilybrium.config.ini'), Buffer.concat([Buffer.from(withSettings('', 'A = ["/data/caf').slice(0, -1)), Buffer.from([0xe9]), Buffer.from('"]\n')]));
		let message = '';
		await loadConfig(dir).catch((error: Error) => (message = error.message));
		assert.match(message, /equilybrium\.config\.ini:6: not UTF-8 text \(byte 0xE9\).*save it as UTF-8/);
		writeFileSync(join(dir, 'equilybrium.config.ini'), '\uFEFF' + withSettings('', 'A = ["/data/caf\u00e9"]'));
		assert.equal((await loadConfig(dir)).roots.A, [{ label: 'caf\u00e9', path: '/data/caf\u00e9' }], 'UTF-8 with a byte order mark is read');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

strict.run();
