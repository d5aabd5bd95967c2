import { unlink } from 'node:fs/promises';
import { readProgressRecord, type ProgressRecord } from '@equilybrium/core';

// The live progress of a run going on (contracts §4): the command line rewrites this file
// about once a second while it runs (`run --progress-file`, given by the daemon) and removes
// it at the end. A run killed hard leaves it behind, so the page shows it only while the
// daemon says a run is going on, and only if it belongs to that run.

export type Progress = ProgressRecord;

/** The run's progress file, or undefined (see readProgressRecord). */
export const readProgress = readProgressRecord;

/** A progress file left by a run that was killed before it could remove it. */
export async function removeProgress(file: string): Promise<void> {
	await unlink(file).catch(() => {});
}

/** Is this the progress of the run the daemon started at `runStartedAt` (not an older one's)? */
export function belongsTo(progress: Progress, runStartedAt: string): boolean {
	return Date.parse(progress.updatedAt) >= Date.parse(runStartedAt) - 1000;
}
