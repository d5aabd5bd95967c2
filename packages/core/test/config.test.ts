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
