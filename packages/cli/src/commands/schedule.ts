import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { configError, loadConfig } from '@equilybrium/core';
import { flag, type ParsedArgs } from '../args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { configDir } from './_shared.ts';
import type { Io } from '../io.ts';
import {
	dailyTime,
	encodeTaskXml,
	renderTaskXml,
	schtasks,
	setSubsystem,
	taskArguments,
	taskName,
	taskUser,
	WINDOWLESS_EXE,
	type Spawned,
} from '../win.ts';

/** What `schedule` needs from the machine, so tests can stand in for Windows. */
export interface ScheduleHost {
	platform: NodeJS.Platform;
	/** The running equilybrium.exe. */
	execPath: string;
	/** True inside the single executable; false under plain node. */
	isSea: boolean;
	tmpdir: string;
	schtasks(args: readonly string[]): Promise<Spawned>;
}

export const SCHEDULE_ACTIONS = ['install', 'remove', 'status'] as const;

export function scheduleCommand(args: ParsedArgs, io: Io): Promise<number> {
	return schedule(args, io, nativeHost());
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
	if (action === 'status') return status(name, io, host);
	if (action === 'remove') return remove(name, io, host);
	return install(name, args, io, host);
}

async function install(name: string, args: ParsedArgs, io: Io, host: ScheduleHost): Promise<number> {
	const dir = configDir(args, io);
	const config = await loadConfig(dir);
	const time = dailyTime(config.schedule);
	if (!time) {
		throw configError(basename(config.file), config.lines['settings/schedule'], `[Settings] Schedule: "${config.schedule}" is not a time of day; the Windows task runs daily, so write "minute hour * * *", e.g. "0 3 * * *"`);
	}
	if (!host.isSea) throw new UsageError('schedule install must be run by equilybrium.exe, the Windows build');
	const command = await ensureWindowless(host.execPath);
	const xml = renderTaskXml({ command, configDir: dir, time, userId: taskUser(io.env) });
	const file = join(host.tmpdir, `equilybrium-task-${process.pid}.xml`);
	await writeFile(file, encodeTaskXml(xml));
	const kept = flag(args, 'save-xml');
	if (kept) await writeFile(kept, encodeTaskXml(xml));
	let result: Spawned;
	try {
		result = await host.schtasks(['/Create', '/F', '/TN', name, '/XML', file]);
	} finally {
		await rm(file, { force: true });
	}
	if (result.code !== 0) {
		io.err(`equilybrium: schtasks could not register the task "${name}" (exit ${result.code})${result.output ? `: ${result.output}` : ''}`);
		return EXIT.FAILED;
	}
	const at = `${String(time.hour).padStart(2, '0')}:${String(time.minute).padStart(2, '0')}`;
	io.out(`scheduled "${name}": every day at ${at} (or as soon as possible after a missed time)`);
	io.out(`  runs: "${command}" ${taskArguments(dir)}`);
	return EXIT.OK;
}

async function remove(name: string, io: Io, host: ScheduleHost): Promise<number> {
	const deleted = await host.schtasks(['/Delete', '/F', '/TN', name]);
	if (deleted.code === 0) {
		io.out(`removed the scheduled task "${name}"`);
		return EXIT.OK;
	}
	// a missing task is what remove wants; tell it from a refusal by asking once more
	const query = await host.schtasks(['/Query', '/TN', name]);
	if (query.code !== 0) {
		io.out(`no scheduled task "${name}" was registered`);
		return EXIT.OK;
	}
	io.err(`equilybrium: schtasks could not remove the task "${name}" (exit ${deleted.code})${deleted.output ? `: ${deleted.output}` : ''}`);
	return EXIT.FAILED;
}

async function status(name: string, io: Io, host: ScheduleHost): Promise<number> {
	const query = await host.schtasks(['/Query', '/TN', name, '/V', '/FO', 'LIST']);
	if (query.code !== 0) {
		io.out(`not scheduled: no task "${name}" (run "equilybrium schedule install --config DIR")`);
		return EXIT.FOUND;
	}
	io.out(`scheduled: "${name}"`);
	if (query.output) io.out(query.output);
	return EXIT.OK;
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

function nativeHost(): ScheduleHost {
	return { platform: process.platform, execPath: process.execPath, isSea: isSea(), tmpdir: tmpdir(), schtasks };
}

function isSea(): boolean {
	try {
		// node:sea exists from Node 20.12; required lazily so older nodes still load the CLI
		return (require('node:sea') as { isSea(): boolean }).isSea();
	} catch {
		return false;
	}
}
