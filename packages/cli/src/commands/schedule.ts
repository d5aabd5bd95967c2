import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { configError, describeTrigger, loadConfig, taskTrigger, type Config, type TaskTrigger } from '@equilybrium/core';
import { flag, type ParsedArgs } from '../args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { configDir } from './_shared.ts';
import type { Io } from '../io.ts';
import {
	encodeTaskXml,
	renderTaskXml,
	schtasks,
	setSubsystem,
	taskArguments,
	taskName,
	taskUser,
	WINDOWLESS_EXE,
	type ScheduleHost,
	type Spawned,
} from '../win.ts';

/** What `schedule` needs from the machine, so tests can stand in for Windows. */
/** What `schedule install` registered, kept on this machine, so that a run compares without asking schtasks. */
export interface TaskRecord {
	version: 1;
	name: string;
	/** The cron expression the task was made from (Schedule A then). */
	schedule: string;
	configDir: string;
	command: string;
	registeredAt: string;
}

export const TASK_RECORD = 'task.json';
export const SCHEDULE_ACTIONS = ['install', 'remove', 'status'] as const;

export function scheduleCommand(args: ParsedArgs, io: Io): Promise<number> {
	return schedule(args, io, io.taskHost ?? nativeHost(io.env));
}

export async function schedule(args: ParsedArgs, io: Io, host: ScheduleHost): Promise<number> {
	const action = args.positionals[0];
	if (!SCHEDULE_ACTIONS.includes(action as (typeof SCHEDULE_ACTIONS)[number])) {
		throw new UsageError(action === undefined ? 'schedule needs install, remove or status' : `schedule ${action}: expected install, remove or status`);
	}
	if (host.platform !== 'win32') {
		throw new UsageError('schedule is for Windows (A); on the NAS the Equilybrium package runs on its own schedule');
	}
	const name = taskName(io.env);
	if (action === 'status') return status(name, args, io, host);
	if (action === 'remove') return remove(name, io, host);
	return install(name, args, io, host);
}

/** What a run of A did about the task: `ok` false is a warning (the task kept its old time). */
export interface TaskFollowed {
	ok: boolean;
	message: string;
}

/**
 * At each run of A: when Schedule A is no longer what the task was registered with, the task
 * is registered again, and the run says so. A changed schedule the task cannot keep leaves
 * the task as it was, with a warning. Never fails the run: it prints, and returns what it said
 * (undefined when there was nothing to do) for the run's record.
 */
export async function followSchedule(config: Config, io: Io, host: ScheduleHost = io.taskHost ?? nativeHost(io.env)): Promise<TaskFollowed | undefined> {
	if (host.platform !== 'win32' || !host.isSea) return undefined;
	const said = (ok: boolean, message: string): TaskFollowed => {
		if (ok) io.out(message);
		else io.err(`equilybrium: warning: ${message}`);
		return { ok, message };
	};
	const key = config.scheduleFrom.A.key;
	try {
		const record = await readRecord(host);
		if (!record || !sameFolder(record.configDir, config.dir) || record.schedule === config.schedules.A) return undefined;
		const cron = config.schedules.A;
		const found = taskTrigger(cron);
		if ('reason' in found) {
			const kept = taskTrigger(record.schedule);
			return said(false, `[Settings] ${key} "${cron}" cannot be the scheduled task's time: ${found.reason}. The task still runs ${'trigger' in kept ? describeTrigger(kept.trigger) : `"${record.schedule}"`}.`);
		}
		const result = await register(record.name, config.dir, cron, found.trigger, io, host);
		if (result.code !== 0) {
			return said(false, `the scheduled task could not follow ${key} "${cron}" (schtasks exit ${result.code}${result.output ? `: ${result.output}` : ''}); it still runs at its old time. Run: equilybrium schedule install --config "${config.dir}"`);
		}
		return said(true, `the scheduled task now runs ${describeTrigger(found.trigger)}: ${key} changed from "${record.schedule}" to "${cron}"`);
	} catch (error) {
		return said(false, `the scheduled task was not checked against ${key}: ${(error as Error).message}`);
	}
}

