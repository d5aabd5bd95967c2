import { detectRole, loadConfig, runMonitor, EVENT_TYPES, type FileEvent, type RunResult } from '@equilybrium/core';
import { has, type ParsedArgs } from '../args.ts';
import { EXIT } from '../errors.ts';
import { count, humanBytes, humanDuration, humanShare } from '../format.ts';
import { createProgress } from '../progress.ts';
import { configDir, roleFlag } from './_shared.ts';
import { compareAndReport, comparisonAlarms } from './_report.ts';
import { RunRecording } from './_run-record.ts';
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
	const config = await loadConfig(configDir(args, io));
	for (const warning of config.warnings) io.err(`equilybrium: warning: ${warning}`);
	const role = detectRole(config, io.machine(), roleFlag(args));
	recording.loaded(config, role);
	const tty = Boolean(io.progressStream?.isTTY) && !quiet;
	const progress = createProgress(io.progressStream ?? process.stderr, tty);
	let printed = 0;
	const onEvent = (event: FileEvent) => {
		recording.onEvent(event);
		if (quiet) return;
		printed++;
		if (printed > EVENT_LINES) return;
		progress.clear();
		io.out(eventLine(event));
	};
	const result = await runMonitor({
		config,
		role,
		toolVersion: io.version,
		now: recording.now,
		onEvent,
		onProgress: (p) => progress.update(p),
		signal: io.signal,
		// relative lstats save the kernel's path walk on Linux (the NAS); Windows resolves paths otherwise
		changeDirectory: io.ownsWorkingDirectory === true && process.platform !== 'win32',
	});
	progress.clear();
	recording.ran(result);
	let alarming = result.alarming;
	if (role === 'A' && !result.aborted) {
		const { comparison, section } = await compareAndReport(config, result);
		recording.compared(comparison, section);
		alarming ||= comparisonAlarms(comparison);
		if (!quiet) io.out(section.split('\n')[1]!);
	}
	if (printed > EVENT_LINES) io.out(`  … and ${printed - EVENT_LINES} more: see the equilybrium.${role}.Event.*.log files`);
	io.out(summaryLine(result));
	if (result.aborted) return EXIT.FAILED;
	return alarming ? EXIT.FOUND : EXIT.OK;
}

export function eventLine(event: FileEvent): string {
	return `  ${event.type.padEnd(18)} ${event.key}${event.details ? `  (${event.details})` : ''}`;
}

export function summaryLine(r: RunResult): string {
	const took = humanDuration(r.finishedAt - r.startedAt);
	if (r.aborted) return `${r.role}: stopped after ${count(r.hashedFiles, 'file')} read in ${took}; the database was left as it was, and the next run continues from what was read`;
	const found = EVENT_TYPES.filter((t) => r.counts[t] > 0).map((t) => `${r.counts[t]} ${t}`);
	const head = `${r.role}: ${count(r.files, 'file')}, ${humanBytes(r.bytes)}, ${humanBytes(r.hashedBytes)} read in ${took} (${r.algorithm})`;
	const first = r.firstRun ? ' — first run, database created' : '';
	const algo = r.previousAlgorithm ? ` — re-hashed: the database used ${r.previousAlgorithm}` : '';
	const what = found.length ? ` — ${found.join(', ')}` : r.firstRun ? '' : ' — no changes';
	return head + first + algo + resumedPart(r) + what + coveragePart(r) + (r.alarming ? ' — LOOK AT THIS' : '');
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
	const oldest = c.oldestVerifiedAt !== undefined ? `, oldest ${new Date(c.oldestVerifiedAt).toISOString().slice(0, 10)}` : '';
	return ` — rolling: ${did}${deferred}; ${share}${oldest}`;
}
