// The scheduled task and `schedule install|remove|status`, on any OS: a stand-in host
// records the schtasks calls. (Wine's schtasks drops triggers and actions from what it
// stores, so only these tests can check the definition itself.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from '../src/args.ts';
import { main } from '../src/index.ts';
import { loadConfig, taskTrigger, type TaskTrigger } from '@equilybrium/core';
import { schedule, ensureWindowless, followSchedule, TASK_RECORD } from '../src/commands/schedule.ts';
import type { ScheduleHost } from '../src/win.ts';
import { encodeTaskXml, renderTaskXml, setSubsystem, subsystemOf, taskName, windowsArg, WINDOWLESS_EXE } from '../src/win.ts';
import { fakePe, splitWindowsCommandLine, testIo } from './util/win.ts';

const DAILY: TaskTrigger = { hour: 21, minute: 5, second: 0, days: [0, 1, 2, 3, 4, 5, 6] };
const SPEC = {
	command: 'C:\\Users\\Zoë\\AppData\\Local\\Programs\\Equilybrium\\equilybrium-windowless.exe',
	configDir: 'D:\\Sync & Backup\\Equilybrium',
	trigger: DAILY,
	userId: 'PC\\Zoë',
};
const triggerOf = (cron: string) => {
	const found = taskTrigger(cron);
	if ('reason' in found) throw new Error(found.reason);
	return found.trigger;
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

const triggers = (text: string) => /<Triggers>([\s\S]*)<\/Triggers>/.exec(text)![1]!.replace(/\s+/g, '');

xml('every day: one daily calendar trigger at the Schedule time, local time', () => {
	const text = renderTaskXml(SPEC);
	assert.is(triggers(text), '<CalendarTrigger><StartBoundary>2024-01-01T21:05:00</StartBoundary><ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger>');
	assert.not.match(text, /StartBoundary>[^<]*(Z|[+-]\d\d:\d\d)</);
});

xml('days of the week: one weekly calendar trigger with exactly those days', () => {
	assert.is(
		triggers(renderTaskXml({ ...SPEC, trigger: triggerOf('15 4 * * 1-5') })),
		'<CalendarTrigger><StartBoundary>2024-01-01T04:15:00</StartBoundary><ScheduleByWeek><WeeksInterval>1</WeeksInterval>' +
			'<DaysOfWeek><Monday/><Tuesday/><Wednesday/><Thursday/><Friday/></DaysOfWeek></ScheduleByWeek></CalendarTrigger>',
	);
	assert.match(triggers(renderTaskXml({ ...SPEC, trigger: triggerOf('30 9 * * sat,sun') })), /T09:30:00<\/StartBoundary><ScheduleByWeek><WeeksInterval>1<\/WeeksInterval><DaysOfWeek><Sunday\/><Saturday\/><\/DaysOfWeek>/);
	assert.match(renderTaskXml({ ...SPEC, trigger: triggerOf('5 0 12 * * 3') }), /T12:00:05<\/StartBoundary>\s*<ScheduleByWeek>[\s\S]*<DaysOfWeek><Wednesday \/><\/DaysOfWeek>/, "node-cron's seconds field");
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
		stateDir: join(dir, 'LocalAppData', 'Equilybrium'),
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

command('install refuses, naming the line, a Schedule the task cannot keep (exit 2), and says what it can', async () => {
	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\nSchedule = */10 * * * *\n[Monitored Directories]\nA = ["C:/Photos"]\n');
	const { fake, calls } = host();
	const io = testIo({ cwd: dir, env: ENV });
	// main() refuses before reading the config on this (non-Windows) OS; the stand-in reaches it
	if (process.platform !== 'win32') assert.is(await main(['schedule', 'install', '--config', dir], io), 2);
	const viaMain = testIo({ cwd: dir, env: ENV });
	viaMain.taskHost = fake;
	assert.is(await main(['schedule', 'install', '--config', dir], viaMain), 2);
	const message = viaMain.errors.join('\n');
	assert.match(message, /^equilybrium: equilybrium\.config\.ini:2: \[Settings\] Schedule: "\*\/10 \* \* \* \*" cannot be the scheduled task's time: the minute "\*\/10" is not one number from 0 to 59/);
	assert.match(message, /runs at one time of day, every day or on chosen days of the week, e\.g\. "0 3 \* \* \*" \(03:00 daily\) or "15 4 \* \* 1-5"/);
	assert.match(message, /write it as "Schedule B" and give A its own "Schedule A"/);
	assert.is(calls.length, 0, 'nothing registered');
	assert.not.ok(existsSync(join(fake.stateDir!, TASK_RECORD)), 'nothing recorded');

	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\nSchedule = 0 3 * * *\nSchedule A = 0 3 1,15 * *\n[Monitored Directories]\nA = ["C:/Photos"]\n');
	const monthly = testIo({ cwd: dir, env: ENV });
	monthly.taskHost = fake;
	assert.is(await main(['schedule', 'install', '--config', dir], monthly), 2);
	assert.match(monthly.errors.join('\n'), /equilybrium\.config\.ini:3: \[Settings\] Schedule A: "0 3 1,15 \* \*" cannot be the scheduled task's time: the day of the month "1,15" is not "\*"/);
	assert.not.match(monthly.errors.join('\n'), /write it as "Schedule B"/, 'A has its own key already');
	assert.is(calls.length, 0);
});

command('install takes Schedule A over Schedule: weekdays at 04:15 for the PC while the NAS runs every 10 minutes', async () => {
	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\nSchedule = */10 * * * *\nSchedule A = 15 4 * * 1-5\n[Monitored Directories]\nA = ["C:/Photos"]\n');
	const { fake, calls } = host();
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await schedule(argv('install', '--config', dir), io, fake), 0, io.errors.join('\n'));
	const text = calls[0]!.xml!.subarray(2).toString('utf16le');
	assert.match(text, /<StartBoundary>2024-01-01T04:15:00<\/StartBoundary>\s*<ScheduleByWeek>/);
	assert.match(io.lines[0]!, /^scheduled "Equilybrium daily check \(zoe\)": Monday to Friday at 04:15 \(or as soon as possible after a missed time\)$/);
	const record = JSON.parse(readFileSync(join(fake.stateDir!, TASK_RECORD), 'utf8'));
	assert.equal([record.schedule, record.configDir, record.command], ['15 4 * * 1-5', dir, join(dir, WINDOWLESS_EXE)]);
});

command('install with no folders for A registers the task and warns that its runs will check nothing', async () => {
	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\n[Monitored Directories]\nA = []\n');
	const { fake, calls } = host();
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await schedule(argv('install', '--config', dir), io, fake), 0);
	assert.is(calls.length, 1);
	assert.match(io.errors.join('\n'), /warning: .*equilybrium\.config\.ini lists no folders to monitor on A, so each run checks nothing and ends with exit code 2\. Add them: equilybrium init --config ".*" --folder "D:\\Photos"/);
});

command('install reports a schtasks failure with exit 3', async () => {
	const { fake } = host({ '/Create': 5 });
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await schedule(argv('install', '--config', dir), io, fake), 3);
	assert.match(io.errors.join('\n'), /could not register the task "Equilybrium daily check \(zoe\)" \(exit 5\)/);
});

command('remove deletes the task and its record; a task that is not there is fine; a refusal is exit 3', async () => {
	let h = host();
	assert.is(await schedule(argv('install', '--config', dir), testIo({ cwd: dir, env: ENV }), h.fake), 0);
	assert.ok(existsSync(join(h.fake.stateDir!, TASK_RECORD)));
	h = host();
	assert.is(await schedule(argv('remove'), testIo({ cwd: dir, env: ENV }), h.fake), 0);
	assert.equal(h.calls.map((c) => c.args), [['/Delete', '/F', '/TN', 'Equilybrium daily check (zoe)']]);
	assert.not.ok(existsSync(join(h.fake.stateDir!, TASK_RECORD)), 'a run no longer follows a task that is gone');
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

command('status reads the recorded task and its config: when it runs, a Schedule A not followed yet, and no folders (exit 1)', async () => {
	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\nSchedule = 15 4 * * 1-5\n[Monitored Directories]\nA = ["C:/Photos"]\n');
	assert.is(await schedule(argv('install', '--config', dir), testIo({ cwd: dir, env: ENV }), host().fake), 0);
	const ok = testIo({ cwd: dir, env: ENV });
	assert.is(await schedule(argv('status'), ok, host().fake), 0, ok.lines.join('\n'));
	assert.match(ok.lines.join('\n'), /^  runs Monday to Friday at 04:15 \(registered \d{4}-\d\d-\d\d from "15 4 \* \* 1-5"\): /m);

	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\nSchedule A = 0 22 * * *\n[Monitored Directories]\nA = []\n');
	const empty = testIo({ cwd: dir, env: ENV });
	assert.is(await schedule(argv('status'), empty, host().fake), 1, 'found from the record: no --config given');
	const said = empty.lines.join('\n');
	assert.match(said, /Schedule A is now "0 22 \* \* \*": the task follows it at its next run/);
	assert.match(said, /NOTHING TO CHECK: .*equilybrium\.config\.ini lists no folders to monitor on A/);
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

// A run of A keeps the task to Schedule A: the config is shared and the NAS page edits it, so
// the PC finds out at its next run, compares with what it registered, and registers again.
const follow = suite('the task follows Schedule A');
let photos = '';
follow.before.each(() => {
	dir = mkdtempSync(join(tmpdir(), 'eq-follow-'));
	photos = join(dir, 'Photos');
	mkdirSync(photos);
	writeFileSync(join(photos, 'p.jpg'), 'pixels');
	writeFileSync(join(dir, 'equilybrium.exe'), fakePe(0x20b));
	writeConfig('Schedule = 45 6 * * *');
});
follow.after.each(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(schedule: string) {
	writeFileSync(join(dir, 'equilybrium.config.ini'), `[Settings]\n${schedule}\n[Monitored Directories]\nA = ${JSON.stringify([photos])}\n`);
}
async function installed() {
	const h = host();
	assert.is(await schedule(argv('install', '--config', dir), testIo({ cwd: dir, env: ENV }), h.fake), 0);
	return h;
}
const record = (h: ReturnType<typeof host>) => JSON.parse(readFileSync(join(h.fake.stateDir!, TASK_RECORD), 'utf8'));

follow('a run of A registers the task again when Schedule changed (the NAS page saved "15 4 * * 1-5"), and says so', async () => {
	const h = await installed();
	writeConfig('Schedule = 15 4 * * 1-5');
	const io = testIo({ cwd: dir, env: ENV });
	io.taskHost = h.fake;
	const code = await main(['run', '--role', 'A', '--config', dir], io);
	assert.is(code, 1, 'ran; B has not run, so nothing is verified yet');
	assert.is(h.calls.length, 2, 'registered once by install, once more by the run');
	const text = h.calls[1]!.xml!.subarray(2).toString('utf16le');
	assert.match(text, /T04:15:00<\/StartBoundary>\s*<ScheduleByWeek>\s*<WeeksInterval>1<\/WeeksInterval>\s*<DaysOfWeek><Monday \/><Tuesday \/><Wednesday \/><Thursday \/><Friday \/><\/DaysOfWeek>/);
	assert.match(io.lines.join('\n'), /^the scheduled task now runs Monday to Friday at 04:15: Schedule changed from "45 6 \* \* \*" to "15 4 \* \* 1-5"$/m);
	assert.is(record(h).schedule, '15 4 * * 1-5');

	const again = testIo({ cwd: dir, env: ENV });
	again.taskHost = h.fake;
	await main(['run', '--role', 'A', '--config', dir], again);
	assert.is(h.calls.length, 2, 'the next run finds it in step: no schtasks call');
	assert.not.match(again.lines.join('\n'), /scheduled task/);
});

follow('a changed Schedule the task cannot keep leaves the task as it was, with a warning', async () => {
	const h = await installed();
	writeConfig('Schedule = */5 * * * *');
	const io = testIo({ cwd: dir, env: ENV });
	const followed = await followSchedule(await loadConfig(dir), io, h.fake);
	assert.is(followed?.ok, false, 'returned for the run record too');
	assert.is(`equilybrium: warning: ${followed!.message}`, io.errors[0]);
	assert.is(h.calls.length, 1, 'not registered again');
	assert.match(io.errors.join('\n'), /warning: \[Settings\] Schedule "\*\/5 \* \* \* \*" cannot be the scheduled task's time: the minute "\*\/5" is not one number .* The task still runs every day at 06:45\./);
	assert.is(record(h).schedule, '45 6 * * *');
});

follow('a schtasks refusal is a warning, never a failed run; the record keeps the old schedule so the next run tries again', async () => {
	const h = await installed();
	writeConfig('Schedule A = 0 22 * * *');
	const refusing = { ...h.fake, schtasks: async () => ({ code: 1, output: 'ERROR: Access is denied.' }) };
	const io = testIo({ cwd: dir, env: ENV });
	await followSchedule(await loadConfig(dir), io, refusing);
	assert.match(io.errors.join('\n'), /could not follow Schedule A "0 22 \* \* \*" \(schtasks exit 1: ERROR: Access is denied\.\); it still runs at its old time/);
	assert.is(record(h).schedule, '45 6 * * *');
});

follow('nothing to follow: no task recorded, another config folder, plain node, another OS', async () => {
	const h = await installed();
	writeConfig('Schedule = 0 1 * * *');
	const config = await loadConfig(dir);
	const quiet = async (fake: ScheduleHost, cfg = config) => {
		const io = testIo({ cwd: dir, env: ENV });
		assert.is(await followSchedule(cfg, io, fake), undefined);
		assert.equal([...io.lines, ...io.errors], []);
	};
	await quiet({ ...h.fake, isSea: false });
	await quiet({ ...h.fake, platform: 'linux' });
	await quiet(h.fake, { ...config, dir: join(dir, 'elsewhere') });
	await quiet({ ...h.fake, stateDir: join(dir, 'no-record-here') });
	assert.is(h.calls.length, 1, 'only the install');
});

follow.run();

// The installer's silent install may leave A without folders; each run then says so loudly.
const empty = suite('a run of A with no folders');
empty.before.each(() => {
	dir = mkdtempSync(join(tmpdir(), 'eq-nofolders-'));
	writeFileSync(join(dir, 'equilybrium.config.ini'), '[Settings]\nA = pc\n[Monitored Directories]\nA = []\nB = []\n');
});
empty.after.each(() => rmSync(dir, { recursive: true, force: true }));

empty('ends with exit 2, NOTHING CHECKED first on stdout, the fix on stderr, and a report section saying so', async () => {
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await main(['run', '--role', 'A', '--config', dir], io), 2);
	assert.equal(io.lines, ['NOTHING CHECKED — no folders to monitor on A']);
	assert.match(io.errors.join('\n'), /^equilybrium: .*equilybrium\.config\.ini:4: \[Monitored Directories\] A: no folders to monitor on A, so nothing was checked\. Add them: equilybrium init --config ".*" --folder "D:\\Photos"/);
	const report = readFileSync(join(dir, 'equilybrium.report.txt'), 'utf8');
	assert.match(report, /^=== Equilybrium report \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} (UTC|[+-]\d\d:\d\d) ===\nNOTHING CHECKED — no folders to monitor on A\n/);
	assert.ok(report.includes('nothing on this PC is known to be backed up'));
	assert.is(readdirSync(dir).filter((f) => f.includes('.DB.')).length, 0, 'no database made from nothing');
	const twice = testIo({ cwd: dir, env: ENV });
	await main(['run', '--role', 'A', '--config', dir, '--quiet'], twice);
	assert.equal(twice.lines, ['NOTHING CHECKED — no folders to monitor on A'], '--quiet still says it');
	assert.is(readFileSync(join(dir, 'equilybrium.report.txt'), 'utf8').match(/NOTHING CHECKED/g)!.length, 2, 'one section per run');
});

empty('B with no folders: exit 2 and the same message; the report is A\'s alone', async () => {
	const io = testIo({ cwd: dir, env: ENV });
	assert.is(await main(['run', '--role', 'B', '--config', dir], io), 2);
	assert.equal(io.lines, ['NOTHING CHECKED — no folders to monitor on B']);
	assert.match(io.errors.join('\n'), /\[Monitored Directories\] B: no folders to monitor on B/);
	assert.not.ok(existsSync(join(dir, 'equilybrium.report.txt')));
});

empty.run();
