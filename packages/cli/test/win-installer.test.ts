// The NSIS installer under Wine: a silent per-user install into %LOCALAPPDATA%\Programs,
// the starter config in /CONFIGDIR, the task registered through the exe, HKCU entries and
// shortcuts; the installed exe works; the uninstaller removes the program and the task and
// keeps the config folder byte for byte. Builds dist/ first if missing or stale.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@equilybrium/core';
import { dist, ensureWinBuild, openWine, removeTree, VERSION, winPath, type Wine } from './util/wine.ts';

let wine: Wine;
let work = '';
let user = '';
let programs = '';
let configDir = '';

/** Runs a command line through cmd: Wine quotes argv, and NSIS's /D= must not be quoted. */
function cmd(line: string, timeout = 300_000) {
	const bat = join(work, 'step.bat');
	writeFileSync(bat, `@echo off\r\n${line}\r\nexit /b %ERRORLEVEL%\r\n`);
	return wine.run(['cmd', '/c', winPath(bat)], { timeout });
}

/** The uninstaller finishes in a temp copy of itself, and the registry reaches user.reg when idle. */
const settle = () => wine.settle();

const userReg = () => readFileSync(join(wine.prefix, 'user.reg'), 'utf8');
const regKey = (text: string, key: string) => {
	const at = text.indexOf(`[${key.replace(/\\/g, '\\\\')}]`);
	return at < 0 ? undefined : text.slice(at, text.indexOf('\n\n', at));
};
const taskFile = () => join(wine.prefix, 'drive_c/windows/system32/tasks', `Equilybrium daily check (${user})`);
const startMenu = () => join(wine.prefix, 'drive_c/users', user, 'AppData/Roaming/Microsoft/Windows/Start Menu/Programs/Equilybrium');
const digestOf = (dir: string) =>
	readdirSync(dir, { withFileTypes: true })
		.filter((e) => e.isFile())
		.map((e) => e.name)
		.sort()
		.map((f) => `${f}:${createHash('sha256').update(readFileSync(join(dir, f))).digest('hex')}`);

const installer = suite('setup.exe under Wine');
installer.before(() => {
	ensureWinBuild();
	wine = openWine('installer');
	user = userInfo().username;
	programs = join(wine.prefix, 'drive_c/users', user, 'AppData/Local/Programs/Equilybrium');
	// the prefix persists between runs: start from a machine without Equilybrium
	rmSync(programs, { recursive: true, force: true });
	rmSync(startMenu(), { recursive: true, force: true });
	rmSync(taskFile(), { force: true });
	work = mkdtempSync(join(tmpdir(), 'eq-win-setup-'));
	configDir = join(work, 'Sync Folder', 'Equilybrium');
});
installer.after(() => {
	wine?.stop();
	removeTree(work);
});

installer('setup.exe is a 64-bit (PE32+, x64) installer that asks for no elevation', () => {
	const setup = readFileSync(dist.installer);
	const pe = setup.readUInt32LE(0x3c);
	assert.is(setup.readUInt16LE(pe + 4), 0x8664, 'machine x64');
	assert.is(setup.readUInt16LE(pe + 24), 0x20b, 'PE32+');
	assert.match(setup.toString('latin1'), /<requestedExecutionLevel level="asInvoker"/, 'RequestExecutionLevel user');
});

