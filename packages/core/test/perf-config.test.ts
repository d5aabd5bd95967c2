import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CoreError } from '../src/errors.ts';
import { parseConfig } from '../src/config/config.ts';
import { DEFAULT_FILTERS } from '../src/config/filters.ts';
import { renderStarterConfig } from '../src/config/starter.ts';

const FILE = '/cfg/equilybrium.config.ini';
const parse = (settings: string) => parseConfig(`[Settings]\n${settings}\n[Monitored Directories]\nA = ["/data/photos"]\n`, FILE);

function fails(settings: string, ...parts: string[]): void {
	try {
		parse(settings);
	} catch (error) {
		assert.instance(error, CoreError);
		const message = (error as Error).message;
		for (const part of ['equilybrium.config.ini:2', ...parts]) assert.ok(message.includes(part), `"${message}" should name ${part}`);
		return;
	}
	assert.unreachable(`"${settings}" should be refused`);
}

const keys = suite('performance keys of [Settings]');

keys('defaults: auto workers, auto disk reads, no budget', () => {
	const c = parse('');
	assert.is(c.workers, 'auto');
	assert.is(c.diskReads, 'auto');
	assert.is(c.maxRunTimeMs, undefined);
	assert.is(c.maxBytes, undefined);
	assert.equal(c.warnings, []);
});

keys('Workers: auto, 0 or a number', () => {
	assert.is(parse('Workers = AUTO').workers, 'auto');
	assert.is(parse('Workers = 0').workers, 0);
	assert.is(parse('workers = 3').workers, 3);
	fails('Workers = many', 'Workers', 'auto');
	fails('Workers = -1', 'Workers');
	fails('Workers = 1000', 'Workers');
});

keys('Disk reads: auto, sequential, parallel', () => {
	assert.is(parse('Disk reads = Sequential').diskReads, 'sequential');
	assert.is(parse('Disk reads = parallel').diskReads, 'parallel');
	fails('Disk reads = fast', 'Disk reads', 'sequential');
});

keys('Max run time: units, a bare number is minutes, none', () => {
	assert.is(parse('Max run time = 90 min').maxRunTimeMs, 90 * 60_000);
	assert.is(parse('Max run time = 2h').maxRunTimeMs, 2 * 3600_000);
	assert.is(parse('Max run time = 1h30m').maxRunTimeMs, 90 * 60_000);
	assert.is(parse('Max run time = 45 s').maxRunTimeMs, 45_000);
	assert.is(parse('Max run time = 30').maxRunTimeMs, 30 * 60_000);
	assert.is(parse('Max run time = none').maxRunTimeMs, undefined);
	fails('Max run time = soon', 'Max run time', '90 min');
	fails('Max run time = 3 weeks', 'Max run time');
});

keys('Max bytes: binary and decimal units, none', () => {
	assert.is(parse('Max bytes = 500 GiB').maxBytes, 500 * 2 ** 30);
	assert.is(parse('Max bytes = 2 TB').maxBytes, 2e12);
	assert.is(parse('Max bytes = 1.5 MiB').maxBytes, 1.5 * 2 ** 20);
	assert.is(parse('Max bytes = 4096').maxBytes, 4096);
	assert.is(parse('Max bytes = none').maxBytes, undefined);
	fails('Max bytes = lots', 'Max bytes', 'GiB');
	fails('Max bytes = 5 PB', 'Max bytes');
});

keys('the starter config has them all, and parses without warnings', () => {
	const text = renderStarterConfig({ role: 'A', idMethod: 'hostname', id: 'pc', folders: ['/data/photos'] });
	for (const key of ['Workers = auto', 'Disk reads = auto', 'Max run time = none', 'Max bytes = none']) assert.ok(text.includes(key), key);
	assert.equal(parseConfig(text, FILE).warnings, []);
});

keys("the starter config shows the original Equilybrium's five filters, leaving every file in; each works once filled in", () => {
	const text = renderStarterConfig({ role: 'A', idMethod: 'hostname', id: 'pc', folders: ['/data/photos'] });
	for (const key of ['Min file size = 0', 'Include files with no extension = True', 'Excluded extensions =', 'Excluded files =', 'Avoid at dirs =']) assert.ok(text.includes(`\n${key}\n`), key);
	assert.equal(parseConfig(text, FILE).filters, DEFAULT_FILTERS);
	const filled = text
		.replace('Min file size = 0', 'Min file size = 100')
		.replace('Include files with no extension = True', 'Include files with no extension = False')
		.replace('Excluded extensions =\n', 'Excluded extensions = log, .TMP\n')
		.replace('Excluded files =\n', 'Excluded files = Thumbs.db\n')
		.replace('Avoid at dirs =\n', 'Avoid at dirs = B\n');
	const config = parseConfig(filled, FILE);
	assert.equal(config.filters, { minFileSize: 100, includeNoExtension: false, excludedExtensions: ['.log', '.tmp'], excludedFiles: ['Thumbs.db'], avoidAtDirs: ['B'] });
	assert.equal(config.warnings, []);
});

keys('a bad filter value is refused naming its key as written and what it expects', () => {
	fails('Min_file_size = lots', 'Min_file_size', 'lots', 'bytes');
	fails('Include_files_with_no_extension = maybe', 'Include_files_with_no_extension', 'True or False');
	fails('Excluded_extensions = log, a/b', 'Excluded_extensions', 'a/b');
	fails('Excluded_files = sub/Thumbs.db', 'Excluded_files', 'no slashes');
	fails('Avoid_at_dirs = NAS', 'Avoid_at_dirs', 'A, B');
	assert.equal(parse('Avoid_at_dirs = AB\nExcluded_extensions = log,').filters.avoidAtDirs, ['A', 'B']);
	assert.equal(parse('Excluded_extensions = log,,  *.Tmp ,').filters.excludedExtensions, ['.log', '.tmp']);
});

keys.run();
