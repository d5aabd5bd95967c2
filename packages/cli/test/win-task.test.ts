// The scheduled task and `schedule install|remove|status`, on any OS: a stand-in host
// records the schtasks calls. (Wine's schtasks drops triggers and actions from what it
// stores, so only these tests can check the definition itself.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../src/args.ts';
import { main } from '../src/index.ts';
import { schedule, ensureWindowless, type ScheduleHost } from '../src/commands/schedule.ts';
import { dailyTime, encodeTaskXml, renderTaskXml, setSubsystem, subsystemOf, taskName, windowsArg, WINDOWLESS_EXE } from '../src/win.ts';
import { fakePe, splitWindowsCommandLine, testIo } from './util/win.ts';

const SPEC = {
	command: 'C:\\Users\\Zoë\\AppData\\Local\\Programs\\Equilybrium\\equilybrium-windowless.exe',
	configDir: 'D:\\Sync & Backup\\Equilybrium',
	time: { hour: 21, minute: 5 },
	userId: 'PC\\Zoë',
};

const xml = suite('task XML');

xml('is UTF-16LE with a BOM and declares UTF-16', () => {
	const bytes = encodeTaskXml(renderTaskXml(SPEC));
	assert.equal([...bytes.subarray(0, 2)], [0xff, 0xfe]);
	const text = bytes.subarray(2).toString('utf16le');
	assert.ok(text.startsWith('<?xml version="1.0" encoding="UTF-16"?>\r\n<Task version="1.2" '));
	assert.ok(text.includes('Zoë'), 'non-ASCII survives');
	assert.is(bytes.length, 2 + text.length * 2);
});

xml('runs daily at the Schedule time, local time', () => {
	const text = renderTaskXml(SPEC);
	assert.match(text, /<CalendarTrigger>[\s\S]*<StartBoundary>2024-01-01T21:05:00<\/StartBoundary>[\s\S]*<ScheduleByDay><DaysInterval>1<\/DaysInterval><\/ScheduleByDay>/);
	assert.not.match(text, /StartBoundary>[^<]*(Z|[+-]\d\d:\d\d)</);
});

xml('catches up, runs on battery, one at a time, within a time limit, as the user without admin', () => {
	const text = renderTaskXml(SPEC);
	const element = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
	assert.is(element('StartWhenAvailable'), 'true');
	assert.is(element('DisallowStartIfOnBatteries'), 'false');
	assert.is(element('StopIfGoingOnBatteries'), 'false');
	assert.is(element('MultipleInstancesPolicy'), 'IgnoreNew');
	assert.is(element('ExecutionTimeLimit'), 'PT12H');
	assert.is(element('LogonType'), 'InteractiveToken');
	assert.is(element('RunLevel'), 'LeastPrivilege');
	assert.is(element('UserId'), 'PC\\Zoë');
});

xml('the exact command line: the windowless exe, run --role A --config <folder>', () => {
	const text = renderTaskXml(SPEC);
	const element = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(text)?.[1];
	assert.is(element('Command'), 'C:\\Users\\Zoë\\AppData\\Local\\Programs\\Equilybrium\\equilybrium-windowless.exe');
	assert.is(element('Arguments'), 'run --role A --config "D:\\Sync &amp; Backup\\Equilybrium"');
	assert.is(element('WorkingDirectory'), 'D:\\Sync &amp; Backup\\Equilybrium');
	const args = splitWindowsCommandLine(element('Arguments')!.replace(/&amp;/g, '&'));
	assert.equal(args, ['run', '--role', 'A', '--config', 'D:\\Sync & Backup\\Equilybrium']);
});

xml('a drive root keeps its closing quote', () => {
	const text = renderTaskXml({ ...SPEC, configDir: 'E:\\' });
	const args = /<Arguments>([^<]*)<\/Arguments>/.exec(text)![1]!;
	assert.equal(splitWindowsCommandLine(args), ['run', '--role', 'A', '--config', 'E:\\']);
});

xml.run();

const quoting = suite('windowsArg');
for (const arg of ['plain', 'two words', 'D:\\', 'C:\\a b\\', 'say "hi"', 'back\\\\"slash', '\\\\nas\\share\\x y', '']) {
	quoting(`round-trips ${JSON.stringify(arg)} through CommandLineToArgvW rules`, () => {
		assert.equal(splitWindowsCommandLine(`x ${windowsArg(arg)} y`), ['x', arg, 'y']);
	});
}
quoting.run();

