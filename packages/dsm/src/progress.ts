import { readFile, unlink } from 'node:fs/promises';

// The live progress of a run going on (contracts §4): the command line rewrites this file
// about once a second while it runs (`run --progress-file`, given by the daemon) and removes
// it at the end. A run killed hard leaves it behind, so the page shows it only while the
// daemon says a run is going on, and only if it belongs to that run.

export interface Progress {
	role: 'A' | 'B';
	startedAt: string;
	updatedAt: string;
	phase: 'listing' | 'hashing' | 'committing';
	files: number;
	bytes: number;
	hashedFiles: number;
	hashedBytes: number;
	/** From the previous database; null on a first run. */
	totalFiles: number | null;
	totalBytes: number | null;
	bytesPerSecond: number | null;
	etaSeconds: number | null;
}

const PHASES = ['listing', 'hashing', 'committing'];

export async function readProgress(file: string): Promise<Progress | undefined> {
	let value: unknown;
	try {
		value = JSON.parse(await readFile(file, 'utf8'));
	} catch {
		return undefined; // none, or caught between the writer's rename and our read
	}
	if (typeof value !== 'object' || value === null) return undefined;
	const p = value as Record<string, unknown>;
	const count = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
	const optional = (v: unknown) => v === null || count(v);
	if (!PHASES.includes(p.phase as string) || typeof p.startedAt !== 'string' || typeof p.updatedAt !== 'string') return undefined;
	if (![p.files, p.bytes, p.hashedFiles, p.hashedBytes].every(count)) return undefined;
	if (![p.totalFiles, p.totalBytes, p.bytesPerSecond, p.etaSeconds].every(optional)) return undefined;
	return p as unknown as Progress;
}

/** A progress file left by a run that was killed before it could remove it. */
export async function removeProgress(file: string): Promise<void> {
	await unlink(file).catch(() => {});
}

/** Is this the progress of the run the daemon started at `runStartedAt` (not an older one's)? */
export function belongsTo(progress: Progress, runStartedAt: string): boolean {
	return Date.parse(progress.updatedAt) >= Date.parse(runStartedAt) - 1000;
}
