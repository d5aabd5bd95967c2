import { open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RUN_HISTORY_FILE, RUN_RECORD_FILE } from '@equilybrium/core';

// The run records the command line leaves in the config folder (SPEC §12, contracts §1):
// `equilybrium.<role>.last-run.json` for the last run of each side, and one line per run in
// `equilybrium.<role>.run-history.jsonl`. The daemon and the settings page read these files,
// never the command line's text. They come through a sync tool from another machine (A's),
// so every field is checked before the page shows it: a torn or foreign file is "no record".

export type RunOutcome = 'ok' | 'found' | 'bad-config' | 'failed' | 'stopped';
export const RUN_OUTCOMES: readonly RunOutcome[] = ['ok', 'found', 'bad-config', 'failed', 'stopped'];

export interface RunVerdict {
	status: 'ok' | 'at-risk' | 'not-verified';
	b: 'ok' | 'missing' | 'unsealed' | 'stale';
	bLastRunAt?: string;
	counts: Record<string, number>;
	atRisk: { files: number; bytes: number };
	/** The report section's verdict line, e.g. "BACKUP OK — all …". */
	headline: string;
}

export interface RunRecord {
	version: 1;
	role: 'A' | 'B';
	toolVersion: string;
	startedAt: string;
	finishedAt: string;
	durationMs: number;
	exitCode: number;
	outcome: RunOutcome;
	error?: { code: string; message: string };
	folders: number;
	files: number;
	bytes: number;
	hashedFiles: number;
	hashedBytes: number;
	firstRun: boolean;
	/** Every event type, 0 when none. */
	counts: Record<string, number>;
	coverage?: { days: number; share: number; oldestVerifiedAt?: string };
	verdict?: RunVerdict;
	notifications?: { channel: string; ok: boolean; detail?: string }[];
}

/** The side's last run record, or undefined when there is none or it is not one. */
export async function readRunRecord(dir: string, role: 'A' | 'B'): Promise<RunRecord | undefined> {
	let text: string;
	try {
		text = await readFile(join(dir, RUN_RECORD_FILE(role)), 'utf8');
	} catch {
		return undefined;
	}
	return parseRunRecord(text, role);
}

/** The side's last `limit` runs, oldest first (the file's order); lines that are not records are left out. */
export async function readRunHistory(dir: string, role: 'A' | 'B', limit: number): Promise<RunRecord[]> {
	let text: string;
	try {
		text = await readTail(join(dir, RUN_HISTORY_FILE(role)), 1 << 20);
	} catch {
		return [];
	}
	const records: RunRecord[] = [];
	for (const line of text.split('\n')) {
		const record = line.trim() && parseRunRecord(line, role);
		if (record) records.push(record);
	}
	return records.slice(-limit);
}

export function parseRunRecord(text: string, role: 'A' | 'B'): RunRecord | undefined {
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

// --- internal ---

function isVerdict(value: unknown): value is RunVerdict {
	return isObject(value) && ['ok', 'at-risk', 'not-verified'].includes(value.status as string) && typeof value.headline === 'string' && value.headline.length < 2000;
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;
const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** The history is cut to 100-200 lines by its writer; a damaged, huge one is read from its end only. */
async function readTail(path: string, bytes: number): Promise<string> {
	const size = (await stat(path)).size;
	if (size <= bytes) return readFile(path, 'utf8');
	const handle = await open(path, 'r');
	try {
		const buffer = Buffer.alloc(bytes);
		await handle.read(buffer, 0, bytes, size - bytes);
		const text = buffer.toString('utf8');
		return text.slice(text.indexOf('\n') + 1);
	} finally {
		await handle.close();
	}
}