const cron = suite('dailyTime');
cron('takes minute and hour of a daily cron', () => {
	assert.equal(dailyTime('0 3 * * *'), { hour: 3, minute: 0 });
	assert.equal(dailyTime(' 30  21 * * * '), { hour: 21, minute: 30 });
	assert.equal(dailyTime('0 15 6 * * *'), { hour: 6, minute: 15 }, "node-cron's seconds field");
});
cron('refuses what a daily trigger cannot do', () => {
	for (const bad of ['*/5 * * * *', '0 3 * * 1', '0 3 1 * *', '0 24 * * *', '60 1 * * *', '0 3,15 * * *', '0 3 * *', 'nonsense']) {
		assert.is(dailyTime(bad), undefined, bad);
	}
});
cron.run();

const pe = suite('windowless twin');
pe('setSubsystem flips console (3) to GUI (2) in PE32+ and PE32', () => {
	for (const magic of [0x20b, 0x10b]) {
		const exe = fakePe(magic);
		assert.is(subsystemOf(exe), 3);
		setSubsystem(exe, 'gui');
		assert.is(subsystemOf(exe), 2);
		const changed = [...exe].filter((b, i) => b !== fakePe(magic)[i]).length;
		assert.is(changed, 1, 'one byte differs');
	}
});
pe('refuses what is not a PE file', () => {
	assert.throws(() => setSubsystem(Buffer.from('#!/bin/sh\n'.padEnd(200, ' ')), 'gui'), /MZ/);
	const noPe = fakePe(0x20b);
	noPe.write('XX', noPe.readUInt32LE(0x3c), 'latin1');
	assert.throws(() => setSubsystem(noPe, 'gui'), /PE header/);
});
pe('ensureWindowless writes the GUI twin next to the exe, and leaves an equal one alone', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'eq-twin-'));
	try {
		const exe = join(dir, 'equilybrium.exe');
		writeFileSync(exe, fakePe(0x20b));
		const twin = await ensureWindowless(exe);
		assert.is(twin, join(dir, WINDOWLESS_EXE));
		assert.is(subsystemOf(readFileSync(twin)), 2);
		assert.is(subsystemOf(readFileSync(exe)), 3, 'the console exe is untouched');
		assert.is(await ensureWindowless(twin), twin, 'the twin schedules itself');
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});
pe.run();

const command = suite('schedule command');
let dir = '';
command.before.each(() => {
	dir = mkdtempSync(join(tmpdir(), 'eq-schedule-'));
	writeFileSync(join(dir, 'equilybrium.exe'), fakePe(0x20b));
	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\nSchedule = 45 6 * * *\n[Monitored Directories]\nA = ["C:/Photos"]\n');
});
command.after.each(() => rmSync(dir, { recursive: true, force: true }));

function host(codes: Record<string, number> = {}) {
	const calls: { args: string[]; xml?: Buffer }[] = [];
	const fake: ScheduleHost = {
		platform: 'win32',
		execPath: join(dir, 'equilybrium.exe'),
		isSea: true,
		tmpdir: dir,
		async schtasks(args) {
			const xmlAt = args.indexOf('/XML');
			calls.push({ args: [...args], xml: xmlAt >= 0 ? readFileSync(args[xmlAt + 1]!) : undefined });
			return { code: codes[args[0]!] ?? 0, output: '' };
		},
	};
	return { fake, calls };
}
const argv = (...words: string[]) => parseArgs(['schedule', ...words], { values: ['config', 'save-xml'], booleans: ['help'] });
const ENV = { USERNAME: 'zoe', USERDOMAIN: 'PC' };

