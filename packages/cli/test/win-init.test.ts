// `init --folder` and `--folders-file`, which the installer calls with the folders picked on
// its page or given as /FOLDERS=: they land in the config as valid JSON whatever their
// backslashes, spaces, non-ASCII names or drive roots; an existing config gets the new ones
// added to its list, every other line kept. Windows paths are checked here on any OS through
// the core functions init uses; win-installer.test.ts runs the exe under Wine.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addFolders, parseConfig, renderStarterConfig } from '@equilybrium/core';
import { main } from '../src/index.ts';
import { testIo } from './util/win.ts';

const WINDOWS = ['C:\\Users\\Zoë\\My Pictures', 'D:\\', '\\\\nas\\photo share\\Family', 'E:\\Vidéos\\', '\\\\?\\F:\\Very\\Long'];

const starter = suite('the starter config with Windows folders');

starter('every path comes back from the JSON exactly as given, each with its label', () => {
	const text = renderStarterConfig({ role: 'A', idMethod: 'hostname', id: 'pc', folders: WINDOWS });
	const config = parseConfig(text, 'equilybrium.config.ini');
	assert.equal(config.warnings, []);
	assert.equal(config.roots.A, [
		{ label: 'My Pictures', path: 'C:\\Users\\Zoë\\My Pictures' },
		{ label: 'D drive', path: 'D:\\' },
		{ label: 'Family', path: '\\\\nas\\photo share\\Family' },
		{ label: 'Vidéos', path: 'E:\\Vidéos\\' },
		{ label: 'Long', path: '\\\\?\\F:\\Very\\Long' },
	]);
	// a drive root has no folder name: the object form carries the labels
	assert.match(text, /^A = \{\n {4}"My Pictures": "C:\\\\Users\\\\Zoë\\\\My Pictures",\n/m);
});

starter('folder names alone, when they are the labels: the plain list; two folders of one name get "Photos 2"', () => {
	const plain = renderStarterConfig({ role: 'A', idMethod: 'hostname', id: 'pc', folders: ['C:\\Users\\Zoë\\Pictures', 'E:\\Music'] });
	assert.match(plain, /^A = \[\n {4}"C:\\\\Users\\\\Zoë\\\\Pictures",\n {4}"E:\\\\Music"\n {4}\]\nB = \[\]\n/m);
	const twins = parseConfig(renderStarterConfig({ role: 'A', idMethod: 'hostname', id: 'pc', folders: ['C:\\A\\Photos', 'D:\\B\\photos', 'c:/a/photos/'] }), 'x.ini');
	assert.equal(twins.roots.A, [
		{ label: 'Photos', path: 'C:\\A\\Photos' },
		{ label: 'photos 2', path: 'D:\\B\\photos' },
	], 'the same folder written another way is listed once');
});

starter('addFolders changes only the key of that side, keeps its form, and skips what it lists', () => {
	const before = '# mine\n[Settings]\nA = pc\n\n[Monitored Directories]\n# my folders\nA = {"Pics": "C:/Users/Zoë/Pictures"}\nB = ["/volume1/photo"]\n';
	const { text, added } = addFolders(before, 'x.ini', 'A', ['c:\\users\\zoë\\pictures\\', 'E:\\Music']);
	assert.equal(added, [{ label: 'Music', path: 'E:\\Music' }]);
	assert.is(text, before.replace('A = {"Pics": "C:/Users/Zoë/Pictures"}', 'A = {\n    "Pics": "C:/Users/Zoë/Pictures",\n    "Music": "E:\\\\Music"\n    }'));
	assert.is(addFolders(text, 'x.ini', 'A', ['E:/music']).text, text, 'nothing new: unchanged');
	const fromEmpty = addFolders('[Settings]\n[Monitored Directories]\nA = []\n', 'x.ini', 'A', ['D:\\Photos']);
	assert.equal(parseConfig(fromEmpty.text, 'x.ini').roots.A, [{ label: 'Photos', path: 'D:\\Photos' }]);
	assert.throws(() => addFolders('[Settings]\n[Monitored Directories]\nA = [oops\n', 'x.ini', 'A', ['D:\\x']), /x\.ini:3: \[Monitored Directories\] A: not valid JSON/);
});

starter.run();

const init = suite('equilybrium init --folder');
let dir = '';
init.before.each(() => {
	dir = mkdtempSync(join(tmpdir(), 'eq-init-'));
});
init.after.each(() => rmSync(dir, { recursive: true, force: true }));

const ini = () => join(dir, 'config', 'equilybrium.config.ini');
async function initWith(...args: string[]) {
	const io = testIo({ cwd: dir });
	const code = await main(['init', '--config', join(dir, 'config'), '--id-method', 'hostname', ...args], io);
	return { code, io };
}

init('writes the folders given, with spaces, non-ASCII and backslashes in their names, as JSON that reads back', async () => {
	const odd = ['My Photos', 'Zoë’s Vidéos', 'back\\slash', 'ünï cødé 日本'].map((name) => join(dir, name));
	for (const folder of odd) mkdirSync(folder);
	const { code, io } = await initWith(...odd.flatMap((f) => ['--folder', f]), '--folder', '', '--folder', ' ');
	assert.is(code, 0, io.errors.join('\n'));
	const config = parseConfig(readFileSync(ini(), 'utf8'), ini());
	assert.equal(config.roots.A!.map((r) => r.path), odd, 'blank entries (the ends of a "|" list) are skipped');
	// a label is cut at either slash, as the config is shared by Windows and Linux
	assert.equal(config.roots.A!.map((r) => r.label), ['My Photos', 'Zoë’s Vidéos', 'slash', 'ünï cødé 日本']);
	assert.match(io.lines.join('\n'), /^monitored on A: My Photos \(/m);
	assert.equal(io.errors, []);
});

init('--folders-file: one folder a line, UTF-16LE with a BOM (as the installer writes it) or UTF-8, CRLF or LF', async () => {
	const odd = ['My Photos', 'Zoë’s Vidéos', '日本 & co'].map((name) => join(dir, name));
	for (const folder of odd) mkdirSync(folder);
	const utf16 = join(dir, 'folders.txt');
	writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${odd[0]}\r\n${odd[1]}\r\n\r\n`, 'utf16le')]));
	const { code, io } = await initWith('--folders-file', utf16, '--folder', odd[2]!);
	assert.is(code, 0, io.errors.join('\n'));
	assert.equal(parseConfig(readFileSync(ini(), 'utf8'), ini()).roots.A!.map((r) => r.path), [odd[2], odd[0], odd[1]]);
	const utf8 = join(dir, 'more.txt');
	mkdirSync(join(dir, 'Scans'));
	writeFileSync(utf8, `\uFEFF${join(dir, 'Scans')}\n${odd[0]}\n`);
	assert.is((await initWith('--folders-file', utf8)).code, 0);
	assert.equal(parseConfig(readFileSync(ini(), 'utf8'), ini()).roots.A!.map((r) => r.label), ['日本 & co', 'My Photos', 'Zoë’s Vidéos', 'Scans']);
	const missing = await initWith('--folders-file', join(dir, 'nope.txt'));
	assert.is(missing.code, 2);
	assert.match(missing.io.errors.join('\n'), /--folders-file .*nope\.txt: cannot be read \(ENOENT\)/);
});

init('a folder that does not exist is written, with a warning', async () => {
	const { code, io } = await initWith('--folder', join(dir, 'not there'));
	assert.is(code, 0);
	assert.match(io.errors.join('\n'), /warning: .*not there does not exist \(yet\)/);
	assert.is(parseConfig(readFileSync(ini(), 'utf8'), ini()).roots.A![0]!.label, 'not there');
});

init('on an existing config: adds the new folders, keeps every other line and a .bak; twice is a no-op', async () => {
	mkdirSync(join(dir, 'Photos'));
	mkdirSync(join(dir, 'Music'));
	assert.is((await initWith()).code, 0);
	const starterText = readFileSync(ini(), 'utf8').replace('Schedule = 0 3 * * *', 'Schedule = 15 4 * * 1-5');
	writeFileSync(ini(), starterText);
	const { code, io } = await initWith('--folder', join(dir, 'Photos'), '--folder', join(dir, 'Music'));
	assert.is(code, 0, io.errors.join('\n'));
	assert.match(io.lines.join('\n'), /^added to \[Monitored Directories\] A in .*equilybrium\.config\.ini \(the previous file is kept as \.bak\): Photos \(.*\), Music \(/);
	const after = readFileSync(ini(), 'utf8');
	assert.is(readFileSync(ini() + '.bak', 'utf8'), starterText);
	assert.is(after.replace(/^A = \[[\s\S]*?\]\n(?=B = )/m, 'A = []\n'), starterText, 'only the A key changed');
	assert.equal(parseConfig(after, ini()).roots.A!.map((r) => r.label), ['Photos', 'Music']);
	const again = await initWith('--folder', join(dir, 'Music'));
	assert.is(again.code, 0);
	assert.match(again.io.lines.join('\n'), /already monitors this folder on A; left as it was/);
	assert.is(readFileSync(ini(), 'utf8'), after);
});

init('on an existing config without --folder: refused as before (exit 2), naming --force and --folder', async () => {
	assert.is((await initWith()).code, 0);
	const { code, io } = await initWith();
	assert.is(code, 2);
	assert.match(io.errors.join('\n'), /already exists; it was left as it is \(--force replaces it, keeping a \.bak; --folder adds folders to it\)/);
	assert.not.ok(existsSync(ini() + '.bak'));
});

init('a broken existing config is not touched: the error names its line', async () => {
	mkdirSync(join(dir, 'config'));
	writeFileSync(ini(), '[Settings]\n[Monitored Directories]\nA = ["C:/x",\n');
	const { code, io } = await initWith('--folder', dir);
	assert.is(code, 2);
	assert.match(io.errors.join('\n'), /equilybrium\.config\.ini:3: \[Monitored Directories\] A: not valid JSON/);
	assert.is(readFileSync(ini(), 'utf8'), '[Settings]\n[Monitored Directories]\nA = ["C:/x",\n');
});

init.run();
