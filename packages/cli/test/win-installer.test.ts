// The NSIS installer under Wine, silently: a per-user install into %LOCALAPPDATA%\Programs,
// the config in /CONFIGDIR with the folders of /FOLDERS= (the folders page's silent
// equivalent) as valid JSON, the task registered through the exe, HKCU entries, shortcuts and
// the size shown in Apps; /RUNNOW (the finish page's "Check now"); without folders, runs that
// say NOTHING CHECKED; the uninstaller removes the program and the task and keeps the config
// folder byte for byte. Builds dist/ first if missing or stale. The interactive pages:
// win-installer-pages.test.ts.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@equilybrium/core';
import { dist, ensureWinBuild, openWine, removeTree, VERSION, winPath, type Wine } from './util/wine.ts';

let wine: Wine;
let work = '';
let user = '';
let programs = '';
let configDir = '';
let fresh = '';
let folders: string[] = [];

/**
 * Runs a command line through cmd: Wine quotes argv, and NSIS's /D= must not be quoted.
 * Non-ASCII goes through `env` (%NAME% in the line): cmd reads a .bat in the ANSI code page.
 */
function cmd(line: string, env: Record<string, string> = {}, timeout = 300_000) {
	const bat = join(work, 'step.bat');
	writeFileSync(bat, `@echo off\r\n${line}\r\nexit /b %ERRORLEVEL%\r\n`);
	return wine.run(['cmd', '/c', winPath(bat)], { timeout, env });
}

/** The uninstaller finishes in a temp copy of itself, and the registry reaches user.reg when idle. */
const settle = () => wine.settle();

const userReg = () => readFileSync(join(wine.prefix, 'user.reg'), 'utf8');
const regKey = (text: string, key: string) => {
	const at = text.indexOf(`[${key.replace(/\\/g, '\\\\')}]`);
	return at < 0 ? undefined : text.slice(at, text.indexOf('\n\n', at));
};
const taskFile = () => join(wine.prefix, 'drive_c/windows/system32/tasks', `Equilybrium daily check (${user})`);
const stateDir = () => join(wine.prefix, 'drive_c/users', user, 'AppData/Local/Equilybrium');
const installedExe = () => 'C:\\users\\' + user + '\\AppData\\Local\\Programs\\Equilybrium\\equilybrium.exe';
const sizeOf = (dir: string) => readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
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
	rmSync(stateDir(), { recursive: true, force: true });
	work = mkdtempSync(join(tmpdir(), 'eq-win-setup-'));
	configDir = join(work, 'Sync Folder', 'Equilybrium');
	fresh = join(work, 'Another Sync', 'Equilybrium');
	// what a folder picker may give: spaces, an apostrophe, non-ASCII, a trailing backslash
	folders = [join(work, 'Folders', 'My Photos'), join(work, 'Folders', "Zoë's Vidéos"), join(work, 'Folders', '日本 & co'), join(work, 'Folders', 'Scans') + '/'];
	for (const [i, folder] of folders.entries()) {
		mkdirSync(folder, { recursive: true });
		writeFileSync(join(folder, `file${i}.txt`), `content ${i}`);
	}
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