command('install registers the XML for this user through schtasks /Create /XML, and removes the temp file', async () => {
	const { fake, calls } = host();
	const io = testIo({ cwd: dir, env: ENV });
	const code = await schedule(argv('install', '--config', dir, '--save-xml', join(dir, 'kept.xml')), io, fake);
	assert.is(code, 0, io.errors.join('\n'));
	assert.is(calls.length, 1);
	const [call] = calls;
	assert.equal(call!.args.slice(0, 5), ['/Create', '/F', '/TN', 'Equilybrium daily check (zoe)', '/XML']);
	const text = call!.xml!.subarray(2).toString('utf16le');
	assert.ok(text.includes('<StartBoundary>2024-01-01T06:45:00</StartBoundary>'));
	assert.ok(text.includes(`<Command>${join(dir, WINDOWLESS_EXE)}</Command>`));
	assert.ok(text.includes('<UserId>PC\\zoe</UserId>'));
	assert.equal(readFileSync(join(dir, 'kept.xml')), call!.xml);
	assert.not.ok(readFileSync(join(dir, WINDOWLESS_EXE)).equals(readFileSync(join(dir, 'equilybrium.exe'))));
	assert.equal(
		(await import('node:fs')).readdirSync(dir).filter((f) => f.startsWith('equilybrium-task-')),
		[],
		'the temporary XML is gone',
	);
	assert.match(io.lines.join('\n'), /every day at 06:45/);
});

command('install says which config line is wrong when Schedule is not daily (exit 2)', async () => {
	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\nSchedule = */10 * * * *\n[Monitored Directories]\nA = ["C:/Photos"]\n');
	const { fake, calls } = host();
	const io = testIo({ cwd: dir, env: ENV });
	// main() refuses before reading the config on this (non-Windows) OS; the stand-in reaches it
	if (process.platform !== 'win32') assert.is(await main(['schedule', 'install', '--config', dir], io), 2);
	const direct = testIo({ cwd: dir, env: ENV });
	try {
		await schedule(argv('install', '--config', dir), direct, fake);
		assert.unreachable('should have thrown');
	} catch (error) {
		assert.match((error as Error).message, /^equilybrium\.config\.ini:2: \[Settings\] Schedule: "\*\/10 \* \* \* \*" is not a time of day/);
	}
	assert.is(calls.length, 0);
});

command('install reports a schtasks failure with exit 3', async () => {
	const { fake } = host({ '/Create': 5 });
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await schedule(argv('install', '--config', dir), io, fake), 3);
	assert.match(io.errors.join('\n'), /could not register the task "Equilybrium daily check \(zoe\)" \(exit 5\)/);
});

command('remove deletes the task; a task that is not there is fine; a refusal is exit 3', async () => {
	let h = host();
	assert.is(await schedule(argv('remove'), testIo({ cwd: dir, env: ENV }), h.fake), 0);
	assert.equal(h.calls.map((c) => c.args), [['/Delete', '/F', '/TN', 'Equilybrium daily check (zoe)']]);
	h = host({ '/Delete': 1, '/Query': 1 });
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await schedule(argv('remove'), io, h.fake), 0);
	assert.match(io.lines.join('\n'), /no scheduled task/);
	h = host({ '/Delete': 1 });
	assert.is(await schedule(argv('remove'), testIo({ cwd: dir, env: ENV }), h.fake), 3);
});

command('status: 0 when registered, 1 when not', async () => {
	assert.is(await schedule(argv('status'), testIo({ cwd: dir, env: ENV }), host().fake), 0);
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await schedule(argv('status'), io, host({ '/Query': 1 }).fake), 1);
	assert.match(io.lines.join('\n'), /not scheduled/);
});

command('usage errors: no action, an unknown action, another OS, a plain node (exit 2)', async () => {
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await main(['schedule'], io), 2);
	assert.is(await main(['schedule', 'start'], io), 2);
	assert.is(await main(['schedule', 'install', 'extra'], io), 2);
	assert.match(io.errors.join('\n'), /expected install, remove or status[\s\S]*unexpected argument "extra"/);
	const linux = { ...host().fake, platform: 'linux' as const };
	await schedule(argv('status'), io, linux).then(
		() => assert.unreachable('linux must be refused'),
		(error: Error) => assert.match(error.message, /schedule is for Windows/),
	);
	const plain = { ...host().fake, isSea: false };
	await schedule(argv('install', '--config', dir), io, plain).then(
		() => assert.unreachable('plain node must be refused'),
		(error: Error) => assert.match(error.message, /must be run by equilybrium\.exe/),
	);
});

command('task names are per user and safe', () => {
	assert.is(taskName({ USERNAME: 'a\\b:c' }), 'Equilybrium daily check (a_b_c)');
});

command.run();
