import { renameSync, rmSync, writeFileSync } from 'node:fs';
import type { Progress, ProgressRecord, Role } from '@equilybrium/core';
import { ProgressMeter, type Measure, type Phase } from './progress.ts';

export interface ProgressFileOptions {
	path: string;
	role: Role;
	measure: Measure;
	now?: () => number;
	/** Told once if the file cannot be written: a warning, never a failed run. */
	warn: (message: string) => void;
}

/** How often the file is rewritten while progress comes (and whenever the phase changes). */
const EVERY_MS = 1000;

/**
 * The run's progress in a file, rewritten atomically (a whole new file renamed over the old)
 * about once a second, removed at the end. It is first written at the run's first progress,
 * when the run holds its side's lock: a second run refused by the lock never touches the file
 * of the one going on. A reader should take an `updatedAt` much older than a few seconds for a
 * run that was killed.
 */
export function createProgressFile(options: ProgressFileOptions) {
	const now = options.now ?? Date.now;
	const startedAt = now();
	const meter = new ProgressMeter(startedAt, options.measure);
	const temporary = `${options.path}.tmp`;
	let latest: Progress | undefined;
	let writtenAt = -Infinity;
	let phase: Phase | undefined;
	let written = false;
	let warned = false;
	const write = () => {
		const at = now();
		const view = meter.view(latest, at);
		writtenAt = at;
		phase = view.phase;
		const record: ProgressRecord = {
			role: options.role,
			startedAt: new Date(startedAt).toISOString(),
			updatedAt: new Date(at).toISOString(),
			phase: view.phase,
			files: view.files,
			bytes: view.bytes,
			hashedFiles: view.hashedFiles,
			hashedBytes: view.hashedBytes,
			totalFiles: view.totalFiles ?? null,
			totalBytes: view.totalBytes ?? null,
			bytesPerSecond: view.bytesPerSecond ?? null,
			etaSeconds: view.etaSeconds ?? null,
		};
		try {
			writeFileSync(temporary, JSON.stringify(record) + '\n');
			renameSync(temporary, options.path);
			written = true;
		} catch (error) {
			if (!warned) options.warn(`the progress file ${options.path} cannot be written (${(error as Error).message}); the run goes on`);
			warned = true;
		}
	};
	// the progress the core gives is its own object, updated in place: the timer sees it move
	const timer = setInterval(() => latest && write(), EVERY_MS);
	timer.unref();
	return {
		update(p: Progress) {
			latest = p;
			const changed = (p.committing ? 'committing' : 'hashing') !== phase;
			if (changed || now() - writtenAt >= EVERY_MS) write();
		},
		/** The run is over: the file goes (if this run wrote it). */
		close() {
			clearInterval(timer);
			if (!written) return;
			try {
				rmSync(options.path, { force: true });
				rmSync(temporary, { force: true });
			} catch (error) {
				options.warn(`the progress file ${options.path} cannot be removed (${(error as Error).message})`);
			}
		},
	};
}
