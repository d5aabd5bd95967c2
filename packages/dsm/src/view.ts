import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CONFIG_FILE, latestReportSection } from '@equilybrium/core';
import type { DsmPaths } from './env.ts';
import { resolveConfigFolder } from './folder.ts';
import { notificationsOf } from './notifications.ts';
import { belongsTo, readProgress, type Progress } from './progress.ts';
import { readRunHistory, readRunRecord, type RunRecord } from '@equilybrium/core';
import { daemonAlive, readStatus, type LastRun, type Status } from './status.ts';

// What the page's overview shows, in the order a person asks: is my backup complete (A's
// verdict, as the report's first line says it, and how old it is), did this NAS check its
// files (B's last run, or the run going on and how far it is), and the runs before.
// Everything is read from files: the report and the run records in the config folder, the
// daemon's status and the live progress in the package's var folder.

export const HISTORY_LENGTH = 30;

export type Tone = 'ok' | 'warn' | 'risk';

export interface VerdictView {
	headline: string;
	tone: Tone;
	/** When A's run that gave it ended. */
	at: string;
}

export interface RunView extends Omit<LastRun, 'reason'> {
	reason?: LastRun['reason'];
}

export interface StatusView {
	now: string;
	/** The NAS's own time zone: the page shows every time in it, wherever the browser is. */
	clock: { timeZone: string | null; offsetMinutes: number };
	configDir: string | null;
	folderProblem: string | null;
	verdict: VerdictView | null;
	a: { lastRunAt: string | null; outcome: string | null; message: string | null; stale: boolean; staleAfterDays: number };
	b: { lastRun: RunView | null };
	daemon: (Status & { alive: boolean }) | null;
	progress: Progress | null;
	history: RunView[];
	report: string | null;
	runRequested: boolean;
}

export async function statusView(paths: DsmPaths, now = Date.now()): Promise<StatusView> {
	const status = await readStatus(paths.statusFile);
	const alive = await daemonAlive(status);
	const folder = await resolveConfigFolder(paths);
	const dir = folder.ok ? folder.dir : undefined;
	const [section, recordA, recordB, history, ini] = dir
		? await Promise.all([latestReportSection(dir), readRunRecord(dir, 'A'), readRunRecord(dir, 'B'), readRunHistory(dir, 'B', HISTORY_LENGTH), readFile(join(dir, CONFIG_FILE), 'utf8').catch(() => '')])
		: [undefined, undefined, undefined, [], ''];
	const staleAfterDays = notificationsOf(ini).staleAfter;
	const verdict = verdictOf(section, recordA);
	const aLastRunAt = latest(recordA?.finishedAt, section ? new Date(section.at).toISOString() : undefined);
	const running = alive && status?.state === 'running' ? status.running : undefined;
	const progress = running ? await readProgress(paths.progressFile) : undefined;
	return {
		now: new Date(now).toISOString(),
		clock: clock(),
		configDir: dir ?? null,
		folderProblem: folder.ok ? null : folder.problem,
		verdict: verdict ?? null,
		a: {
			lastRunAt: aLastRunAt ?? null,
			outcome: recordA?.outcome ?? null,
			message: recordA?.error?.message ?? null,
			stale: aLastRunAt !== undefined && now - Date.parse(aLastRunAt) > staleAfterDays * 86_400_000,
			staleAfterDays,
		},
		b: { lastRun: lastRunOfB(status?.lastRun, recordB) ?? null },
		daemon: status ? { ...status, alive } : null,
		progress: progress && running && belongsTo(progress, running.startedAt) ? progress : null,
		history: history.map(runViewOf).reverse(),
		report: section?.text.trimEnd() ?? null,
		runRequested: await exists(paths.runNowFile),
	};
}

/** A run record as the page shows a run: the events found, not the zeros. */
export function runViewOf(record: RunRecord): RunView {
	const view: RunView = {
		startedAt: record.startedAt,
		finishedAt: record.finishedAt,
		durationMs: record.durationMs,
		outcome: record.outcome,
		exitCode: record.exitCode,
		counts: Object.fromEntries(Object.entries(record.counts).filter(([, n]) => n > 0)),
		files: record.files,
		bytes: record.bytes,
		hashedFiles: record.hashedFiles,
		hashedBytes: record.hashedBytes,
		firstRun: record.firstRun,
	};
	if (record.error) view.message = record.error.message;
	return view;
}

/** The report's first line says it in words; its first word sets the colour. */
export function toneOf(headline: string, status?: string): Tone {
	if (/^BACKUP OK\b/.test(headline)) return 'ok';
	if (/^ACTION NEEDED\b/.test(headline)) return 'risk';
	if (/^[A-Z][A-Z ]+ —/.test(headline)) return 'warn';
	return status === 'ok' ? 'ok' : status === 'at-risk' ? 'risk' : 'warn';
}

// --- internal ---

/** The newer of A's last report section and A's run record with a verdict (the same run, usually). */
function verdictOf(section: { text: string; at: number } | undefined, record: RunRecord | undefined): VerdictView | undefined {
	const fromSection = section && { headline: section.text.split('\n')[1]?.trim() ?? '', at: new Date(section.at).toISOString() };
	const fromRecord = record?.verdict && { headline: record.verdict.headline, at: record.finishedAt, status: record.verdict.status };
	const chosen: { headline: string; at: string; status?: string } | undefined =
		fromRecord && (!fromSection || Date.parse(fromRecord.at) >= Date.parse(fromSection.at)) ? fromRecord : fromSection;
	if (!chosen || chosen.headline === '') return undefined;
	return { headline: chosen.headline, tone: toneOf(chosen.headline, chosen.status), at: chosen.at };
}

/**
 * B's last run: the daemon's (which knows why it ran, and what a run that left no record
 * said), unless the record is newer: a run started by hand on the NAS.
 */
function lastRunOfB(daemon: LastRun | undefined, record: RunRecord | undefined): RunView | undefined {
	if (!record) return daemon;
	if (daemon && Date.parse(daemon.finishedAt) >= Date.parse(record.finishedAt)) return daemon;
	return runViewOf(record);
}

function latest(...times: (string | undefined)[]): string | undefined {
	return times.filter((t): t is string => t !== undefined).sort((a, b) => Date.parse(b) - Date.parse(a))[0];
}

function clock(): StatusView['clock'] {
	const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
	return { timeZone: zone && zone !== 'Etc/Unknown' ? zone : null, offsetMinutes: -new Date().getTimezoneOffset() };
}

async function exists(file: string): Promise<boolean> {
	try {
		await stat(file);
		return true;
	} catch {
		return false;
	}
}