async function install(name: string, args: ParsedArgs, io: Io, host: ScheduleHost): Promise<number> {
	const dir = configDir(args, io);
	const config = await loadConfig(dir);
	const cron = config.schedules.A;
	const from = config.scheduleFrom.A;
	const found = taskTrigger(cron);
	if ('reason' in found) {
		// `Schedule` alone sets both sides: B may keep an expression A's task cannot
		const split = from.key === 'Schedule' ? `; to keep "${cron}" for the NAS, write it as "Schedule B" and give A its own "Schedule A"` : '';
		throw configError(basename(config.file), from.line, `[Settings] ${from.key}: "${cron}" cannot be the scheduled task's time: ${found.reason}${split}`);
	}
	if (!host.isSea) throw new UsageError('schedule install must be run by equilybrium.exe, the Windows build');
	const result = await register(name, dir, cron, found.trigger, io, host, flag(args, 'save-xml'));
	if (result.code !== 0) {
		io.err(`equilybrium: schtasks could not register the task "${name}" (exit ${result.code})${result.output ? `: ${result.output}` : ''}`);
		return EXIT.FAILED;
	}
	io.out(`scheduled "${name}": ${describeTrigger(found.trigger)} (or as soon as possible after a missed time)`);
	io.out(`  runs: "${result.command}" ${taskArguments(dir)}`);
	if (!config.roots.A?.length) io.err(`equilybrium: warning: ${noFolders(config)}`);
	return EXIT.OK;
}

/** Registers the task through schtasks /Create /XML and records what it was made from. */
async function register(name: string, dir: string, cron: string, trigger: TaskTrigger, io: Io, host: ScheduleHost, saveXml?: string): Promise<Spawned & { command: string }> {
	const command = await ensureWindowless(host.execPath);
	const xml = encodeTaskXml(renderTaskXml({ command, configDir: dir, trigger, userId: taskUser(io.env) }));
	const file = join(host.tmpdir, `equilybrium-task-${process.pid}.xml`);
	await writeFile(file, xml);
	if (saveXml) await writeFile(saveXml, xml);
	let result: Spawned;
	try {
		result = await host.schtasks(['/Create', '/F', '/TN', name, '/XML', file]);
	} finally {
		await rm(file, { force: true });
	}
	if (result.code === 0 && host.stateDir) {
		const record: TaskRecord = { version: 1, name, schedule: cron, configDir: dir, command, registeredAt: new Date().toISOString() };
		await mkdir(host.stateDir, { recursive: true });
		const path = join(host.stateDir, TASK_RECORD);
		await writeFile(path + '.tmp', JSON.stringify(record, null, 2) + '\n');
		await rename(path + '.tmp', path);
	}
	return { ...result, command };
}

async function remove(name: string, io: Io, host: ScheduleHost): Promise<number> {
	const deleted = await host.schtasks(['/Delete', '/F', '/TN', name]);
	if (deleted.code === 0) {
		await forgetRecord(host);
		io.out(`removed the scheduled task "${name}"`);
		return EXIT.OK;
	}
	// a missing task is what remove wants; tell it from a refusal by asking once more
	const query = await host.schtasks(['/Query', '/TN', name]);
	if (query.code !== 0) {
		await forgetRecord(host);
		io.out(`no scheduled task "${name}" was registered`);
		return EXIT.OK;
	}
	io.err(`equilybrium: schtasks could not remove the task "${name}" (exit ${deleted.code})${deleted.output ? `: ${deleted.output}` : ''}`);
	return EXIT.FAILED;
}

