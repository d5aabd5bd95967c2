import { stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { rootsOf, type Config, type Role, type Root } from './config.ts';
import { openDb, dbFileName, DbWriter, type DbEntry, type OpenedDb } from './db.ts';
import { configError } from './errors.ts';
import { ALARMING, emptyCounts, type EventCounts, type FileEvent } from './events.ts';
import { EventLogWriter } from './eventlog.ts';
import { hashFile, FileChangingError, type HashedFile } from './hash.ts';
import { HashIndex } from './_hashindex.ts';
import { HashPool } from './_pool.ts';
import { diskOf, physicalCores } from './_machine.ts';
import { CheckpointReader, CheckpointWriter, removeCheckpoints } from './_checkpoint.ts';
import { CoverageCounter, planRolling, RollingSelector, type Coverage, type RollingPlan } from './_rolling.ts';
import { BufferedFile } from './_files.ts';
import { readLines } from './_lines.ts';
import { acquireLock, type LockOwner } from './lock.ts';
import { compareKeys, describe, scanRoots, type ScanItem, type ScannedFile, type ScanProblem } from './scan.ts';

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
}

export interface Progress {
	files: number;
	bytes: number;
	hashedFiles: number;
	hashedBytes: number;
	current?: string;
}

export interface RunResult {
	role: Role;
	startedAt: number;
	finishedAt: number;
	algorithm: string;
	/** Files whose digest came from the checkpoint of a stopped run instead of being read again. */
	resumedFiles: number;
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
type HashOutcome = { ok: true; file: HashedFile; verifiedAt?: number } | { ok: false; reason: string };

type Work =
	| { kind: 'new'; file: ScannedFile; hashed: Promise<HashOutcome> }
	| { kind: 'both'; file: ScannedFile; old: DbEntry; hashed?: Promise<HashOutcome>; rolling?: boolean }
	| { kind: 'gone'; old: DbEntry }
	| { kind: 'keep'; old: DbEntry }
	| { kind: 'problem'; problem: ScanProblem; old?: DbEntry };

interface Candidate {
	key: string;
	size: number;
	hash: string;
}

const CHANGED = 1;
const WORKER_WINDOW = 1024;

/** An old entry, and whether rolling verification picked it this run. */
type OldEntry = DbEntry & { due?: boolean };

class Monitor {
	private counts = emptyCounts();
	private progress: Progress = { files: 0, bytes: 0, hashedFiles: 0, hashedBytes: 0 };
	private index = new HashIndex();
	private log!: EventLogWriter;
	private dbPath: string;
	private previous: OpenedDb | undefined;
	private sameAlgorithm = true;
	private startedAt: number;
	private newScratch: BufferedFile | undefined;
	private goneScratch: BufferedFile | undefined;
	private pool: HashPool | undefined;
	/** Root label → the device it is on, for per-disk read scheduling. */
	private devices = new Map<string, string>();
	private rollingPlan: RollingPlan | undefined;
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
	}

	private scratchPath(name: string): string {
		return join(this.options.config.dir, `equilybrium.${this.options.role}.${name}.tmp`);
	}