installer('/S /CONFIGDIR= installs per user, writes the starter config, registers the task, HKCU entries and shortcuts', () => {
	const r = cmd(`${winPath(dist.installer)} /S /CONFIGDIR=${winPath(configDir)}`);
	assert.is(r.code, 0, r.stdout + r.stderr);
	settle();
	assert.equal(readdirSync(programs).sort(), ['Uninstall.exe', 'equilybrium-windowless.exe', 'equilybrium.exe']);
	assert.equal(readFileSync(join(programs, 'equilybrium.exe')), readFileSync(dist.exe));
	const twin = readFileSync(join(programs, 'equilybrium-windowless.exe'));
	assert.is(twin.readUInt16LE(twin.readUInt32LE(0x3c) + 24 + 68), 2, 'the task runs the GUI-subsystem twin');

	const text = readFileSync(join(configDir, 'equilybrium.config.ini'), 'utf8');
	const config = parseConfig(text, join(configDir, 'equilybrium.config.ini'), configDir);
	assert.is(config.schedule, '0 3 * * *');
	assert.match(text, /^A = \S/m, "this machine's ID filled in for A");

	assert.ok(existsSync(taskFile()), 'schtasks /Create registered the task');
	const uninstall = regKey(userReg(), 'Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Equilybrium');
	assert.ok(uninstall, 'uninstall entry under HKCU');
	assert.match(uninstall!, /"DisplayName"="Equilybrium"/);
	assert.match(uninstall!, new RegExp(`"DisplayVersion"="${VERSION.replace(/\./g, '\\.')}"`));
	assert.match(uninstall!, /"QuietUninstallString"="\\"C:\\\\users\\\\[^"]+\\\\AppData\\\\Local\\\\Programs\\\\Equilybrium\\\\Uninstall\.exe\\" \/S"/);
	assert.not.ok(existsSync(join(wine.prefix, 'drive_c/Program Files/Equilybrium')), 'nothing machine-wide');
	assert.equal(readdirSync(startMenu()).sort(), ['Check now.lnk', 'Open the config folder.lnk', 'Open the report.lnk', 'Uninstall Equilybrium.lnk']);
});

installer('the installed exe works and reads the config the installer wrote', () => {
	const exe = 'C:\\users\\' + user + '\\AppData\\Local\\Programs\\Equilybrium\\equilybrium.exe';
	const version = wine.run([exe, '--version']);
	assert.is(version.code, 0, version.stderr);
	assert.is(version.stdout.trim(), VERSION);
	// the starter config lists no folders yet: the run says so, with the file and key (exit 2)
	const run = wine.run([exe, 'run', '--role', 'A', '--config', winPath(configDir)]);
	assert.is(run.code, 2, run.stdout + run.stderr);
	assert.match(run.stderr, /equilybrium\.config\.ini.*\[Monitored Directories\] A: no monitored directories for A/);
});

installer('installing again keeps an edited config; /D= picks another program folder', () => {
	const file = join(configDir, 'equilybrium.config.ini');
	writeFileSync(file, readFileSync(file, 'utf8').replace('Schedule = 0 3 * * *', 'Schedule = 15 22 * * *'));
	const before = digestOf(configDir);
	const custom = join(work, 'Apps', 'Equilybrium dir');
	const r = cmd(`${winPath(dist.installer)} /S /CONFIGDIR=${winPath(configDir)} /D=${winPath(custom)}`);
	assert.is(r.code, 0, r.stdout + r.stderr);
	settle();
	assert.ok(existsSync(join(custom, 'equilybrium.exe')), 'installed into /D=');
	assert.equal(digestOf(configDir), before, 'the config folder is untouched');
	const removed = cmd(`"${winPath(join(custom, 'Uninstall.exe'))}" /S`);
	assert.is(removed.code, 0);
	settle();
	assert.not.ok(existsSync(custom), 'that copy is uninstalled again');
});

installer('the silent uninstaller removes program, task, shortcuts and HKCU entry, and keeps the config folder', () => {
	writeFileSync(join(configDir, 'equilybrium.A.DB.json'), 'stands for a database');
	mkdirSync(join(configDir, 'notes'), { recursive: true });
	writeFileSync(join(configDir, 'notes', 'mine.txt'), 'the user keeps this');
	const before = digestOf(configDir).concat(digestOf(join(configDir, 'notes')));
	// the previous test's reinstall removed the task with its uninstall: register it again
	const exe = 'C:\\users\\' + user + '\\AppData\\Local\\Programs\\Equilybrium\\equilybrium.exe';
	const saved = join(work, 'task.xml');
	const scheduled = wine.run([exe, 'schedule', 'install', '--config', winPath(configDir), '--save-xml', winPath(saved)]);
	assert.is(scheduled.code, 0, scheduled.stdout + scheduled.stderr);
	settle();
	assert.ok(existsSync(taskFile()));
	// what the installed exe registered: UTF-16LE with BOM, its windowless twin, the folder quoted
	const xml = readFileSync(saved);
	assert.equal([...xml.subarray(0, 2)], [0xff, 0xfe]);
	const text = xml.subarray(2).toString('utf16le');
	assert.ok(text.includes(`<Command>C:\\users\\${user}\\AppData\\Local\\Programs\\Equilybrium\\equilybrium-windowless.exe</Command>`), text);
	assert.ok(text.includes(`<Arguments>run --role A --config "${winPath(configDir)}"</Arguments>`), text);
	assert.ok(text.includes('<StartBoundary>2024-01-01T22:15:00</StartBoundary>'), 'the Schedule edited in the previous test');

	const r = cmd(`"${winPath(join(programs, 'Uninstall.exe'))}" /S`);
	assert.is(r.code, 0, r.stdout + r.stderr);
	settle();
	assert.not.ok(existsSync(programs), 'program folder removed');
	assert.not.ok(existsSync(taskFile()), 'task removed');
	assert.not.ok(existsSync(startMenu()), 'shortcuts removed');
	assert.is(regKey(userReg(), 'Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Equilybrium'), undefined);
	assert.equal(digestOf(configDir).concat(digestOf(join(configDir, 'notes'))), before, 'config folder kept as it was');
});

installer.run();
