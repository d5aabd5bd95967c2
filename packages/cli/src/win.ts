// Windows-only pieces of the CLI: the scheduled task's definition, the schtasks calls, and
// the windowless (GUI-subsystem) twin of the exe the task runs. Pure functions first, so
// they are tested on any OS; the few that touch Windows take their effects as arguments.
// Which cron schedules the task can keep is core's `taskTrigger` (the NAS page asks it too).
import { WEEKDAYS, type TaskTrigger } from '@equilybrium/core';

/** The twin of equilybrium.exe the task starts: same bytes, GUI subsystem, no console window. */
export const WINDOWLESS_EXE = 'equilybrium-windowless.exe';

/** The whole task may run this long before Windows stops it (a full re-hash of a big disk). */
export const TASK_TIME_LIMIT = 'PT12H';

/**
 * One argument of a Windows command line, quoted so CommandLineToArgvW (what Node and most
 * programs use) gives it back unchanged: backslashes before a quote are doubled, so a
 * folder such as `D:\` does not swallow its closing quote.
 */
export function windowsArg(arg: string): string {
	if (arg !== '' && !/[\s"]/.test(arg)) return arg;
	let out = '"';
	let slashes = 0;
	for (const ch of arg) {
		if (ch === '\\') {
			slashes++;
			continue;
		}
		out += '\\'.repeat(ch === '"' ? slashes * 2 + 1 : slashes) + ch;
		slashes = 0;
	}
	return out + '\\'.repeat(slashes * 2) + '"';
}

export interface TaskSpec {
	/** The windowless exe, absolute. */
	command: string;
	/** The config folder, absolute; also the task's working folder. */
	configDir: string;
	/** When it runs: from core's `taskTrigger(Schedule A)`. */
	trigger: TaskTrigger;
	/** `DOMAIN\user` of the person installing: a non-admin may only register tasks for itself. */
	userId: string;
}

/** The argument string the task passes to the exe. */
export function taskArguments(configDir: string): string {
	return ['run', '--role', 'A', '--config', windowsArg(configDir)].join(' ');
}

/**
 * The Task Scheduler 1.2 definition (schema: learn.microsoft.com "Task Scheduler Schema").
 * `schtasks /Create` has no switches for catch-up, battery or one-at-a-time, hence XML.
 */
export function renderTaskXml(spec: TaskSpec): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	const at = `${pad(spec.trigger.hour)}:${pad(spec.trigger.minute)}:${pad(spec.trigger.second)}`;
	const lines = [
		'<?xml version="1.0" encoding="UTF-16"?>',
		'<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
		'  <RegistrationInfo>',
		'    <Author>Equilybrium</Author>',
		'    <Description>Checks that every monitored file is intact and backed up (equilybrium run --role A), at the config\'s Schedule A.</Description>',
		'  </RegistrationInfo>',
		'  <Triggers>',
		'    <CalendarTrigger>',
		// no time zone suffix: local time, so the run stays at the same hour across DST
		// (the schema puts a trigger's Enabled before StartBoundary; left out, it is true)
		`      <StartBoundary>2024-01-01T${at}</StartBoundary>`,
		...scheduleElement(spec.trigger.days),
		'    </CalendarTrigger>',
		'  </Triggers>',
		'  <Principals>',
		'    <Principal id="Author">',
		`      <UserId>${xmlText(spec.userId)}</UserId>`,
		// "run only when the user is logged on": no stored password, no admin rights, and the
		// user's own network drives and credentials (a NAS share) are there
		'      <LogonType>InteractiveToken</LogonType>',
		'      <RunLevel>LeastPrivilege</RunLevel>',
		'    </Principal>',
		'  </Principals>',
		'  <Settings>',
		'    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
		'    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
		'    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
		'    <StartWhenAvailable>true</StartWhenAvailable>',
		'    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>',
		'    <IdleSettings>',
		'      <StopOnIdleEnd>false</StopOnIdleEnd>',
		'      <RestartOnIdle>false</RestartOnIdle>',
		'    </IdleSettings>',
		'    <AllowStartOnDemand>true</AllowStartOnDemand>',
		'    <Enabled>true</Enabled>',
		'    <Hidden>false</Hidden>',
		'    <WakeToRun>false</WakeToRun>',
		`    <ExecutionTimeLimit>${TASK_TIME_LIMIT}</ExecutionTimeLimit>`,
		'    <Priority>7</Priority>',
		'  </Settings>',
		'  <Actions Context="Author">',
		'    <Exec>',
		`      <Command>${xmlText(spec.command)}</Command>`,
		`      <Arguments>${xmlText(taskArguments(spec.configDir))}</Arguments>`,
		`      <WorkingDirectory>${xmlText(spec.configDir)}</WorkingDirectory>`,
		'    </Exec>',
		'  </Actions>',
		'</Task>',
	];
	return lines.join('\r\n') + '\r\n';
}

/** schtasks /XML reads UTF-16LE with a BOM; UTF-8 is refused as "malformed". */
export function encodeTaskXml(xml: string): Buffer {
	return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(xml, 'utf16le')]);
}