	async run(tookOverFrom: LockOwner | undefined): Promise<RunResult> {
		const { config, role } = this.options;
		this.previous = await openDb(this.dbPath);
		await EventLogWriter.recover(config.dir, role, this.previous?.run.startedAt);
		this.log = await EventLogWriter.open(config.dir, role, new Date(this.startedAt).toISOString());
		this.sameAlgorithm = !this.previous || this.previous.header.algorithm === config.algorithm;
		const writer = await DbWriter.create(this.dbPath, { role, algorithm: config.algorithm });
		if (this.previous) {
			this.newScratch = await BufferedFile.create(this.scratchPath('new'));
			this.goneScratch = await BufferedFile.create(this.scratchPath('gone'));
		}
		let aborted = false;
		let committed = false;
		try {
			// open (and merge) the old checkpoint before the new one is started over it
			this.resume = await CheckpointReader.open(config.dir, role, config.algorithm);
			this.journal = await CheckpointWriter.create(config.dir, role, config.algorithm, this.options.checkpointFlushMs);
			await this.planRolling();
			await this.startPool();
			aborted = await this.merge(writer);
			if (aborted) {
				await writer.discard();
			} else {
				await this.settleMovesAndNew();
				await writer.commit({
					startedAt: new Date(this.startedAt).toISOString(),
					finishedAt: new Date(this.now()).toISOString(),
					toolVersion: this.options.toolVersion,
					roots: this.roots,
					counts: this.counts,
					...(this.coverage ? { coverage: this.coverage.result(), rolling: this.rolling } : {}),
				});
				committed = true;
				await this.findCollisions();
			}
		} catch (error) {
			await writer.discard();
			throw error;
		} finally {
			await this.pool?.close();
			// stopped or failed: the checkpoint stays for the next run to continue from
			await this.resume?.close().catch(() => {});
			await this.journal?.close().catch(() => {});
			if (committed) await removeCheckpoints(config.dir, role);
			if (committed) await this.log.commit();
			else await this.log.discard();
			await this.newScratch?.close().catch(() => {});
			await this.goneScratch?.close().catch(() => {});
			await unlink(this.scratchPath('new')).catch(() => {});
			await unlink(this.scratchPath('gone')).catch(() => {});
		}
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
		this.rollingPlan = await planRolling(this.previous.entries(), this.previous.run.count, {
			now: this.startedAt,
			days: verify.days,
			previousRunAt: Date.parse(this.previous.run.startedAt) || 0,
			maxBytes: this.options.config.maxBytes,
		});
		this.rolling.plannedFiles = this.rollingPlan.files;
		this.rolling.plannedBytes = this.rollingPlan.bytes;
	}

	private async startPool(): Promise<void> {
		const { config } = this.options;
		const wanted = this.options.workers ?? config.workers;
		const workers = wanted === 'auto' ? physicalCores() : wanted;
		const sequential = new Set<string>();
		for (const root of this.roots) {
			const disk = await diskOf(root.path);
			this.devices.set(root.label, disk.device);
			const spins = config.diskReads === 'sequential' || (config.diskReads === 'auto' && disk.rotational === true);
			if (spins) sequential.add(disk.device);
		}
		this.pool = HashPool.create({ workers, algorithm: config.algorithm, blockSize: config.blockSize, sequential });
	}

	/** Walks the scan and the old database together; returns true if aborted. */
	private async merge(writer: DbWriter): Promise<boolean> {
		// with workers, a deep window keeps them fed with small files; it holds only keys
		const width = this.pool ? WORKER_WINDOW : Math.max(1, this.options.concurrency ?? 4);
		const queue: Work[] = [];
		const plan = this.plan();
		const signal = this.options.signal;
		let done = false;
		for (;;) {
			while (!done && queue.length < width) {
				const next = await plan.next();
				if (next.done) done = true;
				else queue.push(next.value);
			}
			if (this.options.signal?.aborted) {
				this.pool?.abort();
				await plan.return(undefined);
				// digests already computed go to the checkpoint, in key order: nothing is lost
				for (const w of queue) {
					if ((w.kind === 'new' || w.kind === 'both') && w.hashed) await this.checkpoint(w.file.key, await w.hashed);
				}
				return true;
			}
			const work = queue.shift();
			if (!work) return false;
			// a large file can take minutes: a stop must not wait for its digest
			if (signal && 'hashed' in work && work.hashed && (await settledOrStopped(work.hashed, signal))) {
				queue.unshift(work);
				continue;
			}
			await this.settle(work, writer);
		}
	}

	private async *plan(): AsyncGenerator<Work> {
		const scan = scanRoots(this.roots, this.options.config.exclude);
		const old = this.previous ? this.withDue(this.previous.entries()) : emptyEntries();
		try {
			yield* this.merged(scan, old);
		} finally {
			// a stopped run leaves the old database's reader mid-file: close it
			await old.return(undefined);
		}
	}

