import { open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { AT_RISK, type Comparison } from '../compare/compare.ts';
import { EVENT_TYPES, type EventCounts } from '../events/events.ts';
import type { Role } from '../config/config.ts';
import { RUN_HISTORY_FILE, RUN_RECORD_FILE, TEMPORARY_SUFFIX } from '../config/folder.ts';
import type { RunResult } from '../run/options.ts';

// The run record (SPEC §12): one small JSON file per side that says how its last run ended,
// for the NAS daemon, the settings page and the other side to read instead of parsing the
// command line's English. Written atomically at the end of every run, also a failed one, and
// appended to a short history beside it.

/** The history is cut to its last KEEP lines once it passes CUT_AT: rewritten every 100 runs, not every run. */
const HISTORY_KEEP = 100;
const HISTORY_CUT_AT = 200;

export type RunOutcome = 'ok' | 'found' | 'bad-config' | 'failed' | 'stopped';
export type ExitCode = 0 | 1 | 2 | 3;
export type VerdictStatus = 'ok' | 'at-risk' | 'not-verified';
export const VERDICT_COUNTS = ['backedUp', 'pending', 'missingOnB', 'outdatedOnB', 'corruptedOnB', 'corruptedOnA', 'onlyOnB'] as const;
export type VerdictCounts = Record<(typeof VERDICT_COUNTS)[number], number>;
export type NotificationChannel = 'webhook' | 'email' | 'desktop';

export interface RunVerdict {
	status: VerdictStatus;
	b: 'ok' | 'missing' | 'unsealed' | 'stale';
	bLastRunAt?: string;
	counts: VerdictCounts;
	atRisk: { files: number; bytes: number };
	/** The report section's verdict line, e.g. "BACKUP OK — all …". */
	headline: string;
}

export interface Delivery {
	channel: NotificationChannel;
	ok: boolean;
	detail?: string;
}

export interface RunRecord {
	version: 1;
	role: Role;
	toolVersion: string;
	startedAt: string;
	finishedAt: string;
	durationMs: number;
	exitCode: ExitCode;
	outcome: RunOutcome;
	/** code: a CoreErrorCode, or 'E_USAGE' / 'E_INTERNAL' from the shell. */
	error?: { code: string; message: string };
	/** Monitored folders of this role (0 = none configured). */
	folders: number;
	files: number;
	bytes: number;
	hashedFiles: number;
	hashedBytes: number;
	firstRun: boolean;
	counts: EventCounts;
	/** Files still there that `Exclude` or a filter now leaves out: dropped from M, not FileNotFound (absent: none). */
	noLongerMonitored?: number;
	coverage?: { days: number; share: number; oldestVerifiedAt?: string };
	/** A only, when the comparison ran. */
	verdict?: RunVerdict;
	notifications?: Delivery[];
}

export interface RecordInput {
	role: Role;
	toolVersion: string;
	/** ms since epoch: when the command started, and when it ended. */
	startedAt: number;
	finishedAt: number;
	exitCode: ExitCode;
	folders: number;
	result?: RunResult;
	error?: { code: string; message: string };
	/** The run was stopped (a signal): exit 3, but 'stopped', not 'failed'. */
	stopped?: boolean;
	comparison?: Comparison;
	/** The report section's verdict line (its second line). */
	headline?: string;
}

/** What an exit code means; a run stopped by a signal ends with 3 but is 'stopped', not 'failed'. */
export function outcomeOf(exitCode: ExitCode, stopped: boolean): RunOutcome {
	if (stopped) return 'stopped';
	return (['ok', 'found', 'bad-config', 'failed'] as const)[exitCode];
}

export function buildRunRecord(input: RecordInput): RunRecord {
	const r = input.result;
	const stopped = r?.aborted === true || input.stopped === true;
	const record: RunRecord = {
		version: 1,
		role: input.role,
		toolVersion: input.toolVersion,
		startedAt: iso(r?.startedAt ?? input.startedAt),
		finishedAt: iso(input.finishedAt),
		durationMs: Math.max(0, input.finishedAt - (r?.startedAt ?? input.startedAt)),
		exitCode: input.exitCode,
		outcome: outcomeOf(input.exitCode, stopped),
		folders: input.folders,
		files: r?.files ?? 0,
		bytes: r?.bytes ?? 0,
		hashedFiles: r?.hashedFiles ?? 0,
		hashedBytes: r?.hashedBytes ?? 0,
		firstRun: r?.firstRun ?? false,
		counts: Object.fromEntries(EVENT_TYPES.map((t) => [t, r?.counts[t] ?? 0])) as EventCounts,
	};
	if (input.error) record.error = input.error;
	if (r?.noLongerMonitored) record.noLongerMonitored = r.noLongerMonitored;
	if (r?.coverage) {
		const c = r.coverage;
		record.coverage = { days: c.days, share: c.share, ...(c.oldestVerifiedAt !== undefined ? { oldestVerifiedAt: iso(c.oldestVerifiedAt) } : {}) };
	}
	if (input.comparison) record.verdict = verdictOf(input.comparison, input.headline ?? '');
	return record;
}

/** A-versus-B in the record's terms: at risk first, then whether B could be trusted at all. */
export function verdictOf(c: Comparison, headline: string): RunVerdict {
	// outdatedOnB is read when the comparison has it: the record's shape does not depend on it
	const files = (v: string) => (c.counts as unknown as Partial<Record<string, { files: number; bytes: number }>>)[v] ?? { files: 0, bytes: 0 };
	const atRisk = AT_RISK.reduce((sum, v) => ({ files: sum.files + files(v).files, bytes: sum.bytes + files(v).bytes }), { files: 0, bytes: 0 });
	const status: VerdictStatus = atRisk.files > 0 ? 'at-risk' : c.b === 'ok' ? 'ok' : 'not-verified';
	const verdict: RunVerdict = {
		status,
		b: c.b,
		counts: Object.fromEntries(VERDICT_COUNTS.map((v) => [v, files(v).files])) as VerdictCounts,
		atRisk,
		headline,
	};
	if (c.bRun) verdict.bLastRunAt = c.bRun.finishedAt;
	return verdict;
}

/** Replaces the record (temporary file, flushed, renamed) and appends it to the history. */
export async function writeRunRecord(dir: string, record: RunRecord): Promise<void> {
	await writeFileAtomic(join(dir, RUN_RECORD_FILE(record.role)), JSON.stringify(record, null, 2) + '\n');
	await appendHistory(dir, record);
}

/** The side's last record; undefined when it has none or it is not one this version reads. */
export async function readRunRecord(dir: string, role: Role): Promise<RunRecord | undefined> {
	let text: string;
	try {
		text = await readFile(join(dir, RUN_RECORD_FILE(role)), 'utf8');
	} catch {
		return undefined;
	}
	return parseRecord(text, role);
}

/** The last `limit` records, oldest first (the file's order); lines that do not parse are skipped. */
export async function readRunHistory(dir: string, role: Role, limit = HISTORY_KEEP): Promise<RunRecord[]> {
	let text: string;
	try {
		text = await readTail(join(dir, RUN_HISTORY_FILE(role)), 1 << 20);
	} catch {
		return [];
	}
	const records = text.split('\n').flatMap((line) => {
		const record = line.trim() ? parseRecord(line, role) : undefined;
		return record ? [record] : [];
	});
	return limit > 0 ? records.slice(-limit) : [];
}

/**
 * Written beside and renamed over: a reader sees the old file or the new one, never half, and
 * a power cut after the rename keeps the new one (flushed before).
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
	const temporary = path + TEMPORARY_SUFFIX;
	const file = await open(temporary, 'w');
	try {
		await file.writeFile(text, 'utf8');
		await file.sync();
	} finally {
		await file.close();
	}
	try {
		await rename(temporary, path);
	} catch (error) {
		await unlink(temporary).catch(() => {});
		throw error;
	}
}

// --- internal ---

const iso = (ms: number) => new Date(ms).toISOString();

const RUN_OUTCOMES: readonly RunOutcome[] = ['ok', 'found', 'bad-config', 'failed', 'stopped'];

/**
 * A record read back, checked field by field: the other side's comes through a sync tool from
 * another machine, and a torn or foreign file is "no record", never a page or a message built
 * on half a record.
 */
function parseRecord(text: string, role: Role): RunRecord | undefined {
	let value: unknown;
	try {
		value = JSON.parse(text);
	} catch {
		return undefined;
	}
	if (!isObject(value) || value.version !== 1 || value.role !== role) return undefined;
	if (!isTime(value.startedAt) || !isTime(value.finishedAt)) return undefined;
	if (!RUN_OUTCOMES.includes(value.outcome as RunOutcome) || !isCount(value.exitCode)) return undefined;
	for (const key of ['files', 'bytes', 'hashedFiles', 'hashedBytes', 'folders', 'durationMs']) if (!isCount(value[key])) return undefined;
	if (!isObject(value.counts) || !Object.values(value.counts).every(isCount)) return undefined;
	if (value.verdict !== undefined && !isVerdict(value.verdict)) return undefined;
	if (value.error !== undefined && !(isObject(value.error) && typeof value.error.message === 'string')) return undefined;
	return value as unknown as RunRecord;
}

function isVerdict(value: unknown): boolean {
	return isObject(value) && ['ok', 'at-risk', 'not-verified'].includes(value.status as string) && typeof value.headline === 'string' && value.headline.length < 2000;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** The history is cut to 100-200 lines by its writer; a damaged, huge one is read from its end only. */
async function readTail(path: string, bytes: number): Promise<string> {
	const file = await open(path, 'r');
	try {
		const size = (await file.stat()).size;
		if (size <= bytes) return await file.readFile('utf8');
		const buffer = Buffer.alloc(bytes);
		await file.read(buffer, 0, bytes, size - bytes);
		const text = buffer.toString('utf8');
		return text.slice(text.indexOf('\n') + 1);
	} finally {
		await file.close();
	}
}

async function appendHistory(dir: string, record: RunRecord): Promise<void> {
	const path = join(dir, RUN_HISTORY_FILE(record.role));
	const file = await open(path, 'a');
	try {
		await file.appendFile(JSON.stringify(record) + '\n', 'utf8');
	} finally {
		await file.close();
	}
	const text = await readFile(path, 'utf8');
	const lines = text.split('\n').filter((l) => l !== '');
	if (lines.length > HISTORY_CUT_AT) await writeFileAtomic(path, lines.slice(-HISTORY_KEEP).join('\n') + '\n');
}
