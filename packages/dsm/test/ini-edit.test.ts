import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '@equilybrium/core';
import { setIniValue } from '@equilybrium/core';
import { root } from './util/build.ts';

const fixture = readFileSync(join(root, 'fixtures/dsm/config.ini'), 'utf8').replaceAll('@VOLUMES@', '');
const edit = suite('setIniValue');

edit('replaces a one-line value and nothing else', () => {
	const out = setIniValue(fixture, 'Settings', 'schedule', '15 1 * * *');
	assert.is(out, fixture.replace('Schedule = 0 3 * * *', 'Schedule = 15 1 * * *'));
});

edit('replaces a value spread over continuation lines, keeping the key as written', () => {
	const out = setIniValue(fixture, 'Settings', 'Exclude', '[\n"a",\n"b"\n]');
	assert.ok(out.includes('Exclude = [\n    "a",\n    "b"\n    ]\nVerify = full'));
	assert.not.ok(out.includes('"*.tmp"'));
	assert.equal(parseConfig(out, 'x.ini').exclude, ['a', 'b']);
});

edit('keeps a comment that sat inside the old value, and the ":" delimiter', () => {
	const text = '[Monitored Directories]\nB: ["/volume1/a",\n# old share\n    "/volume1/b"]\n# after\nA = []\n';
	const out = setIniValue(text, 'Monitored Directories', 'B', '["/volume1/c"]');
	assert.is(out, '[Monitored Directories]\nB: ["/volume1/c"]\n# old share\n# after\nA = []\n');
});

edit('the same key in another section is left alone', () => {
	const out = setIniValue(fixture, 'Monitored Directories', 'B', '["/volume1/x"]');
	assert.ok(out.includes('B = my-nas'), "[Settings] B (the NAS's ID) stays");
	assert.is(parseConfig(out, 'x.ini').roots.B![0]!.path, '/volume1/x');
	assert.is(parseConfig(out, 'x.ini').ids.B, 'my-nas');
});

edit('adds a missing key at the end of its section, before the blank lines', () => {
	const text = '[Settings]\nA = pc\n\n[Monitored Directories]\nA = []\n';
	assert.is(setIniValue(text, 'Settings', 'Schedule', '0 2 * * *'), '[Settings]\nA = pc\nSchedule = 0 2 * * *\n\n[Monitored Directories]\nA = []\n');
});

edit('adds a missing section at the end', () => {
	assert.is(setIniValue('[Settings]\nA = pc\n', 'Monitored Directories', 'B', '[]'), '[Settings]\nA = pc\n\n[Monitored Directories]\nB = []\n');
});

edit('keeps CRLF line endings', () => {
	const crlf = fixture.replace(/\n/g, '\r\n');
	const out = setIniValue(crlf, 'Settings', 'Hash algorithm', 'md5');
	assert.is(out, crlf.replace('Hash algorithm = sha256', 'Hash algorithm = md5'));
});

edit.run();