/** Task names are global to the machine, so each Windows user gets their own. */
export function taskName(env: Record<string, string | undefined>): string {
	const user = (env.USERNAME ?? 'user').replace(/[\\/:*?"<>|]/g, '_');
	return `Equilybrium daily check (${user})`;
}

export function taskUser(env: Record<string, string | undefined>): string {
	const user = env.USERNAME ?? 'user';
	return env.USERDOMAIN ? `${env.USERDOMAIN}\\${user}` : user;
}

const PE_SUBSYSTEM = { gui: 2, console: 3 } as const;

/**
 * Sets the PE optional header's Subsystem field in place. A GUI-subsystem exe gets no
 * console, so the daily task does not flash a window; Node then writes stdout to nowhere.
 */
export function setSubsystem(exe: Buffer, subsystem: keyof typeof PE_SUBSYSTEM): Buffer {
	if (exe.length < 0x40 || exe.toString('latin1', 0, 2) !== 'MZ') throw new Error('not a Windows executable (no MZ header)');
	const pe = exe.readUInt32LE(0x3c);
	if (pe + 24 + 70 > exe.length || exe.toString('latin1', pe, pe + 4) !== 'PE\0\0') throw new Error('not a Windows executable (no PE header)');
	const optional = pe + 24;
	const magic = exe.readUInt16LE(optional);
	if (magic !== 0x10b && magic !== 0x20b) throw new Error(`unknown PE optional header magic 0x${magic.toString(16)}`);
	// Subsystem sits at offset 68 in both PE32 and PE32+ optional headers
	exe.writeUInt16LE(PE_SUBSYSTEM[subsystem], optional + 68);
	return exe;
}

export function subsystemOf(exe: Buffer): number {
	return exe.readUInt16LE(exe.readUInt32LE(0x3c) + 24 + 68);
}

export interface Spawned {
	code: number;
	output: string;
}

/** What `schedule` and a run of A need of Windows' Task Scheduler (tests stand in for it). */
export interface ScheduleHost {
	platform: NodeJS.Platform;
	/** The running equilybrium.exe. */
	execPath: string;
	/** True inside the single executable; false under plain node. */
	isSea: boolean;
	tmpdir: string;
	/** This user's machine-local folder (%LOCALAPPDATA%\Equilybrium): where the task is recorded. */
	stateDir: string | undefined;
	schtasks(args: readonly string[]): Promise<Spawned>;
}

/**
 * Runs schtasks.exe; its messages are localized, so callers decide on the exit code only.
 * By full path: a bare name is looked up in the current folder first, which may be the
 * synced config folder.
 */
export async function schtasks(args: readonly string[], env: Record<string, string | undefined> = process.env): Promise<Spawned> {
	const exe = `${env.SystemRoot ?? env.SYSTEMROOT ?? 'C:\\Windows'}\\System32\\schtasks.exe`;
	// loaded here, not with the program: child_process (and net, dgram…) cost every run ~3 ms
	const { execFile } = await import('node:child_process');
	return new Promise((resolve) => {
		execFile(exe, [...args], { windowsHide: true, timeout: 60_000, encoding: 'utf8' }, (error, stdout, stderr) => {
			const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
			const output = `${stdout}${stderr}`.trim() || (error && typeof error.code !== 'number' ? error.message : '');
			resolve({ code, output });
		});
	});
}

/** Every day: ScheduleByDay; some days of the week: ScheduleByWeek with those days. */
function scheduleElement(days: number[]): string[] {
	if (days.length === 7) return ['      <ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>'];
	return [
		'      <ScheduleByWeek>',
		'        <WeeksInterval>1</WeeksInterval>',
		`        <DaysOfWeek>${days.map((d) => `<${WEEKDAYS[d]} />`).join('')}</DaysOfWeek>`,
		'      </ScheduleByWeek>',
	];
}

function xmlText(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