/** Exit 0: registered, with folders to check; 1: not registered, or its runs would check nothing. */
async function status(name: string, args: ParsedArgs, io: Io, host: ScheduleHost): Promise<number> {
	const query = await host.schtasks(['/Query', '/TN', name, '/V', '/FO', 'LIST']);
	if (query.code !== 0) {
		io.out(`not scheduled: no task "${name}" (run "equilybrium schedule install --config DIR")`);
		return EXIT.FOUND;
	}
	const record = await readRecord(host).catch(() => undefined);
	const dir = flag(args, 'config') !== undefined || io.env.EQUILYBRIUM_CONFIG ? configDir(args, io) : record?.configDir;
	io.out(`scheduled: "${name}"`);
	let code: number = EXIT.OK;
	if (record) {
		const made = taskTrigger(record.schedule);
		io.out(`  runs ${'trigger' in made ? describeTrigger(made.trigger) : `"${record.schedule}"`} (registered ${record.registeredAt.slice(0, 10)} from "${record.schedule}"): "${record.command}" ${taskArguments(record.configDir)}`);
	}
	if (dir) {
		const config = await loadConfig(dir).catch((error: Error) => error);
		if (config instanceof Error) {
			io.out(`  the config cannot be read: ${config.message}`);
			code = EXIT.FOUND;
		} else {
			if (record && record.schedule !== config.schedules.A) {
				io.out(`  ${config.scheduleFrom.A.key} is now "${config.schedules.A}": the task follows it at its next run (or now: equilybrium schedule install --config "${dir}")`);
			}
			if (!config.roots.A?.length) {
				io.out(`  NOTHING TO CHECK: ${noFolders(config)}`);
				code = EXIT.FOUND;
			}
		}
	}
	if (query.output) io.out(query.output);
	return code;
}

/** What a run, `schedule install` and `schedule status` say when A has no folders. */
export function noFolders(config: Config): string {
	return `${config.file} lists no folders to monitor on A, so each run checks nothing and ends with exit code 2. Add them: equilybrium init --config "${config.dir}" --folder "D:\\Photos" (or under [Monitored Directories] A in the file)`;
}

async function readRecord(host: ScheduleHost): Promise<TaskRecord | undefined> {
	if (!host.stateDir) return undefined;
	let text: string;
	try {
		text = await readFile(join(host.stateDir, TASK_RECORD), 'utf8');
	} catch {
		return undefined;
	}
	const record = JSON.parse(text) as Partial<TaskRecord>;
	return record.version === 1 && typeof record.schedule === 'string' && typeof record.configDir === 'string' ? (record as TaskRecord) : undefined;
}

async function forgetRecord(host: ScheduleHost): Promise<void> {
	if (host.stateDir) await rm(join(host.stateDir, TASK_RECORD), { force: true });
}

/** Windows names a folder in any letter case. */
function sameFolder(a: string, b: string): boolean {
	return resolve(a).toLowerCase() === resolve(b).toLowerCase();
}

/**
 * The task runs a GUI-subsystem twin of this exe, written next to it, so no console window
 * opens every day. Rewritten only when it differs: the task may be running it right now.
 */
export async function ensureWindowless(execPath: string): Promise<string> {
	if (basename(execPath).toLowerCase() === WINDOWLESS_EXE) return execPath;
	const twin = join(dirname(execPath), WINDOWLESS_EXE);
	const wanted = setSubsystem(await readFile(execPath), 'gui');
	const current = await readFile(twin).catch(() => undefined);
	if (current && current.equals(wanted)) return twin;
	await writeFile(twin + '.tmp', wanted);
	await rename(twin + '.tmp', twin);
	return twin;
}

function nativeHost(env: Record<string, string | undefined>): ScheduleHost {
	const stateDir = env.LOCALAPPDATA ? join(env.LOCALAPPDATA, 'Equilybrium') : undefined;
	return { platform: process.platform, execPath: process.execPath, isSea: isSea(), tmpdir: tmpdir(), stateDir, schtasks };
}

function isSea(): boolean {
	try {
		// node:sea exists from Node 20.12; required lazily so older nodes still load the CLI
		return (require('node:sea') as { isSea(): boolean }).isSea();
	} catch {
		return false;
	}
}
