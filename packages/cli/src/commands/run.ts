import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { detectRole, eventLogsPattern, loadConfig, noFoldersError, noFoldersHeadline, reportNoFolders, runMonitor, EVENT_TYPES, REPORT_FILE, type Config, type FileEvent, type Role, type RunResult } from '@equilybrium/core';
import { flag, has, type ParsedArgs } from '../args.ts';
import { EXIT } from '../errors.ts';
import { count, humanBytes, humanDuration, humanShare, humanTime } from '../format.ts';
import { createProgress, type Measure } from '../progress.ts';
import { createProgressFile } from '../progress-file.ts';
import { configDir, isDryRun, roleFlag } from './_shared.ts';
import { compareAndReport, comparisonAlarms } from './_report.ts';
import { followSchedule } from './schedule.ts';
import { RunRecording } from './_run-record.ts';
import { runHost } from '../machine.ts';
import type { Io } from '../io.ts';

/** Event lines printed before the rest is left to the logs. */
const EVENT_LINES = 50;

/** Every run, whatever its end, leaves its record and tells whom [Notifications] says (_run-record.ts). */
export async function runCommand(args: ParsedArgs, outer: Io): Promise<number> {
	const recording = new RunRecording(args, outer);
	return recording.around(() => monitor(args, recording.io, recording));
}

async function monitor(args: ParsedArgs, io: Io, recording: RunRecording): Promise<number> {
	const quiet = has(args, 'quiet') || has(args, 'json');
	const dryRun = isDryRun(args);
	const newOnly = has(args, 'new-only') || has(args, 'differential-scan');
	const config = await loadConfig(configDir(args, io));
	for (const warning of config.warnings) io.err(`equilybrium: warning: ${warning}`);
	const role = detectRole(config, io.machine(), roleFlag(args));
	recording.loaded(config, role);
	if (!config.roots[role]?.length) {
		// a run that checks nothing says so where it is read, never passing for a quiet night
		io.out(noFoldersHeadline(role));
		throw dryRun ? noFoldersError(config, role) : await reportNoFolders(config, role, recording.now());
	}
	// a dry run writes its database and logs here, outside the config folder, and removes them
	const into = dryRun ? mkdtempSync(join(tmpdir(), 'equilybrium-dry-run-')) : undefined;
	try {
		return await monitorIn(args, io, recording, config, role, { quiet, newOnly, ...(into ? { into } : {}) });
	} finally {
		if (into) removeDryRunFolder(into, io);
	}
}

async function monitorIn(args: ParsedArgs, io: Io, recording: RunRecording, config: Config, role: Role, how: { quiet: boolean; newOnly: boolean; into?: string }): Promise<number> {
	const { quiet, into } = how;
	const dry = into ? { into } : undefined;
	const progress = terminalProgress(args, io, config);
	const progressFile = openProgressFile(args, io, config, role);
	let printed = 0;
	const onEvent = (event: FileEvent) => {
		recording.onEvent(event);
		if (quiet) return;
		printed++;
		// a dry run leaves no log to read the rest in: it prints every event
		if (printed > EVENT_LINES && !dry) return;
		progress.clear();
		io.out(eventLine(event));
	};
	try {
		const result = await runMonitor({
			config,
			role,
			toolVersion: io.version,
			now: recording.now,
			onEvent,
			onProgress: (p) => {
				progress.update(p);
				progressFile?.update(p);
			},
			signal: io.signal,
			host: runHost(io.ownsWorkingDirectory === true),
			...(how.newOnly ? { newOnly: true } : {}),
			...(dry ? { dryRun: dry } : {}),
		});
		progress.stop();
		recording.ran(result);
		let alarming = result.alarming;
		let report: Awaited<ReturnType<typeof compareAndReport>> | undefined;
		if (role === 'A' && !result.aborted) {
			report = await compareAndReport(config, result, dry);
			recording.compared(report.comparison, report.section);
			alarming ||= comparisonAlarms(report.comparison);
		}
		if (printed > EVENT_LINES && !dry) io.out(`  … and ${printed - EVENT_LINES} more: see the ${eventLogsPattern(role)} files`);
		io.out(summaryLine(result, { dryRun: dry !== undefined, newOnly: how.newOnly }));
		if (report) printVerdict(io, report, config.dir, dry !== undefined);
		if (dry) io.out(DRY_RUN_NOTE);
		else if (role === 'A') await followSchedule(config, io); // the task keeps to Schedule A when it changed
		if (result.aborted) return EXIT.FAILED;
		return alarming ? EXIT.FOUND : EXIT.OK;
	} finally {
		progress.stop();
		progressFile?.close();
	}
}