	private async *merged(scan: AsyncGenerator<ScanItem>, old: AsyncGenerator<OldEntry>): AsyncGenerator<Work> {
		let entry = await old.next();
		for await (const item of scan) {
			const key = item.key;
			while (!entry.done && compareKeys(entry.value.key, key) < 0) {
				yield { kind: 'gone', old: entry.value };
				entry = await old.next();
			}
			if (item.kind === 'unreadable') {
				if (key.endsWith('/')) {
					// everything that was below an unreadable folder is kept, not lost
					yield { kind: 'problem', problem: item };
					while (!entry.done && entry.value.key.startsWith(key)) {
						yield { kind: 'keep', old: entry.value };
						entry = await old.next();
					}
				} else if (!entry.done && entry.value.key === key) {
					yield { kind: 'problem', problem: item, old: entry.value };
					entry = await old.next();
				} else yield { kind: 'problem', problem: item };
				continue;
			}
			this.progress.files++;
			this.progress.bytes += item.size;
			if (!entry.done && entry.value.key === key) {
				const previous = entry.value;
				entry = await old.next();
				const work: Work = { kind: 'both', file: item, old: previous };
				const saved = await this.resumed(item);
				const why = saved ? undefined : this.mustHash(item, previous);
				if (saved) work.hashed = Promise.resolve(saved);
				else if (why) work.hashed = this.hash(item);
				if (why === 'rolling') work.rolling = true;
				yield work;
			} else {
				const saved = await this.resumed(item);
				yield { kind: 'new', file: item, hashed: saved ? Promise.resolve(saved) : this.hash(item) };
			}
		}
		while (!entry.done) {
			yield { kind: 'gone', old: entry.value };
			entry = await old.next();
		}
	}

	/** A stopped run's digest of this file, if it has one and the file has not changed since. */
	private async resumed(file: ScannedFile): Promise<HashOutcome | undefined> {
		const saved = await this.resume?.take(file.key);
		if (!saved || saved.size !== file.size || saved.mtimeMs !== file.mtimeMs) return undefined;
		this.resume!.used++;
		return { ok: true, file: { hash: saved.hash, size: saved.size, mtimeMs: saved.mtimeMs }, verifiedAt: saved.verifiedAt };
	}

	private async checkpoint(key: string, outcome: HashOutcome): Promise<void> {
		if (outcome.ok) await this.journal?.add({ key, ...outcome.file, verifiedAt: outcome.verifiedAt ?? this.now() });
	}

