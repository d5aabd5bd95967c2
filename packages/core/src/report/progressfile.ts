import { readFile } from 'node:fs/promises';
import type { Role } from '../config/config.ts';

// `run --progress-file FILE`: what a run going on says of itself about once a second, for the
// NAS page. The command line writes it (packages/cli/src/progress-file.ts), the NAS package
// reads it (packages/dsm/src/view.ts): one shape for both.

export const PROGRESS_PHASES = ['listing', 'hashing', 'committing'] as const;
export type ProgressPhase = (typeof PROGRESS_PHASES)[number];

export interface ProgressRecord {
	role: Role;
	startedAt: string;
	updatedAt: string;
	phase: ProgressPhase;
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

/** The progress file, checked field by field; undefined when there is none or it is not one. */
export async function readProgressRecord(file: string): Promise<ProgressRecord | undefined> {
	let value: unknown;
	try {
		value = JSON.parse(await readFile(file, 'utf8'));
	} catch {
		return undefined; // none, or caught between the writer's rename and this read
	}
	if (typeof value !== 'object' || value === null) return undefined;
	const p = value as Record<string, unknown>;
	const count = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
	const optional = (v: unknown) => v === null || count(v);
	if (!(PROGRESS_PHASES as readonly unknown[]).includes(p.phase) || typeof p.startedAt !== 'string' || typeof p.updatedAt !== 'string') return undefined;
	if (![p.files, p.bytes, p.hashedFiles, p.hashedBytes].every(count)) return undefined;
	if (![p.totalFiles, p.totalBytes, p.bytesPerSecond, p.etaSeconds].every(optional)) return undefined;
	return p as unknown as ProgressRecord;
}