/** What a dry run wrote outside the config folder goes; a failure to remove it changes no exit code. */
function removeDryRunFolder(into: string, io: Io): void {
	try {
		rmSync(into, { recursive: true, force: true, maxRetries: 3 });
	} catch (error) {
		io.err(`equilybrium: warning: the dry run's temporary folder ${into} could not be removed: ${(error as Error).message}`);
	}
}

/** The line drawn on a terminal (not with --quiet): its share measured as the run reads (Verify). */
function terminalProgress(args: ParsedArgs, io: Io, config: Config) {
	const enabled = Boolean(io.progressStream?.isTTY) && !has(args, 'quiet');
	return createProgress(io.progressStream ?? process.stderr, enabled, { measure: measureOf(config), ...(io.now ? { now: io.now } : {}) });
}

/** `--progress-file FILE`: the run's progress for the NAS page (contracts §4). */
function openProgressFile(args: ParsedArgs, io: Io, config: Config, role: Role) {
	const path = flag(args, 'progress-file');
	if (path === undefined) return undefined;
	const warn = (message: string) => io.err(`equilybrium: warning: ${message}`);
	return createProgressFile({ path: resolve(io.cwd, path), role, measure: measureOf(config), warn, ...(io.now ? { now: io.now } : {}) });
}

/** A run reading every file is measured in bytes read; one reading what changed or is due, in files walked. */
const measureOf = (config: Config): Measure => (config.verify.mode === 'full' ? 'bytes' : 'files');

/**
 * A's verdict, and the "What to do" it announces, with the first files of each list: printed
 * with --quiet too (a scheduled task's log must say what is at risk). The report has the rest.
 */
export function printVerdict(io: Io, report: { section: string; todo: string[] }, dir: string, dryRun = false): void {
	io.out(report.section.split('\n')[1]!);
	if (report.todo.length === 0) return;
	io.out('');
	for (const line of report.todo) io.out(line);
	if (!dryRun) io.out(`The whole report: ${join(dir, REPORT_FILE)} ("equilybrium report" prints it).`);
}

/** The last line of a dry run: what it did not do. */
export const DRY_RUN_NOTE = 'Dry run: nothing was written in the config folder (no database, event log, report, run record or checkpoint) and no notification was sent.';

export function eventLine(event: FileEvent): string {
	return `  ${event.type.padEnd(18)} ${event.key}${event.details ? `  (${event.details})` : ''}`;
}

export function summaryLine(r: RunResult, how: { dryRun?: boolean; newOnly?: boolean } = {}): string {
	const took = humanDuration(r.finishedAt - r.startedAt);
	if (r.aborted) return `${r.role}: stopped after ${count(r.hashedFiles, 'file')} read in ${took}; the database was left as it was, and the next run continues from what was read`;
	const found = EVENT_TYPES.filter((t) => r.counts[t] > 0).map((t) => `${r.counts[t]} ${t}`);
	const head = `${r.role}: ${count(r.files, 'file')}, ${humanBytes(r.bytes)}, ${humanBytes(r.hashedBytes)} read in ${took} (${r.algorithm})`;
	const first = r.firstRun ? (how.dryRun ? ' — first run (dry run: no database created)' : ' — first run, database created') : '';
	const only = how.newOnly && !r.firstRun ? ' — new files only (--new-only): known files were not read' : '';
	const algo = r.previousAlgorithm ? ` — re-hashed: the database used ${r.previousAlgorithm}` : '';
	const what = found.length ? ` — ${found.join(', ')}` : r.firstRun ? '' : ' — no changes';
	// still on disk, left out by the config now (SPEC §3): not removed, so not a FileNotFound
	const left = r.noLongerMonitored ? ` — ${count(r.noLongerMonitored, 'file')} no longer monitored (left out by the config)` : '';
	return head + first + only + algo + resumedPart(r) + what + left + coveragePart(r) + (r.alarming ? ' — LOOK AT THIS' : '');
}

function resumedPart(r: RunResult): string {
	return r.resumedFiles > 0 ? ` — continued a stopped run (${count(r.resumedFiles, 'file')} taken from its checkpoint)` : '';
}

/** Verify = rolling N: what this run re-verified, and how fresh the whole tree is. */
export function coveragePart(r: RunResult): string {
	const c = r.coverage;
	if (!c) return '';
	const rolling = r.rolling;
	const did = rolling ? `${count(rolling.verifiedFiles, 'unchanged file')} re-verified (${humanBytes(rolling.verifiedBytes)})` : '';
	const deferred = rolling && rolling.deferredFiles > 0 ? `, ${rolling.deferredFiles} left for the next run (Max run time)` : '';
	const share = `${humanShare(c.share)} verified within ${c.days} days`;
	const oldest = c.oldestVerifiedAt !== undefined ? `, oldest ${humanTime(c.oldestVerifiedAt).slice(0, 10)}` : '';
	return ` — rolling: ${did}${deferred}; ${share}${oldest}`;
}
