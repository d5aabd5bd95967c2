import { existsSync } from 'node:fs';
import { stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { rootsOf, type Config, type Role, type Root } from '../config/config.ts';
import { openDb, DbWriter, sealAfter, type DbEntry, type DbReader, type DbRun, type OpenedDb, type StoredEntry } from '../db/index.ts';
import { BatchCursor } from '../files/cursor.ts';
import { configError } from '../errors.ts';
import { ALARMING, corruptedEvent, emptyCounts, modifiedEvent, movedEvent, type EventCounts, type FileEvent } from '../events/events.ts';
import { EventLogWriter } from '../events/eventlog.ts';
import { hashFile, FileChangingError, type HashedFile } from '../hashing/hash.ts';
import { ChangedDigests, HashIndex, SharedPrefixes } from './hashindex.ts';
import { HashPool } from '../hashing/pool.ts';
import type { FolderRequest } from '../scan/folder.ts';
import type { FolderStats } from '../scan/folder.ts';
import { fromStats, ListingSkip, type GivenBack } from './skip.ts';
import type { RunHost } from '../host.ts';
import { CheckpointReader, CheckpointWriter, removeCheckpoints } from './checkpoint.ts';
import { CHECKPOINT_SUFFIXES, checkpointFile, dbFileName, scratchFileName } from '../config/folder.ts';
import { CoverageCounter, planFromBlocks, planFromHint, planRollingBatches, RollingSelector, type Coverage, type RollingHint, type RollingInput, type RollingPlan, type Verified } from './rolling.ts';
import { BufferedFile } from '../files/buffered.ts';
import { readLines } from '../files/lines.ts';
import { acquireLock, type LockOwner } from './lock.ts';
import { enterCommonFolder } from '../scan/workdir.ts';
import { compareKeys, describe, listingHere, scanFolders, statListed, type FolderRun, type ListedFile, type ListedItem, type ScanItem, type ScannedFile, type ScanProblem } from '../scan/scan.ts';

export interface RunOptions {
	config: Config;
	role: Role;
	toolVersion: string;
	/** The clock, injectable for deterministic tests (ms since epoch). */
	now?: () => number;
	signal?: AbortSignal;
	onEvent?: (event: FileEvent) => void;
	onProgress?: (progress: Progress) => void;
	/** Files read at once on the main thread (when there are no workers). */
	concurrency?: number;
	/** Overrides the config's `Workers`: hashing threads, 0 = the main thread. */
	workers?: number;
	/** How often the checkpoint is handed to the OS (ms; default 2000). Tests kill runs. */
	checkpointFlushMs?: number;
	/** The machine and the process the run runs in, as the shell found them. */
	host: RunHost;
}

export interface Progress {
	files: number;
	bytes: number;
	hashedFiles: number;
	hashedBytes: number;
	/** The files and bytes the previous database held: what this run will likely see (unknown on a first run). */
	totalFiles?: number;
	totalBytes?: number;
	current?: string;
	/** Every file is settled: the run is finding moves, writing and sealing its database. */
	committing?: boolean;
}

export interface RunResult {
	role: Role;
	startedAt: number;
	finishedAt: number;
	algorithm: string;
	/** Files whose digest came from the checkpoint of a stopped run instead of being read again. */
	resumedFiles: number;
	/** Files found unchanged a block at a time (listing digests), not compared one by one. */
	skippedFiles: number;
	/** Set when the database was made with another algorithm and every file was re-hashed. */
	previousAlgorithm?: string;
	firstRun: boolean;
	files: number;
	bytes: number;
	hashedFiles: number;
	hashedBytes: number;
	counts: EventCounts;
	/** Something a person must look at: corruption, unreadable files, hash collisions. */
	alarming: boolean;
	aborted: boolean;
	tookOverLockFrom?: LockOwner;
	/** Verify = rolling N: what was planned and done, and how fresh the whole tree is. */
	rolling?: RollingSummary;
	coverage?: Coverage;
}

export interface RollingSummary {
	plannedFiles: number;
	plannedBytes: number;
	/** Unchanged files re-hashed for rolling verification this run. */
	verifiedFiles: number;
	verifiedBytes: number;
	/** Due files left for the next run because Max run time was reached. */
	deferredFiles: number;
}

/**
 * One monitoring run of one side: scan, hash, compare with the previous database as two
 * sorted streams, emit events, write the new database. Memory grows with what changed,
 * never with the number of files.
 */
export async function runMonitor(options: RunOptions): Promise<RunResult> {
	const { config, role } = options;
	const now = options.now ?? Date.now;
	const roots = rootsOf(config, role);
	await checkRoots(config, role, roots);
	const lock = await acquireLock(config.dir, role);
	try {
		return await new Monitor(options, roots, now).run(lock.tookOverFrom);
	} finally {
		await lock.release();
	}
}

// --- internal ---

/** `verifiedAt` is set when the digest comes from a stopped run's checkpoint. */
type HashOutcome = { ok: true; file: HashedFile; verifiedAt?: number } | { ok: false; reason: string; vanished?: boolean };

/** A file the merge decided to hash: `outcome` is set when its digest (or failure) is in. */
interface Hashing {
	file: ScannedFile;
	outcome?: HashOutcome;
}

type Work =
	| ({ kind: 'new' } & Hashing)
	| ({ kind: 'both'; old: StoredEntry; hash: boolean; rolling?: boolean } & Hashing)
	| { kind: 'keep'; old: StoredEntry }
	| { kind: 'problem'; problem: ScanProblem; old?: StoredEntry };

/**
 * A folder's run of files, merged with the old database: settled in order once every
 * digest it waits for is in. One promise per unit, not per file.
 */
interface Unit {
	items: Work[];
	/** The items to hash, until hashing starts. */
	files: Hashing[];
	/** Files sent to be hashed; the unit is ready when `hashed` settles. */
	hashing: number;
	hashed?: Promise<void>;
	ready: boolean;
}

interface Candidate {
	key: string;
	size: number;
	hash: string;
}

const CHANGED = 1;
/** Files sent to the threads and not settled yet: deep enough to keep them fed. */
const WORKER_WINDOW = 2048;
/** A unit is cut at this many files or bytes to hash, so progress and settling keep moving. */
const UNIT_FILES = 256;
const UNIT_BYTES = 8 << 20;

/** An old entry, and whether rolling verification picked it this run. */
type OldEntry = StoredEntry & { due?: boolean };

class Monitor {
	private counts = emptyCounts();
	private progress: Progress = { files: 0, bytes: 0, hashedFiles: 0, hashedBytes: 0 };
	private index = new HashIndex();
	private changedDigests = new ChangedDigests();
	/**
	 * An index of every entry during the run (17 bytes each): for a first run, where every entry
	 * is new. With a small heap, it is built after the commit instead, when the threads and the
	 * run's buffers are gone, from the prefixes of what changed (4 bytes each meanwhile).
	 */
	private get denseIndex(): boolean {
		return !this.previous && !this.lowMemory;
	}
	private lowMemory: boolean;
	/** Entries put in the new database so far (an entry's place in it). */
	private position = 0;
	/** Files whose listing matched the database's, block by block (not compared one by one). */
	private skipped = 0;
	private log!: EventLogWriter;
	private dbPath: string;
	private previous: OpenedDb | undefined;
	private sameAlgorithm = true;
	private startedAt: number;
	private newScratch: BufferedFile | undefined;
	private goneScratch: BufferedFile | undefined;
	private pool: HashPool | undefined;
	private scan!: AsyncGenerator<FolderRun>;
	/** The scan's own generator, started before the run takes from `scan`. */
	private listing: AsyncGenerator<FolderRun> | undefined;
	/** Root label → the device it is on, for per-disk read scheduling. */
	private devices = new Map<string, string>();
	private rollingPlan: RollingPlan | undefined;
	private selector: RollingSelector | undefined;
	private resume: CheckpointReader | undefined;
	private journal: CheckpointWriter | undefined;
	private rolling: RollingSummary | undefined;
	private coverage: CoverageCounter | undefined;

	constructor(
		private options: RunOptions,
		private roots: Root[],
		private now: () => number,
	) {
		this.dbPath = join(options.config.dir, dbFileName(options.role));
		this.startedAt = now();
		this.lowMemory = options.host.lowMemory;
	}

	private scratchPath(name: 'new' | 'gone'): string {
		return join(this.options.config.dir, scratchFileName(this.options.role, name));
	}

	async run(tookOverFrom: LockOwner | undefined): Promise<RunResult> {
		await this.startPool();
		const moves = this.options.host.workingDirectory;
		const workdir = moves ? enterCommonFolder(this.roots, moves) : undefined;
		this.pool?.openFrom(workdir?.path);
		// the listing (on the threads, with its lstat) starts now, before the database is opened
		this.scan = this.openScan(workdir?.statBases);
		try {
			return await this.runScanned(tookOverFrom);
		} finally {
			await this.scan.return(undefined).catch(() => {});
			// a run that ended before taking its first folder (a damaged database) ends its listing too
			await this.listing?.return(undefined).catch(() => {});
			await this.pool?.close();
			workdir?.leave();
		}
	}

	/**
	 * The scan, started: with threads, folders are listed on them a few folders ahead of the
	 * merge, and with a database or checkpoint whose files must be compared by size and mtime,
	 * their files stat'ed there too (a first run stats nothing: all is new, and the thread that
	 * hashes a file stats it); the first folders are listed before the database is opened.
	 */
	private openScan(statBases: ReadonlyMap<string, string> | undefined): AsyncGenerator<FolderRun> {
		const { config, role } = this.options;
		const checkpoint = join(config.dir, checkpointFile(role));
		const known = existsSync(this.dbPath) || existsSync(checkpoint) || existsSync(checkpoint + CHECKPOINT_SUFFIXES.NEXT);
		const pool = this.pool;
		// without threads, this one lists (and stats, but for a first run)
		const lister = pool ? { list: (request: FolderRequest) => pool.listFolder(request, known), ahead: this.lowMemory ? 2 : LIST_AHEAD, stat: known } : listingHere(known);
		const scan = scanFolders(this.roots, config.exclude, lister, statBases);
		this.listing = scan;
		const first = scan.next();
		first.catch(() => {}); // seen, and thrown, where the merge awaits it
		return (async function* () {
			const head = await first;
			if (head.done) return;
			yield head.value;
			yield* scan;
		})();
	}

	private async runScanned(tookOverFrom: LockOwner | undefined): Promise<RunResult> {
		const { config, role } = this.options;
		// the seal is checked once the run is set up, beside the merge; nothing is committed before it is
		let setUp!: () => void;
		this.previous = await openDb(this.dbPath, { sealer: sealAfter(new Promise<void>((resolve) => (setUp = resolve))), lowMemory: this.lowMemory });
		if (this.previous) Object.assign(this.progress, { totalFiles: this.previous.run.count, totalBytes: this.previous.run.bytes });
		await EventLogWriter.recover(config.dir, role, this.previous?.run.startedAt);
		this.log = await EventLogWriter.open(config.dir, role, new Date(this.startedAt).toISOString(), this.lowMemory);
		this.sameAlgorithm = !this.previous || this.previous.header.algorithm === config.algorithm;
		const writer = await DbWriter.create(this.dbPath, { role, algorithm: config.algorithm }, this.sameAlgorithm ? this.previous : undefined, this.lowMemory);
		if (this.previous) {
			this.newScratch = await BufferedFile.create(this.scratchPath('new'), undefined, this.lowMemory);
			this.goneScratch = await BufferedFile.create(this.scratchPath('gone'), undefined, this.lowMemory);
		}
		let aborted = false;
		let committed = false;
		try {
			// open (and merge) the old checkpoint before the new one is started over it
			this.resume = await CheckpointReader.open(config.dir, role, config.algorithm, this.previous?.run.startedAt);
			this.journal = await CheckpointWriter.create(config.dir, role, config.algorithm, new Date(this.startedAt).toISOString(), { flushMs: this.options.checkpointFlushMs, lowMemory: this.lowMemory });
			await this.planRolling();
			setUp();
			aborted = await this.merge(writer);
			if (aborted) {
				await writer.discard();
			} else {
				// nothing is left to hash or list: the threads end while the run commits
				const closing = this.pool?.close();
				await this.settleMovesAndNew();
				await this.previous?.sealed;
				await writer.finish({
					startedAt: new Date(this.startedAt).toISOString(),
					finishedAt: new Date(this.now()).toISOString(),
					toolVersion: this.options.toolVersion,
					roots: this.roots,
					counts: this.counts,
					...(this.coverage ? { coverage: this.coverage.result(), rolling: this.rolling, rollingHint: this.coverage.hint() } : {}),
				});
				// their memory goes before the collision index is sorted
				await closing;
				await this.findCollisions(writer.pending);
				// every event on the disk before the commit that makes them due (SPEC §13)
				await this.log.prepare();
				await writer.publish();
				committed = true;
			}
		} catch (error) {
			await writer.discard();
			// a database that fails its seal explains whatever went wrong reading it
			setUp();
			await this.previous?.sealed;
			throw error;
		} finally {
			// stopped or failed: the checkpoint stays for the next run to continue from
			await this.resume?.close().catch(() => {});
			// committed, the journal is removed: its last lines need not reach the disk first
			if (committed) await this.journal?.discard().catch(() => {});
			else await this.journal?.close().catch(() => {});
			await this.newScratch?.close().catch(() => {});
			await this.goneScratch?.close().catch(() => {});
			await unlink(this.scratchPath('new')).catch(() => {});
			await unlink(this.scratchPath('gone')).catch(() => {});
			if (committed) await removeCheckpoints(config.dir, role);
			if (!committed) await this.log.discard();
		}
		// committed: the events go to their logs (a failure here leaves them for the next run)
		if (committed) this.log.commit();
		const result: RunResult = {
			role,
			startedAt: this.startedAt,
			finishedAt: this.now(),
			algorithm: config.algorithm,
			firstRun: !this.previous,
			files: this.progress.files,
			bytes: this.progress.bytes,
			hashedFiles: this.progress.hashedFiles,
			hashedBytes: this.progress.hashedBytes,
			resumedFiles: this.resume?.used ?? 0,
			skippedFiles: this.skipped,
			counts: this.counts,
			alarming: [...ALARMING].some((type) => this.counts[type] > 0),
			aborted,
		};
		if (!this.sameAlgorithm) result.previousAlgorithm = this.previous!.header.algorithm;
		if (tookOverFrom) result.tookOverLockFrom = tookOverFrom;
		if (this.rolling) result.rolling = this.rolling;
		if (this.coverage && !aborted) result.coverage = this.coverage.result();
		return result;
	}

	private async planRolling(): Promise<void> {
		const verify = this.options.config.verify;
		if (verify.mode !== 'rolling') return;
		this.coverage = new CoverageCounter(this.startedAt, verify.days);
		this.rolling = { plannedFiles: 0, plannedBytes: 0, verifiedFiles: 0, verifiedBytes: 0, deferredFiles: 0 };
		if (!this.previous || !this.sameAlgorithm) return;
		const input = {
			now: this.startedAt,
			days: verify.days,
			previousRunAt: Date.parse(this.previous.run.startedAt) || 0,
			...(this.options.config.maxBytes !== undefined ? { maxBytes: this.options.config.maxBytes } : {}),
		};
		// most runs of an unchanged tree have nothing due, and the hint proves it; otherwise the
		// blocks that can hold what is due are read (oldest first), or, if that is most of them, all
		const hint = this.previous.run.rollingHint as RollingHint | undefined;
		this.rollingPlan =
			(hint && planFromHint(hint, input)) ??
			(await this.planFromBlocks(input)) ??
			(await planRollingBatches(this.previous.verifiedBatches(), this.previous.run.count, input));
		this.rolling.plannedFiles = this.rollingPlan.files;
		this.rolling.plannedBytes = this.rollingPlan.bytes;
	}

	/** The rolling plan from the database's blocks (see planFromBlocks); undefined without their facts. */
	private async planFromBlocks(input: RollingInput): Promise<RollingPlan | undefined> {
		const previous = this.previous!;
		const listed = previous.blocks;
		if (!listed) return undefined;
		const blocks = Array.from({ length: listed.count }, (_, b) => listed.block(b));
		return planFromBlocks(blocks, async (b) => {
			const out: Verified[] = [];
			for await (const batch of previous.block(b, (reader) => reader.verified())) out.push(...batch);
			return out;
		}, input);
	}

	private async startPool(): Promise<void> {
		const { config } = this.options;
		const wanted = this.options.workers ?? config.workers;
		const { host } = this.options;
		const workers = wanted === 'auto' ? host.cores : wanted;
		const sequential = new Set<string>();
		for (const root of this.roots) {
			const disk = await host.diskOf(root.path);
			this.devices.set(root.label, disk.device);
			const spins = config.diskReads === 'sequential' || (config.diskReads === 'auto' && disk.rotational === true);
			if (spins) sequential.add(disk.device);
		}
		// a small heap (the launchers' low-memory flags): one thread does all, each costs ~15 MB
		this.pool = HashPool.create({ workers: host.lowMemory ? Math.min(1, workers) : workers, algorithm: config.algorithm, blockSize: config.blockSize, sequential, lowMemory: host.lowMemory });
	}

	/** Walks the scan and the old database together; returns true if aborted. */
	private async merge(writer: DbWriter): Promise<boolean> {
		const signal = this.options.signal;
		const previous = this.previous;
		let skipping = previous?.blocks && this.maySkip(writer) ? new ListingSkip(previous.blocks) : undefined;
		let skippedBlocks = 0;
		// the old entries are read from the first block not skipped, once the merge needs them
		let reader: DbReader | undefined;
		const self = this;
		async function* oldBatches(): AsyncGenerator<OldEntry[]> {
			const from = skipping?.blocksSkipped ?? skippedBlocks;
			// every block skipped: no entry left to read
			if (!previous || previous.entriesFrom(from) === 0) return;
			reader = previous.reader(from);
			yield* self.withDue(reader.batches());
		}
		const old = new BatchCursor<OldEntry>(oldBatches());
		const scan = this.scan;
		const units: Unit[] = [];
		let hashing = 0;
		const window = this.pool ? (this.lowMemory ? WORKER_WINDOW / 4 : WORKER_WINDOW) : 2 * this.hereWidth;
		// settles ready units in order; with `until`, also waits for units until fewer than that are hashing
		const settleReady = async (until: number): Promise<boolean> => {
			while (units.length > 0) {
				const unit = units[0]!;
				if (!unit.ready) {
					if (hashing < until) return false;
					// a large file can take minutes: a stop must not wait for its digest
					if (signal ? await settledOrStopped(unit.hashed!, signal) : (await unit.hashed, false)) return true;
				}
				if (signal?.aborted) return true;
				// a stop in the middle of a unit leaves its unsettled rest for stop()
				if (!this.settleUnit(unit, writer)) return true;
				units.shift();
				hashing -= unit.hashing;
				await this.drain(writer);
			}
			return false;
		};
		try {
			const planAll = async (batch: ListedItem[], stated: FolderStats | undefined, resolved?: (ScanItem | undefined)[], from = old): Promise<boolean> => {
				for (const unit of this.cut(await this.plan(batch, from, stated, resolved))) {
					// no more files in flight than the window: a stop then has little to wait for
					if (unit.files.length && (await settleReady(window - unit.files.length + 1))) return true;
					this.startHashing(unit);
					units.push(unit);
					hashing += unit.hashing;
				}
				return settleReady(window);
			};
			for await (const run of scan) {
				if (signal?.aborted) return await this.stop(units, scan);
				if (skipping) {
					// an unreadable folder keeps its old entries: that is the merge's to do (below)
					const unreadable = run.length === 1 && run.batch[0]!.kind === 'unreadable' && run.batch[0]!.key.endsWith('/');
					let left: GivenBack | undefined = unreadable ? skipping.giveBack() : undefined;
					for (let at = 0; !left; ) {
						const step = await this.skipUnchanged(skipping, run, writer, at);
						if (!step) break;
						if (!('block' in step)) {
							left = step;
							break;
						}
						// a block whose listing matched, but that holds files to verify again: compared
						// entry by entry with that block alone, then the skipping goes on
						const cursor = new BatchCursor<OldEntry>(this.withDue(previous!.block(step.block, (reader) => reader.batches())));
						try {
							if ((await planAll(step.given.batch, undefined, step.given.resolved, cursor)) || (await settleReady(1))) return await this.stop(units, scan);
						} finally {
							await cursor.close();
						}
						at = step.resume;
					}
					if (!left) continue;
					// the listing differs from here on: the rest of the run compares entry by entry
					skippedBlocks = skipping.blocksSkipped;
					skipping = undefined;
					if (await planAll(left.batch, undefined, left.resolved)) return await this.stop(units, scan);
					if (!unreadable) continue;
				}
				const { batch, stats } = run;
				const first = batch[0]!;
				if (first.kind === 'unreadable' && first.key.endsWith('/')) {
					// everything that was below an unreadable folder is kept, not lost
					if (await settleReady(1)) return await this.stop(units, scan);
					await this.goneBefore(old, first.key);
					await this.emit({ type: 'FileUnreadable', key: first.key, details: first.reason, at: this.now() });
					for (;;) {
						if (old.needsLoad) await old.load();
						const entry = old.peek();
						if (!entry || !entry.key.startsWith(first.key)) break;
						old.shift();
						this.write(writer, entry, false, entry);
					}
					await this.drain(writer);
					continue;
				}
				// a folder listed here (a thread died) is stat'ed here (see plan)
				if (await planAll(batch, stats)) return await this.stop(units, scan);
			}
			if (skipping?.held) {
				const { batch, resolved } = skipping.giveBack();
				if (await planAll(batch, undefined, resolved)) return await this.stop(units, scan);
			}
			await this.goneBefore(old, undefined);
			if (await settleReady(1)) return await this.stop(units, scan);
			this.progress.committing = true;
			this.options.onProgress?.(this.progress);
			return false;
		} finally {
			// a stopped run leaves the old database's reader mid-file: close it
			await old.close();
			await reader?.close();
		}
	}

	/**
	 * Whether this run may skip stretches of its listing that match the database's, block by
	 * block: the writer still holds nothing but old entries, nothing is resumed, files are
	 * not all to be hashed anyway, and rolling verification picked none (a skipped entry is
	 * not looked at).
	 */
	private maySkip(writer: DbWriter): boolean {
		return (
			writer.onlyIdentical &&
			!this.resume &&
			this.sameAlgorithm &&
			this.options.config.verify.mode !== 'full'
		);
	}

	/**
	 * Whether a block whose least recent verification is `oldest` may hold a file the rolling
	 * plan picks: one verified before the plan's boundary second, or in it while the plan
	 * still takes files of that second (in key order, see RollingSelector). A block that may
	 * not is skipped whole: the selector would have passed over all its files unchanged.
	 */
	private mayBeDue(oldest: number): boolean {
		const plan = this.rollingPlan;
		if (!plan || (plan.files === 0 && plan.ties === 0)) return false;
		const second = Math.floor(oldest / 1000);
		return second < plan.beforeSecond || (second === plan.beforeSecond && (this.selector?.tiesLeft ?? plan.ties) > 0);
	}

	/**
	 * Adds a run of files (from item `at`) to the current block of the listing; each full
	 * block whose digest is the database's is skipped: its entries are counted (coverage, hash
	 * index, progress) without being read as entries or compared one by one. A block that
	 * matches but may hold files to verify again is returned, to be compared entry by entry
	 * alone, with where the run goes on. At the first difference, returns what is not skipped,
	 * for the entry-by-entry merge.
	 */
	private async skipUnchanged(skip: ListingSkip, run: FolderRun, writer: DbWriter, at = 0): Promise<GivenBack | { block: number; files: number; given: GivenBack; resume: number } | undefined> {
		// a folder listed without lstat (a thread died): its files are stat'ed one by one by the merge
		if (!run.stats) return skip.giveBack(run, at);
		for (let i = at; i < run.length; ) {
			// the scan already has more files than the database
			if (skip.room <= 0) return skip.giveBack(run, i);
			let to = i;
			let bytes = 0;
			while (to < run.length && to - i < skip.room && run.isStatedFile(to)) bytes += run.stats.values[to++ * 3]!;
			if (to > i) skip.add(run, i, to, bytes);
			i = to;
			// a problem, or a file gone since the listing: compare entry by entry from here
			if (i < run.length && skip.room > 0) return skip.giveBack(run, i);
			if (skip.room > 0) continue;
			if (!skip.matches()) return skip.giveBack(run, i);
			const facts = skip.facts;
			const files = skip.held;
			// files past the N days (coverage counts them apart) or that rolling verification may
			// pick: this block is compared entry by entry
			if ((this.coverage && !this.coverage.isRecent(facts.oldest)) || this.mayBeDue(facts.oldest)) return { block: skip.blocksSkipped, files, given: skip.takeBlock(), resume: i };
			const lastKey = skip.lastKey;
			this.coverage?.addBlock(files, facts.bytes, facts.oldest, facts.oldestSize);
			this.position += files;
			this.skipped += files;
			await writer.keepBlock(skip.blocksSkipped, files, lastKey);
			this.progress.files += files;
			this.progress.bytes += skip.bytes;
			this.report(lastKey);
			skip.next();
		}
		return undefined;
	}

	/** Stopped: digests already computed go to the checkpoint, in key order. Nothing is lost. */
	private async stop(units: Unit[], scan: AsyncGenerator<unknown>): Promise<true> {
		this.pool?.abort();
		await scan.return(undefined);
		for (const unit of units) {
			await unit.hashed;
			for (const work of unit.items) if ('outcome' in work && work.outcome) this.checkpoint(work.file.key, work.outcome);
		}
		return true;
	}

	/** Every old entry before `key` (all that are left, without one) was not seen: gone. */
	private async goneBefore(old: BatchCursor<OldEntry>, key: string | undefined): Promise<void> {
		for (;;) {
			if (old.needsLoad) await old.load();
			const entry = old.peek();
			if (!entry || (key !== undefined && entry.key >= key)) return;
			old.shift();
			this.candidate(this.goneScratch, entry);
		}
	}

	/**
	 * Merges one folder's run of listed files with the old entries at the same place. A file
	 * the database knows is stat'ed here, to see whether it changed; a new one is not when a
	 * worker hashes it: its size and mtime come back with the digest.
	 */
	private async plan(batch: ListedItem[], old: BatchCursor<OldEntry>, stats: FolderStats | undefined, resolved?: (ScanItem | undefined)[]): Promise<Work[]> {
		const items: Work[] = [];
		const lazy = this.pool !== undefined && !this.resume;
		for (let i = 0; i < batch.length; i++) {
			const listed = batch[i]!;
			const key = listed.key;
			const head = old.peek();
			if (old.needsLoad || (head !== undefined && head.key < key)) await this.goneBefore(old, key);
			const entry = old.peek();
			const previous = entry !== undefined && entry.key === key ? entry : undefined;
			if (previous) old.shift();
			let item: ScanItem | undefined = listed.kind === 'listed' ? undefined : listed;
			if (resolved) item = resolved[i];
			else if (listed.kind === 'listed') {
				if (stats) item = fromStats(listed, stats, i);
				else item = !previous && lazy ? unstated(listed) : statListed(listed);
			}
			if (!item) {
				// gone (or no longer a file) since the listing
				if (previous) this.candidate(this.goneScratch, previous);
				continue;
			}
			if (item.kind === 'unreadable') {
				items.push(previous ? { kind: 'problem', problem: item, old: previous } : { kind: 'problem', problem: item });
				continue;
			}
			this.progress.files++;
			if (item.size > 0) this.progress.bytes += item.size;
			const saved = this.resume ? await this.resumed(item) : undefined;
			if (previous) {
				const why = saved ? undefined : this.mustHash(item, previous);
				const work: Work = { kind: 'both', file: item, old: previous, hash: saved !== undefined || why !== undefined };
				if (saved) work.outcome = saved;
				if (why === 'rolling') work.rolling = true;
				items.push(work);
			} else {
				items.push(saved ? { kind: 'new', file: item, outcome: saved } : { kind: 'new', file: item });
			}
		}
		return items;
	}

	/** Cuts a folder's work into units of bounded files and bytes to hash. */
	private cut(items: Work[]): Unit[] {
		const units: Unit[] = [];
		// on this thread, files settle (and reach the checkpoint) a few at a time
		const most = this.pool ? UNIT_FILES : this.hereWidth;
		let current: Unit = { items: [], files: [], hashing: 0, ready: true };
		let bytes = 0;
		for (const work of items) {
			const needs = (work.kind === 'new' || (work.kind === 'both' && work.hash)) && !work.outcome;
			if (needs && current.files.length > 0 && (current.files.length >= most || bytes + work.file.size > UNIT_BYTES)) {
				units.push(current);
				current = { items: [], files: [], hashing: 0, ready: true };
				bytes = 0;
			}
			current.items.push(work);
			if (needs) {
				current.files.push(work);
				bytes += work.file.size;
			}
		}
		if (current.items.length) units.push(current);
		return units;
	}

	private startHashing(unit: Unit): void {
		if (unit.files.length === 0) return;
		unit.hashing = unit.files.length;
		unit.ready = false;
		unit.hashed = this.hashAll(unit.files).then(() => {
			unit.ready = true;
		});
		unit.files = [];
	}

	/** Files hashed at once on this thread (when there are no workers). */
	private get hereWidth(): number {
		return Math.max(1, this.options.concurrency ?? 4);
	}

	/** Hashes files on the pool (or here), and puts each outcome on its work. */
	private async hashAll(files: Hashing[]): Promise<void> {
		let retry: Hashing[] = files;
		if (this.pool && !this.pool.broken) {
			// a unit's files are in one root: its device, looked up once
			const key = files[0]!.file.key;
			const device = this.devices.get(key.slice(0, key.indexOf('/')));
			// counted as each file is done: a unit of large files takes minutes, and progress moves meanwhile
			const results = await this.pool.hashMany(files.map((work) => work.file), device, (result) => {
				if (result instanceof Error) return;
				this.progress.hashedFiles++;
				this.progress.hashedBytes += result.size;
				this.options.onProgress?.(this.progress);
			});
			retry = [];
			files.forEach((work, i) => {
				const result = results[i]!;
				if (!(result instanceof Error)) {
					if (work.file.size === UNKNOWN) this.progress.bytes += result.size;
					work.outcome = { ok: true, file: result };
				} else if (work.file.size === UNKNOWN && isVanished(result)) {
					work.outcome = { ok: false, reason: describe(result), vanished: true };
				} else if (this.pool!.broken || isBusy(result)) {
					// a dead worker is not the file's fault; a locked file gets a second chance
					retry.push(work);
				} else work.outcome = failed(result);
			});
			if (retry.length === 0) return;
			if (!this.pool.broken) await delay(500);
		}
		await this.hashHere(retry);
	}

	/** Hashes on this thread, `concurrency` files at a time. */
	private async hashHere(files: Hashing[]): Promise<void> {
		let next = 0;
		const lane = async () => {
			while (next < files.length) {
				const work = files[next++]!;
				work.outcome = await this.hashKnown(work.file);
			}
		};
		await Promise.all(Array.from({ length: Math.min(this.hereWidth, files.length) }, lane));
	}

	/** A stopped run's digest of this file, if it has one and the file has not changed since. */
	private async resumed(file: ScannedFile): Promise<HashOutcome | undefined> {
		const saved = await this.resume?.take(file.key);
		if (!saved || saved.size !== file.size || saved.mtimeMs !== file.mtimeMs) return undefined;
		this.resume!.used++;
		return { ok: true, file: { hash: saved.hash, size: saved.size, mtimeMs: saved.mtimeMs }, verifiedAt: saved.verifiedAt };
	}

	private checkpoint(key: string, outcome: HashOutcome): void {
		if (outcome.ok) this.journal?.putLine(key, outcome.file.size, outcome.file.mtimeMs, outcome.file.hash, outcome.verifiedAt ?? this.now());
	}

	/** Marks each old entry, in key order, as due for rolling verification or not. */
	private async *withDue(batches: AsyncGenerator<StoredEntry[]>): AsyncGenerator<OldEntry[]> {
		// one selector for the run: the old entries reach it in key order, whichever reader reads them
		const selector = this.rollingPlan && (this.selector ??= new RollingSelector(this.rollingPlan));
		for await (const batch of batches) {
			if (selector) for (const entry of batch) if (selector.due(entry.verifiedAt)) (entry as OldEntry).due = true;
			yield batch;
		}
	}

	private mustHash(file: ScannedFile, old: OldEntry): 'changed' | 'full' | 'rolling' | undefined {
		if (!this.sameAlgorithm || file.size !== old.size || file.mtimeMs !== old.mtimeMs) return 'changed';
		const { verify, maxRunTimeMs } = this.options.config;
		if (verify.mode === 'full') return 'full';
		if (!old.due) return undefined;
		if (maxRunTimeMs !== undefined && this.now() - this.startedAt >= maxRunTimeMs) {
			this.rolling!.deferredFiles++;
			return undefined;
		}
		return 'rolling';
	}

	/** A file not stat'ed yet (the pool broke) is stat'ed first: never open a FIFO. */
	private async hashKnown(file: ScannedFile): Promise<HashOutcome> {
		if (file.size !== UNKNOWN) return this.hash(file);
		const found = statListed({ kind: 'listed', key: file.key, path: file.path });
		if (!found) return { ok: false, reason: 'gone since the listing', vanished: true };
		if (found.kind === 'unreadable') return { ok: false, reason: found.reason };
		this.progress.bytes += found.size;
		return this.hash(found);
	}

	private async hash(file: ScannedFile): Promise<HashOutcome> {
		const { algorithm, blockSize } = this.options.config;
		const onBytes = (n: number) => {
			this.progress.hashedBytes += n;
		};
		for (let attempt = 1; ; attempt++) {
			try {
				const signal = this.options.signal;
				const hashed = await hashFile(file.path, { algorithm, blockSize, onBytes, ...(signal ? { signal } : {}) });
				this.progress.hashedFiles++;
				return { ok: true, file: hashed };
			} catch (error) {
				// a file locked for a moment (an editor saving, an antivirus scan) gets a second chance
				if (attempt === 1 && isBusy(error)) {
					await delay(500);
					continue;
				}
				return failed(error);
			}
		}
	}

	/** Settles a unit's work in order; false if a stop came first (the rest stays in the unit). */
	private settleUnit(unit: Unit, writer: DbWriter): boolean {
		const signal = this.options.signal;
		for (let i = 0; i < unit.items.length; i++) {
			if (signal?.aborted) {
				unit.items.splice(0, i);
				return false;
			}
			this.settle(unit.items[i]!, writer);
		}
		return true;
	}

	/** Everything buffered goes out once there is enough of it, and the checkpoint when due. */
	private async drain(writer: DbWriter): Promise<void> {
		await writer.drain();
		await this.log.drain();
		await this.journal?.tick();
		await this.newScratch?.writeFull();
		await this.goneScratch?.writeFull();
	}

	private settle(work: Work, writer: DbWriter): void {
		const now = this.now();
		switch (work.kind) {
			case 'keep':
				return this.write(writer, work.old, false, work.old);
			case 'problem':
				this.emit({ type: 'FileUnreadable', key: work.problem.key, details: work.problem.reason, at: now });
				if (work.old) this.write(writer, work.old, false, work.old);
				return;
			case 'new': {
				const outcome = work.outcome!;
				if (!outcome.ok && outcome.vanished) {
					// a new file gone (or no longer a file) since the listing: as if never listed
					this.progress.files--;
					return;
				}
				this.report(work.file.key);
				if (!outcome.ok) return this.emit({ type: 'FileUnreadable', key: work.file.key, details: outcome.reason, at: now });
				this.checkpoint(work.file.key, outcome);
				const entry: DbEntry = { key: work.file.key, ...outcome.file, verifiedAt: outcome.verifiedAt ?? now };
				this.write(writer, entry, true);
				if (this.newScratch) return this.candidate(this.newScratch, entry);
				return this.emit({ type: 'NewFile', key: entry.key, at: now, size: entry.size, hash: entry.hash });
			}
			case 'both': {
				this.report(work.file.key);
				if (!work.hash) return this.write(writer, work.old, false, work.old);
				const outcome = work.outcome!;
				this.checkpoint(work.file.key, outcome);
				if (work.rolling && outcome.ok) {
					this.rolling!.verifiedFiles++;
					this.rolling!.verifiedBytes += outcome.file.size;
				}
				return this.settleChecked(work.old, outcome, writer, now);
			}
		}
	}

	private settleChecked(old: StoredEntry, outcome: HashOutcome, writer: DbWriter, now: number): void {
		if (!outcome.ok) {
			this.emit({ type: 'FileUnreadable', key: old.key, details: outcome.reason, at: now });
			return this.write(writer, old, false, old);
		}
		const file = outcome.file;
		const entry: DbEntry = { key: old.key, size: file.size, hash: file.hash, mtimeMs: file.mtimeMs, verifiedAt: outcome.verifiedAt ?? now };
		if (!this.sameAlgorithm) return this.write(writer, entry, true);
		const sameContent = file.hash === old.hash && file.size === old.size;
		if (sameContent) {
			// a touch, or a file still holding the content it rotted to: nothing new to say
			if (old.goodHash) entry.goodHash = old.goodHash;
			return this.write(writer, entry, false);
		}
		if (file.mtimeMs !== old.mtimeMs) {
			this.emit(modifiedEvent(old.key, { size: old.size, hash: old.hash }, now, file.size, file.hash));
		} else if (old.goodHash && old.goodHash === file.hash) {
			// the good content is back (restored from the backup): healed, no event
		} else {
			entry.goodHash = old.goodHash ?? old.hash;
			this.emit(corruptedEvent(old.key, { size: old.size, hash: old.hash }, now, file.size, file.hash));
		}
		return this.write(writer, entry, true);
	}

	/** `stored`: the old entry's lines, when the entry is kept exactly as it was. */
	private write(writer: DbWriter, entry: DbEntry, changed: boolean, stored?: StoredEntry): void {
		writer.put(entry, stored);
		this.coverage?.add(entry.size, entry.verifiedAt);
		const ordinal = this.position++;
		// a first run indexes every entry (unless the heap is small); later runs keep what they changed
		if (this.denseIndex) this.index.add(entry.hash, entry.size, changed ? CHANGED : 0);
		else if (changed) this.changedDigests.mark(ordinal, entry.hash);
	}

	private candidate(scratch: BufferedFile | undefined, entry: Candidate): void {
		scratch?.put(JSON.stringify([entry.key, entry.size, entry.hash]) + '\n');
	}

	private report(current: string): void {
		this.progress.current = current;
		this.options.onProgress?.(this.progress);
	}

	private emit(event: FileEvent): void {
		this.counts[event.type]++;
		this.log.put(event);
		this.options.onEvent?.(event);
	}

	/**
	 * A new path whose content and size match a vanished one is a move; the rest are new files
	 * and removals. Only the vanished entries are held in memory (what this run lost).
	 */
	private async settleMovesAndNew(): Promise<void> {
		if (!this.newScratch || !this.goneScratch) return;
		await this.newScratch.close();
		await this.goneScratch.close();
		const gone = new Map<string, Candidate[]>();
		// an empty scratch file is not read back (most runs add and lose nothing)
		if (this.goneScratch.size > 0) for await (const c of readCandidates(this.scratchPath('gone'))) {
			const id = `${c.hash}:${c.size}`;
			gone.set(id, [...(gone.get(id) ?? []), c]);
		}
		const now = this.now();
		if (this.newScratch.size > 0) for await (const c of readCandidates(this.scratchPath('new'))) {
			const list = gone.get(`${c.hash}:${c.size}`);
			if (list && list.length > 0) {
				// among several vanished twins, the one with the same name is the likeliest origin
				const name = basename(c.key);
				const at = Math.max(0, list.findIndex((g) => basename(g.key) === name));
				const [from] = list.splice(at, 1);
				this.emit(movedEvent(c.key, from!.key, now, c.size, c.hash));
			} else {
				await this.emit({ type: 'NewFile', key: c.key, at: now, size: c.size, hash: c.hash });
			}
		}
		const removed = [...gone.values()].flat().sort((a, b) => compareKeys(a.key, b.key));
		for (const c of removed) await this.emit({ type: 'FileNotFound', key: c.key, at: now, size: c.size, hash: c.hash });
	}

	/**
	 * Which entries of the new database to look at for a collision (`wanted`), and which of them
	 * this run changed. A first run has indexed every entry; a later run (or one with a small
	 * heap) reads the finished database once for the prefixes of what changed that are
	 * shared across sizes.
	 */
	private async collisionFilter(dbPath: string): Promise<{ wanted: (ordinal: number, hash: string) => boolean; changed: (ordinal: number) => boolean } | undefined> {
		if (this.denseIndex) {
			const candidates = this.index.collisionCandidates(CHANGED);
			if (candidates.size === 0) return undefined;
			return { wanted: (o) => candidates.has(o), changed: (o) => (this.index.flag(o) & CHANGED) !== 0 };
		}
		const marked = this.changedDigests;
		if (marked.count === 0) return undefined;
		const shared = new SharedPrefixes(marked);
		for await (const file of (await openDb(dbPath, { lowMemory: this.lowMemory }))!.files()) shared.see(file.hash, file.size);
		if (!shared.any) return undefined;
		return { wanted: (_, hash) => shared.suspect(hash), changed: (o) => marked.has(o) };
	}

	/**
	 * Same digest, another size: with a 32-bit checksum this happens, and the user must know.
	 * Read from the finished database before its commit, so that its events are the run's.
	 */
	private async findCollisions(dbPath: string): Promise<void> {
		const filter = await this.collisionFilter(dbPath);
		if (!filter) return;
		const { wanted, changed } = filter;
		const db = await openDb(dbPath, { lowMemory: this.lowMemory });
		const groups = new Map<string, { key: string; size: number; changed: boolean }[]>();
		let ordinal = 0;
		for await (const file of db!.files()) {
			if (wanted(ordinal, file.hash)) {
				const list = groups.get(file.hash) ?? [];
				list.push({ key: file.key, size: file.size, changed: changed(ordinal) });
				groups.set(file.hash, list);
			}
			ordinal++;
		}
		const now = this.now();
		for (const [hash, list] of groups) {
			if (new Set(list.map((f) => f.size)).size < 2) continue;
			for (const file of list.filter((f) => f.changed)) {
				const others = list.filter((o) => o.size !== file.size).map((o) => `${o.key} (${o.size} bytes)`);
				await this.emit({
					type: 'HashCollision',
					key: file.key,
					details: `${this.options.config.algorithm} ${hash} of this file (${file.size} bytes) is also the digest of ${others.join(', ')}`,
					at: now,
					size: file.size,
					hash,
				});
			}
		}
	}
}

async function* emptyBatches(): AsyncGenerator<OldEntry[]> {}

/** How many subfolders are listed ahead of the walk: bounded, so memory is too. */
const LIST_AHEAD = 8;

/** A listed file whose size and mtime a worker finds out (UNKNOWN): see plan(). */
const unstated = (listed: ListedFile): ScannedFile => ({ kind: 'file', key: listed.key, path: listed.path, size: UNKNOWN, mtimeMs: UNKNOWN });
const UNKNOWN = -1;

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function isVanished(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'ENOENT' || code === 'E_NOTFILE';
}

function isBusy(error: unknown): boolean {
	const code = (error as NodeJS.ErrnoException).code;
	return code === 'EBUSY' || code === 'EPERM' || code === 'EACCES';
}

function failed(error: unknown): HashOutcome {
	if (error instanceof FileChangingError) return { ok: false, reason: error.message };
	return { ok: false, reason: describe(error) };
}

/**
 * True if `signal` aborts before `work` settles. The listener goes when the work settles:
 * racing every file against one never-settling promise would keep a reaction per file.
 */
function settledOrStopped(work: Promise<unknown>, signal: AbortSignal): Promise<boolean> {
	if (signal.aborted) return Promise.resolve(true);
	return new Promise((resolve) => {
		const onAbort = () => resolve(true);
		signal.addEventListener('abort', onAbort, { once: true });
		void work.then(() => {
			signal.removeEventListener('abort', onAbort);
			resolve(false);
		});
	});
}

async function* readCandidates(path: string): AsyncGenerator<Candidate> {
	for await (const line of readLines(path)) {
		if (line.text === '') continue;
		const [key, size, hash] = JSON.parse(line.text) as [string, number, string];
		yield { key, size, hash };
	}
}

async function checkRoots(config: Config, role: Role, roots: Root[]): Promise<void> {
	const line = config.lines[`monitored directories/${role.toLowerCase()}`];
	for (const root of roots) {
		let isDir = false;
		try {
			isDir = (await stat(root.path)).isDirectory();
		} catch {
			isDir = false;
		}
		if (!isDir) {
			throw configError(config.file, line, `[Monitored Directories] ${role}: "${root.path}" (label "${root.label}") is not a folder this machine can reach`);
		}
	}
}

export type { Coverage } from './rolling.ts';
