import type { Progress, ProgressPhase } from '@equilybrium/core';
import { humanBytes, thousands } from './format.ts';

// What a run's progress says, for the terminal line and the live progress file alike: the counts,
// against the previous database's totals when there is one (a share and a time left), and a
// rate over the last seconds.

export type Phase = ProgressPhase;

/**
 * What the share is measured in: bytes read when the run reads every file (`Verify = full`),
 * files walked when it reads only new, changed and due ones (`rolling N`).
 */
export type Measure = 'bytes' | 'files';

/** The run's counts (core's Progress, without what only the core reads) and what this side derives from them. */
export interface ProgressView extends Omit<Progress, 'current' | 'committing'> {
	phase: Phase;
	measure: Measure;
	elapsedMs: number;
	/** 0 to 1, when the total is known; never 1 before the run commits. */
	share?: number;
	bytesPerSecond?: number;
	etaSeconds?: number;
	current?: string;
}

/** The rate is measured over this many last seconds: it follows a change of disk or file size. */
const WINDOW_MS = 10_000;
/** No rate or time left before this much of the run has been seen: the first second is all listing. */
const SETTLE_MS = 2_000;

export class ProgressMeter {
	private samples: { at: number; bytes: number; share: number }[] = [];

	constructor(
		private startedAt: number,
		private measure: Measure,
	) {}

	/** The view of `p` (undefined: nothing reported yet, the run is listing) at `now`. */
	view(p: Progress | undefined, now: number): ProgressView {
		const elapsedMs = Math.max(0, now - this.startedAt);
		if (!p) return { phase: 'listing', measure: this.measure, elapsedMs, files: 0, bytes: 0, hashedFiles: 0, hashedBytes: 0 };
		const view: ProgressView = {
			phase: p.committing ? 'committing' : 'hashing',
			measure: this.measure,
			elapsedMs,
			files: p.files,
			bytes: p.bytes,
			hashedFiles: p.hashedFiles,
			hashedBytes: p.hashedBytes,
		};
		if (p.current !== undefined) view.current = p.current;
		const raw = this.rawShare(p);
		if (p.totalFiles !== undefined && p.totalBytes !== undefined) {
			view.totalFiles = p.totalFiles;
			view.totalBytes = p.totalBytes;
		}
		// this run may see more than the last one did: never "100 %" before it is done
		if (raw !== undefined) view.share = p.committing ? 1 : Math.min(0.99, raw);
		this.sample(now, p.hashedBytes, raw ?? 0);
		const oldest = this.samples[0]!;
		const span = now - oldest.at;
		if (elapsedMs < SETTLE_MS || span <= 0) return view;
		view.bytesPerSecond = Math.round(((p.hashedBytes - oldest.bytes) * 1000) / span);
		if (raw === undefined || raw >= 0.99 || p.committing) return view;
		const sharePerMs = (raw - oldest.share) / span;
		if (sharePerMs > 0) view.etaSeconds = Math.ceil((1 - raw) / sharePerMs / 1000);
		return view;
	}

	private rawShare(p: Progress): number | undefined {
		if (this.measure === 'bytes') return p.totalBytes ? p.hashedBytes / p.totalBytes : undefined;
		return p.totalFiles ? p.files / p.totalFiles : undefined;
	}

	private sample(at: number, bytes: number, share: number): void {
		const last = this.samples.at(-1);
		if (!last || at - last.at >= 250) this.samples.push({ at, bytes, share });
		// keep one sample at least as old as the window, so the rate spans it
		while (this.samples.length > 2 && at - this.samples[1]!.at >= WINDOW_MS) this.samples.shift();
	}
}

/** "0:07", "12:34", "1:02:03": a clock, as restic and rclone show elapsed and remaining time. */
export function clock(ms: number): string {
	const s = Math.floor(ms / 1000);
	const h = Math.floor(s / 3600);
	const mm = String(Math.floor((s % 3600) / 60));
	const ss = String(s % 60).padStart(2, '0');
	return h > 0 ? `${h}:${mm.padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** The terminal's one line for a view, `width` columns at most; the current file is cut from the left. */
export function progressLine(v: ProgressView, width: number): string {
	const parts: string[] = [`[${clock(v.elapsedMs)}]`];
	if (v.phase === 'listing') parts.push('listing the folders…');
	else {
		if (v.share !== undefined && v.phase !== 'committing') parts.push(`${Math.floor(v.share * 100)} %`);
		parts.push(counts(v));
		if (v.bytesPerSecond !== undefined && v.phase !== 'committing') parts.push(`${humanBytes(v.bytesPerSecond)}/s`);
		if (v.etaSeconds !== undefined) parts.push(`${clock(v.etaSeconds * 1000)} left`);
		if (v.phase === 'committing') parts.push('writing the database…');
	}
	const head = parts.join('  ');
	const tail = v.phase === 'hashing' && v.current ? `  ${v.current}` : '';
	if (head.length >= width) return head.slice(0, width);
	const room = width - head.length;
	return head + (tail.length > room ? '  …' + tail.slice(tail.length - room + 3) : tail);
}

function counts(v: ProgressView): string {
	if (v.totalFiles === undefined || v.totalBytes === undefined) {
		// a first run: the listing runs ahead of the reading, and both are worth seeing
		return `${thousands(v.files)} files found, ${thousands(v.hashedFiles)} read (${humanBytes(v.hashedBytes)})`;
	}
	// a run that reads every file is measured in bytes, and they are worth seeing against the total
	const read = v.measure === 'bytes' && v.hashedBytes <= v.totalBytes ? `${humanBytes(v.hashedBytes)} of ${humanBytes(v.totalBytes)} read` : `${humanBytes(v.hashedBytes)} read`;
	return `${thousands(v.files)} of ${thousands(v.totalFiles)} files, ${read}`;
}

export interface ProgressOptions {
	/** The clock (tests give one that moves as they say). */
	now?: () => number;
	measure?: Measure;
}

/**
 * One line redrawn in place on a terminal, nothing otherwise. Drawn at most ten times a second
 * as progress comes, and redrawn every quarter second whatever comes: the clock and the rate
 * move while a large file is read, so the line never looks frozen.
 */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, enabled: boolean, options: ProgressOptions = {}) {
	const now = options.now ?? Date.now;
	const meter = new ProgressMeter(now(), options.measure ?? 'bytes');
	let latest: Progress | undefined;
	let drawnAt = -Infinity;
	let shown = false;
	// a pseudo-terminal nobody sized says 0 columns
	const width = () => Math.max(20, (stream.columns || 80) - 1);
	const draw = () => {
		const at = now();
		if (at - drawnAt < 100) return;
		drawnAt = at;
		stream.write(`\r${progressLine(meter.view(latest, at), width()).padEnd(width())}`);
		shown = true;
	};
	const timer = enabled ? setInterval(draw, 250) : undefined;
	timer?.unref();
	return {
		update(p: Progress) {
			if (!enabled) return;
			latest = p;
			draw();
		},
		/** Draws now if due (the timer's job; tests call it). */
		tick() {
			if (enabled) draw();
		},
		clear() {
			if (shown) stream.write(`\r${' '.repeat(width())}\r`);
			shown = false;
			// the next update draws at once, whatever the clock says
			drawnAt = -Infinity;
		},
		stop() {
			if (timer) clearInterval(timer);
			this.clear();
		},
	};
}