installer('/S /CONFIGDIR= without folders installs per user, writes the starter config, registers the task, HKCU entries, shortcuts and its true size', () => {
	const r = cmd(`${winPath(dist.installer)} /S /CONFIGDIR=${winPath(configDir)}`);
	assert.is(r.code, 0, r.stdout + r.stderr);
	settle();
	assert.equal(readdirSync(programs).sort(), ['Uninstall.exe', 'equilybrium-windowless.exe', 'equilybrium.exe']);
	assert.equal(readFileSync(join(programs, 'equilybrium.exe')), readFileSync(dist.exe));
	const twin = readFileSync(join(programs, 'equilybrium-windowless.exe'));
	assert.is(twin.readUInt16LE(twin.readUInt32LE(0x3c) + 24 + 68), 2, 'the task runs the GUI-subsystem twin');

	const text = readFileSync(join(configDir, 'equilybrium.config.ini'), 'utf8');
	const config = parseConfig(text, join(configDir, 'equilybrium.config.ini'), configDir);
	assert.is(config.schedules.A, '0 3 * * *');
	assert.match(text, /^A = \S/m, "this machine's ID filled in for A");
	assert.equal(config.roots.A, [], 'no folders given');

	assert.ok(existsSync(taskFile()), 'schtasks /Create registered the task');
	const uninstall = regKey(userReg(), 'Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Equilybrium');
	assert.ok(uninstall, 'uninstall entry under HKCU');
	assert.match(uninstall!, /"DisplayName"="Equilybrium"/);
	assert.match(uninstall!, new RegExp(`"DisplayVersion"="${VERSION.replace(/\./g, '\\.')}"`));
	assert.match(uninstall!, /"QuietUninstallString"="\\"C:\\\\users\\\\[^"]+\\\\AppData\\\\Local\\\\Programs\\\\Equilybrium\\\\Uninstall\.exe\\" \/S"/);
	// the size Apps shows is what is installed: the exe and its windowless twin (~168 MB), not the exe alone
	const estimated = parseInt(/"EstimatedSize"=dword:([0-9a-f]+)/.exec(uninstall!)![1]!, 16);
	const installed = sizeOf(programs) / 1024;
	assert.ok(Math.abs(estimated - installed) / installed < 0.01, `EstimatedSize ${estimated} KiB, installed ${installed.toFixed(0)} KiB`);
	assert.ok(installed > 2 * readFileSync(dist.exe).length / 1024 * 0.99, 'two executables');
	assert.not.ok(existsSync(join(wine.prefix, 'drive_c/Program Files/Equilybrium')), 'nothing machine-wide');
	assert.equal(readdirSync(startMenu()).sort(), ['Check now.lnk', 'Open the config folder.lnk', 'Open the report.lnk', 'Uninstall Equilybrium.lnk']);
	// Windows notifications: the app id a toast shows under, and what a click on it runs
	const aumid = regKey(userReg(), 'Software\\Classes\\AppUserModelId\\Equilybrium.Monitor');
	assert.match(aumid ?? '', /"DisplayName"="Equilybrium"/);
	assert.match(regKey(userReg(), 'Software\\Classes\\equilybrium') ?? '', /"URL Protocol"=""/);
	const open = regKey(userReg(), 'Software\\Classes\\equilybrium\\shell\\open\\command');
	assert.match(open ?? '', /@="\\"C:\\\\users\\\\[^"]+\\\\equilybrium-windowless\.exe\\" open-report --config \\"[^"]+\\" \\"%1\\""/);
});

installer('without folders the task still runs, and says so loudly: NOTHING CHECKED (stdout, report, exit 2); status exit 1', () => {
	const exe = installedExe();
	const version = wine.run([exe, '--version']);
	assert.is(version.code, 0, version.stderr);
	assert.is(version.stdout.trim(), VERSION);
	// what the nightly task runs (the windowless twin prints nowhere: the console exe here)
	const run = wine.run([exe, 'run', '--role', 'A', '--config', winPath(configDir)]);
	assert.is(run.code, 2, run.stdout + run.stderr);
	assert.is(run.stdout.trim(), 'NOTHING CHECKED — no folders to monitor on A');
	assert.match(run.stderr, /equilybrium\.config\.ini:\d+: \[Monitored Directories\] A: no folders to monitor on A, so nothing was checked\. Add them: equilybrium init --config ".*" --folder "D:\\Photos"/);
	const report = readFileSync(join(configDir, 'equilybrium.report.txt'), 'utf8');
	assert.match(report, /^=== Equilybrium report .* (UTC|[+-]\d\d:\d\d) ===\nNOTHING CHECKED — no folders to monitor on A\n/);
	const status = wine.run([exe, 'schedule', 'status']);
	assert.is(status.code, 1, status.stdout + status.stderr);
	assert.match(status.stdout, /^scheduled: "Equilybrium daily check \(.*\)"\n  runs every day at 03:00 /);
	assert.match(status.stdout, /NOTHING TO CHECK: .*lists no folders to monitor on A/);
	rmSync(join(configDir, 'equilybrium.report.txt'));
});

installer('/FOLDERS= writes the folders into the config as valid JSON, backslashes, spaces and non-ASCII alike; /RUNNOW runs the first check', () => {
	const r = cmd(`${winPath(dist.installer)} /S /CONFIGDIR=${winPath(fresh)} /FOLDERS="%EQ_FOLDERS%" /RUNNOW`, { EQ_FOLDERS: folders.map(winPath).join('|') });
	assert.is(r.code, 0, r.stdout + r.stderr);
	settle(); // the first check, started in the background, has ended too
	const ini = join(fresh, 'equilybrium.config.ini');
	const text = readFileSync(ini, 'utf8');
	const config = parseConfig(text, ini, fresh);
	assert.equal(config.roots.A!.map((root) => root.path), folders.map((f) => winPath(f.replace(/\/$/, ''))));
	assert.equal(config.roots.A!.map((root) => root.label), ['My Photos', "Zoë's Vidéos", '日本 & co', 'Scans']);
	assert.ok(text.includes(JSON.stringify(winPath(folders[1]!))), 'written as JSON: each backslash doubled');
	assert.ok(existsSync(taskFile()), 'the task is registered');
	// /RUNNOW: the windowless exe checked the four folders and wrote A's database and the report
	assert.ok(existsSync(join(fresh, 'equilybrium.A.DB.json')), readdirSync(fresh).join(', '));
	assert.match(readFileSync(join(fresh, 'equilybrium.report.txt'), 'utf8'), /^NOT VERIFIED — 4 files .* on A could not be checked against B/m);
});

installer('a run of A makes the task follow a Schedule changed in the shared config (as the NAS page saves it)', () => {
	const ini = join(fresh, 'equilybrium.config.ini');
	writeFileSync(ini, readFileSync(ini, 'utf8').replace('Schedule = 0 3 * * *', 'Schedule = 15 4 * * 1-5'));
	const run = wine.run([installedExe(), 'run', '--role', 'A', '--config', winPath(fresh)]);
	assert.is(run.code, 1, run.stdout + run.stderr);
	assert.match(run.stdout, /^the scheduled task now runs Monday to Friday at 04:15: Schedule changed from "0 3 \* \* \*" to "15 4 \* \* 1-5"$/m);
	const record = JSON.parse(readFileSync(join(stateDir(), 'task.json'), 'utf8'));
	assert.equal([record.schedule, record.configDir], ['15 4 * * 1-5', winPath(fresh)]);
	const again = wine.run([installedExe(), 'run', '--role', 'A', '--config', winPath(fresh)]);
	assert.not.match(again.stdout, /scheduled task/, 'in step: nothing to do the next time');
});

installer('installing again with /FOLDERS= adds them to an existing config, every other line kept', () => {
	const ini = join(configDir, 'equilybrium.config.ini');
	const before = readFileSync(ini, 'utf8');
	const r = cmd(`${winPath(dist.installer)} /S /CONFIGDIR=${winPath(configDir)} /FOLDERS="%EQ_FOLDERS%"`, { EQ_FOLDERS: [folders[0], folders[2]].map((f) => winPath(f!)).join('|') });
	assert.is(r.code, 0, r.stdout + r.stderr);
	settle();
	const after = readFileSync(ini, 'utf8');
	assert.equal(parseConfig(after, ini, configDir).roots.A!.map((root) => root.label), ['My Photos', '日本 & co']);
	assert.is(after.replace(/^A = \[[\s\S]*?\]\n(?=B = )/m, 'A = []\n'), before, 'only [Monitored Directories] A changed');
	assert.is(readFileSync(ini + '.bak', 'utf8'), before);
	// the config of this test's task again (the last install registered it for this folder)
	assert.match(wine.run([installedExe(), 'schedule', 'status']).stdout, new RegExp(`--config "${winPath(configDir).replace(/\\/g, '\\\\')}"`));
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
	const exe = installedExe();
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
	assert.not.ok(existsSync(stateDir()), "the task's record and its folder removed");
	assert.not.ok(existsSync(startMenu()), 'shortcuts removed');
	assert.is(regKey(userReg(), 'Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Equilybrium'), undefined);
	assert.is(regKey(userReg(), 'Software\\Classes\\AppUserModelId\\Equilybrium.Monitor'), undefined, 'toast app id removed');
	assert.is(regKey(userReg(), 'Software\\Classes\\equilybrium'), undefined, 'equilybrium: URI removed');
	assert.equal(digestOf(configDir).concat(digestOf(join(configDir, 'notes'))), before, 'config folder kept as it was');
});

installer.run();