	/** Marks each old entry, in key order, as due for rolling verification or not. */
	private async *withDue(entries: AsyncGenerator<DbEntry>): AsyncGenerator<OldEntry> {
		const selector = this.rollingPlan && new RollingSelector(this.rollingPlan);
		for await (const entry of entries) {
			if (selector?.due(entry.verifiedAt)) (entry as OldEntry).due = true;
			yield entry;
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

	private async hash(file: ScannedFile): Promise<HashOutcome> {
		const { algorithm, blockSize } = this.options.config;
		const onBytes = (n: number) => {
			this.progress.hashedBytes += n;
		};
		for (let attempt = 1; ; attempt++) {
			try {
				let hashed: HashedFile | undefined;
				if (this.pool && !this.pool.broken) {
					try {
						hashed = await this.pool.hash(file.path, file.size, file.mtimeMs, this.devices.get(file.key.slice(0, file.key.indexOf('/'))));
						onBytes(hashed.size);
					} catch (error) {
						// a dead worker is not the file's fault: read it here instead
						if (!this.pool.broken) throw error;
					}
				}
				const signal = this.options.signal;
				hashed ??= await hashFile(file.path, { algorithm, blockSize, onBytes, ...(signal ? { signal } : {}) });
				this.progress.hashedFiles++;
				return { ok: true, file: hashed };
			} catch (error) {
				if (error instanceof FileChangingError) return { ok: false, reason: error.message };
				const code = (error as NodeJS.ErrnoException).code;
				// a file locked for a moment (an editor saving, an antivirus scan) gets a second chance
				if (attempt === 1 && (code === 'EBUSY' || code === 'EPERM' || code === 'EACCES')) {
					await new Promise((r) => setTimeout(r, 500));
					continue;
				}
				return { ok: false, reason: describe(error) };
			}
		}
	}

	private async settle(work: Work, writer: DbWriter): Promise<void> {
		const now = this.now();
		const keep = async (old: DbEntry) => this.write(writer, old, false);
		switch (work.kind) {
			case 'keep':
				return keep(work.old);
			case 'gone':
				return this.candidate(this.goneScratch, work.old);
			case 'problem':
				await this.emit({ type: 'FileUnreadable', key: work.problem.key, details: work.problem.reason, at: now });
				if (work.old) await keep(work.old);
				return;
			case 'new': {
				const outcome = await work.hashed;
				this.report(work.file.key);
				if (!outcome.ok) return this.emit({ type: 'FileUnreadable', key: work.file.key, details: outcome.reason, at: now });
				await this.checkpoint(work.file.key, outcome);
				const entry: DbEntry = { key: work.file.key, ...outcome.file, verifiedAt: outcome.verifiedAt ?? now };
				await this.write(writer, entry, true);
				if (this.newScratch) return this.candidate(this.newScratch, entry);
				return this.emit({ type: 'NewFile', key: entry.key, at: now, size: entry.size, hash: entry.hash });
			}
			case 'both': {
				this.report(work.file.key);
				if (!work.hashed) return keep(work.old);
				const outcome = await work.hashed;
				await this.checkpoint(work.file.key, outcome);
				if (work.rolling && outcome.ok) {
					this.rolling!.verifiedFiles++;
					this.rolling!.verifiedBytes += outcome.file.size;
				}
				return this.settleChecked(work.old, outcome, writer, now);
			}
		}
	}

	private async settleChecked(old: DbEntry, outcome: HashOutcome, writer: DbWriter, now: number): Promise<void> {
		if (!outcome.ok) {
			await this.emit({ type: 'FileUnreadable', key: old.key, details: outcome.reason, at: now });
			return this.write(writer, old, false);
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
			await this.emit({ type: 'FileModified', key: old.key, details: `${old.size} → ${file.size} bytes`, at: now, size: file.size, hash: file.hash });
		} else if (old.goodHash && old.goodHash === file.hash) {
			// the good content is back (restored from the backup): healed, no event
		} else {
			entry.goodHash = old.goodHash ?? old.hash;
			const was = `${old.size} bytes ${old.hash}`;
			const now_ = `${file.size} bytes ${file.hash}`;
			await this.emit({
				type: 'FileCorrupted',
				key: old.key,
				details: `content changed but its modification time did not: was ${was}, now ${now_}`,
				at: now,
				size: file.size,
				hash: file.hash,
			});
		}
		return this.write(writer, entry, true);
	}

	private async write(writer: DbWriter, entry: DbEntry, changed: boolean): Promise<void> {
		await writer.add(entry);
		this.coverage?.add(entry.size, entry.verifiedAt);
		this.index.add(entry.hash, entry.size, changed ? CHANGED : 0);
	}

	private async candidate(scratch: BufferedFile | undefined, entry: Candidate): Promise<void> {
		await scratch?.write(JSON.stringify([entry.key, entry.size, entry.hash]) + '\n');
	}

	private report(current: string): void {
		this.progress.current = current;
		this.options.onProgress?.(this.progress);
	}

	private async emit(event: FileEvent): Promise<void> {
		this.counts[event.type]++;
		await this.log.append(event);
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
		for await (const c of readCandidates(this.scratchPath('gone'))) {
			const id = `${c.hash}:${c.size}`;
			gone.set(id, [...(gone.get(id) ?? []), c]);
		}
		const now = this.now();
		for await (const c of readCandidates(this.scratchPath('new'))) {
			const list = gone.get(`${c.hash}:${c.size}`);
			if (list && list.length > 0) {
				// among several vanished twins, the one with the same name is the likeliest origin
				const name = basename(c.key);
				const at = Math.max(0, list.findIndex((g) => basename(g.key) === name));
				const [from] = list.splice(at, 1);
				await this.emit({ type: 'FileMovedOrRenamed', key: c.key, details: `from ${from!.key}`, at: now, size: c.size, hash: c.hash });
			} else {
				await this.emit({ type: 'NewFile', key: c.key, at: now, size: c.size, hash: c.hash });
			}
		}
		const removed = [...gone.values()].flat().sort((a, b) => compareKeys(a.key, b.key));
		for (const c of removed) await this.emit({ type: 'FileNotFound', key: c.key, at: now, size: c.size, hash: c.hash });
	}

	/** Same digest, another size: with a 32-bit checksum this happens, and the user must know. */
	private async findCollisions(): Promise<void> {
		const candidates = this.index.collisionCandidates(CHANGED);
		if (candidates.size === 0) return;
		const db = await openDb(this.dbPath);
		const groups = new Map<string, { key: string; size: number; changed: boolean }[]>();
		let ordinal = 0;
		for await (const file of db!.files()) {
			if (candidates.has(ordinal)) {
				const list = groups.get(file.hash) ?? [];
				list.push({ key: file.key, size: file.size, changed: (this.index.flag(ordinal) & CHANGED) !== 0 });
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

async function* emptyEntries(): AsyncGenerator<DbEntry> {}

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

export type { Coverage } from './_rolling.ts';
