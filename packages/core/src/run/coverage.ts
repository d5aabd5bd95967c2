// How fresh a side's files are (Verify = rolling N): the share of them verified within N days,
// counted from every entry a run writes, and the hint it leaves the next run's plan.

import { DAY_MS, toSecond, type RollingHint } from './rolling.ts';

/** Coverage of a run, from every entry written: the share verified within N days. */
export class CoverageCounter {
	files = 0;
	bytes = 0;
	recentFiles = 0;
	recentBytes = 0;
	oldest: number | undefined;
	private oldestSecond: number | undefined;
	private firstSize = 0;

	/** For the next run's plan (see planFromHint); undefined when there are no files. */
	hint(): RollingHint | undefined {
		return this.oldestSecond === undefined ? undefined : { oldestSecond: this.oldestSecond, firstSize: this.firstSize, bytes: this.bytes };
	}

	constructor(
		private now: number,
		private days: number,
	) {}

	/** Whether a verification at `at` counts as within the N days. */
	isRecent(at: number): boolean {
		return this.now - at < this.days * DAY_MS;
	}

	/**
	 * A block of files counted at once, all verified within the N days (see isRecent):
	 * `oldest` is the block's least recent verification, `oldestSize` the size of its first
	 * file verified in that second. The same counts as adding them one by one.
	 */
	addBlock(files: number, bytes: number, oldest: number, oldestSize: number): void {
		this.files += files;
		this.bytes += bytes;
		this.recentFiles += files;
		this.recentBytes += bytes;
		const second = toSecond(oldest);
		if (this.oldestSecond === undefined || second < this.oldestSecond) {
			this.oldestSecond = second;
			this.firstSize = oldestSize;
		}
		if (this.oldest === undefined || oldest < this.oldest) this.oldest = oldest;
	}

	add(size: number, verifiedAt: number): void {
		this.files++;
		this.bytes += size;
		const second = toSecond(verifiedAt);
		// strictly older only: the first in key order of the oldest second is the one kept
		if (this.oldestSecond === undefined || second < this.oldestSecond) {
			this.oldestSecond = second;
			this.firstSize = size;
		}
		if (this.now - verifiedAt < this.days * DAY_MS) {
			this.recentFiles++;
			this.recentBytes += size;
		}
		if (this.oldest === undefined || verifiedAt < this.oldest) this.oldest = verifiedAt;
	}

	result(): Coverage {
		return {
			days: this.days,
			files: this.files,
			verifiedFiles: this.recentFiles,
			bytes: this.bytes,
			verifiedBytes: this.recentBytes,
			share: this.files === 0 ? 1 : this.recentFiles / this.files,
			...(this.oldest !== undefined ? { oldestVerifiedAt: this.oldest } : {}),
		};
	}
}

export interface Coverage {
	days: number;
	files: number;
	/** Files whose content was verified within the last `days` days. */
	verifiedFiles: number;
	bytes: number;
	verifiedBytes: number;
	/** verifiedFiles / files (1 when there are no files). */
	share: number;
	/** The least recent verification of any file (ms since epoch). */
	oldestVerifiedAt?: number;
}
