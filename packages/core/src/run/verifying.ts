// Verify = rolling N, for one run: what it plans to verify again (rolling.ts), which of the
// old entries that picks, what it did, and the coverage of what it writes (coverage.ts).

import type { Config } from '../config/config.ts';
import type { OpenedDb, StoredEntry } from '../db/index.ts';
import { CoverageCounter } from './coverage.ts';
import type { RollingSummary } from './options.ts';
import { planFromBlocks, planFromHint, planRollingBatches, RollingSelector, type RollingHint, type RollingInput, type RollingPlan, type Verified } from './rolling.ts';

/** An old entry, and whether rolling verification picked it this run. */
export type OldEntry = StoredEntry & { due?: boolean };

export class RollingRun {
	readonly summary: RollingSummary = { plannedFiles: 0, plannedBytes: 0, verifiedFiles: 0, verifiedBytes: 0, deferredFiles: 0 };
	readonly coverage: CoverageCounter;
	/** One for the run: the old entries reach it in key order, whichever reader reads them. */
	private selector: RollingSelector | undefined;

	private constructor(
		startedAt: number,
		days: number,
		/** None when there is nothing to verify again: a first run, or a database of another algorithm. */
		private plan: RollingPlan | undefined,
	) {
		this.coverage = new CoverageCounter(startedAt, days);
		if (plan) {
			this.summary.plannedFiles = plan.files;
			this.summary.plannedBytes = plan.bytes;
			this.selector = new RollingSelector(plan);
		}
	}

	/** The run's rolling verification, or undefined with Verify = full. */
	static async start(config: Config, previous: OpenedDb | undefined, sameAlgorithm: boolean, startedAt: number): Promise<RollingRun | undefined> {
		const verify = config.verify;
		if (verify.mode !== 'rolling') return undefined;
		if (!previous || !sameAlgorithm) return new RollingRun(startedAt, verify.days, undefined);
		const input = {
			now: startedAt,
			days: verify.days,
			previousRunAt: Date.parse(previous.run.startedAt) || 0,
			...(config.maxBytes !== undefined ? { maxBytes: config.maxBytes } : {}),
		};
		// most runs of an unchanged tree have nothing due, and the hint proves it; otherwise the
		// blocks that can hold what is due are read (oldest first), or, if that is most of them, all
		const hint = previous.run.rollingHint as RollingHint | undefined;
		const plan =
			(hint && planFromHint(hint, input)) ??
			(await planOfBlocks(previous, input)) ??
			(await planRollingBatches(previous.verifiedBatches(), previous.run.count, input));
		return new RollingRun(startedAt, verify.days, plan);
	}

	/** Marks each old entry, in key order, as due for verification again or not. */
	async *withDue(batches: AsyncGenerator<StoredEntry[]>): AsyncGenerator<OldEntry[]> {
		const selector = this.selector;
		for await (const batch of batches) {
			if (selector) for (const entry of batch) if (selector.due(entry.verifiedAt)) (entry as OldEntry).due = true;
			yield batch;
		}
	}

	/**
	 * Whether a block whose least recent verification is `oldest` may hold a file the plan
	 * picks: one verified before the plan's boundary second, or in it while the plan still
	 * takes files of that second (in key order, see RollingSelector). A block that may not is
	 * skipped whole: the selector would have passed over all its files unchanged.
	 */
	mayBeDue(oldest: number): boolean {
		const plan = this.plan;
		if (!plan || (plan.files === 0 && plan.ties === 0)) return false;
		const second = Math.floor(oldest / 1000);
		return second < plan.beforeSecond || (second === plan.beforeSecond && this.selector!.tiesLeft > 0);
	}
}

/** The plan from the database's blocks (see planFromBlocks); undefined without their facts. */
async function planOfBlocks(previous: OpenedDb, input: RollingInput): Promise<RollingPlan | undefined> {
	const listed = previous.blocks;
	if (!listed) return undefined;
	const blocks = Array.from({ length: listed.count }, (_, b) => listed.block(b));
	return planFromBlocks(blocks, async (b) => {
		const out: Verified[] = [];
		for await (const batch of previous.block(b, (reader) => reader.verified())) out.push(...batch);
		return out;
	}, input);
}
