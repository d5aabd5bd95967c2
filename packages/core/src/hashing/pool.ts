import { sep } from 'node:path';
import type { FolderRequest, ListedFolder } from '../scan/folder.ts';
import type { Worker } from 'node:worker_threads';
import { FileChangingError, type HashedFile } from './hash.ts';
import { threadEngine } from './digests.ts';
import type { AlgorithmName } from './names.ts';
import { READ_ATTEMPTS } from './steady.ts';
import { LISTING_THREADS, takeThread } from './threads.ts';
import { E_CHANGING, E_LARGE, HashBatch, LARGE_READ, listedFolder, NOT_STATED, NOT_STATED_HOLD_LARGE, type HashReply, type ListReply, type ListRequest } from './wire.ts';

export interface PoolOptions {
	workers: number;
	algorithm: AlgorithmName;
	blockSize: number;
	/** Devices (see RunHost.diskOf) whose large reads must not overlap: spinning disks. */
	sequential?: ReadonlySet<string>;
	/** The process runs with a small heap (RunHost.lowMemory): each thread's heap is capped lower. */
	lowMemory?: boolean;
}

/**
 * Hashes files on worker threads (thread.ts; the messages are wire.ts's), and lists folders
 * there for the scan. Requests made in the same turn of the event loop go out as one message
 * per worker, so a folder of small files costs a few messages, not one round trip each.
 * Large files are spread by outstanding bytes, so both cores stay busy.
 */
export class HashPool {
	/** Per thread: bytes and files of hashing given and not answered, folders to list likewise. */
	private workers: { worker: Worker; load: number; files: number; folders: number }[] = [];
	private waiting = new Map<number, Job>();
	private pending: Job[] = [];
	private deviceQueues = new Map<string, Job[]>();
	private deviceBusy = new Set<string>();
	/** Large reads handed to threads and not done, per device, and the most there ever were. */
	private largeReads = new Map<string, number>();
	private largePeak = new Map<string, number>();
	private nextId = 0;
	private nextStatId = 0;
	private statWaiting = new Map<number, { resolve: (r: ListedFolder) => void; reject: (e: Error) => void }>();
	private flushScheduled = false;
	private failed: Error | undefined;
	/** Ended by abort(): later requests are refused, not given to new threads. */
	private aborted = false;
	/** The process's working directory, with its separator, when files are to be opened from it (see openFrom). */
	private workingFolder: string | undefined;

	/**
	 * Files below `folder`, the process's working directory while the pool hashes (undefined:
	 * no longer), are opened by their path from it: the kernel resolves a component or two a
	 * file instead of the whole path (see scan/workdir.ts). Errors still name the whole path.
	 */
	openFrom(folder: string | undefined): void {
		this.workingFolder = folder === undefined || folder.endsWith(sep) ? folder : folder + sep;
	}

	/** A thread died (out of memory, a bug): the caller should hash on its own thread. */
	get broken(): boolean {
		return this.failed !== undefined;
	}

	private constructor(private options: PoolOptions, private engine: string) {}

	/**
	 * Threads start with the first folder to list or file to hash (a run lists its folders on
	 * them from the start). Their heaps are capped: a worker holds one block and a batch of
	 * paths, and each isolate's default young generation alone would cost tens of MiB of
	 * resident memory.
	 */
	private start(count: number): void {
		for (let i = this.workers.length; i < count; i++) {
			const worker = takeThread(this.options.lowMemory ?? false);
			worker.ref();
			worker.on('message', (message: string | ListReply) => {
				if (typeof message === 'string') this.receive(i, JSON.parse(message) as HashReply);
				else this.receiveListing(i, message);
			});
			worker.on('error', (error) => this.fail(error));
			this.workers.push({ worker, load: 0, files: 0, folders: 0 });
		}
	}

	/** A pool, or undefined with no threads (Workers = 0): every algorithm is hashed on them. */
	static create(options: PoolOptions): HashPool | undefined {
		if (options.workers < 1) return undefined;
		return new HashPool(options, threadEngine(options.algorithm));
	}

	/** `size` and `mtimeMs` as the scan saw them: a file that no longer matches is re-checked. */
	async hash(path: string, size: number, mtimeMs: number, device?: string): Promise<HashedFile> {
		const [result] = await this.hashMany([{ path, size, mtimeMs, ...(device !== undefined ? { device } : {}) }]);
		if (result instanceof Error) throw result;
		return result!;
	}

	/**
	 * Hashes a group of files; settles once, when the last is done, with a digest or an error
	 * per file, in order. One promise per folder, not per file: with small files the promise
	 * and its bookkeeping cost more than the hashing. `onEach` is told of each file as it is
	 * done, for progress: a group of large files takes minutes.
	 */
	hashMany(files: readonly PoolFile[], device?: string, onEach?: (result: HashedFile | Error) => void): Promise<(HashedFile | Error)[]> {
		const results: (HashedFile | Error)[] = new Array(files.length);
		if (files.length === 0) return Promise.resolve(results);
		return new Promise((resolve) => {
			const group: Group = { results, left: files.length, resolve, onEach };
			for (let index = 0; index < files.length; index++) {
				if (this.failed) settle({ group, index }, this.failed);
				else if (this.aborted) settle({ group, index }, new Error('stopped'));
				else this.queue(files[index]!, group, index, device);
			}
		});
	}

	/** One file of a group: waited for, and queued for a thread (one object a file, from here to its answer). */
	private queue(file: PoolFile, group: Group, index: number, groupDevice: string | undefined): void {
		const device = file.device ?? groupDevice;
		// an unknown size on a disk of sequential large reads: the worker tells first
		const size = file.size < 0 && device !== undefined && this.options.sequential?.has(device) ? NOT_STATED_HOLD_LARGE : file.size;
		const job: Job = { id: this.nextId++, group, index, path: file.path, size, mtimeMs: file.mtimeMs, device, probe: false };
		this.waiting.set(job.id, job);
		this.submit(job);
	}

	/**
	 * Lists a folder on a thread (see readFolder), with its files' lstat and listing lines when
	 * `stat`: a run lists a few folders ahead of its merge, and a run with a database stats
	 * them there too. `base` is `dir` ending with the separator; `globs` the sources of the
	 * exclude regexps (globRegExps).
	 */
	listFolder(request: FolderRequest, stat: boolean): Promise<ListedFolder> {
		if (this.failed) return Promise.reject(this.failed);
		const threads = this.workers.slice(0, this.listingThreads());
		const listId = this.nextStatId++;
		// to the thread with the fewest folders waiting, then the least hashing waiting
		const thread = threads.reduce((least, next) => (next.folders < least.folders || (next.folders === least.folders && next.load < least.load) ? next : least));
		thread.folders++;
		const worker = thread.worker;
		return new Promise((resolve, reject) => {
			this.statWaiting.set(listId, { resolve, reject });
			worker.postMessage({ listId, stat, ...request } satisfies ListRequest);
		});
	}

	/** Folders are listed on up to LISTING_THREADS threads. */
	private listingThreads(): number {
		const threads = Math.min(LISTING_THREADS, this.options.workers);
		if (this.workers.length < threads) this.start(threads);
		return threads;
	}

	private receiveListing(thread: number, reply: ListReply): void {
		this.workers[thread]!.folders--;
		const waiter = this.statWaiting.get(reply.listId);
		this.statWaiting.delete(reply.listId);
		waiter?.resolve(listedFolder(reply));
	}

	private submit(task: Job): void {
		const { device, size } = task;
		if (device !== undefined && size >= LARGE_READ && this.options.sequential?.has(device)) {
			const queue = this.deviceQueues.get(device) ?? [];
			queue.push(task);
			this.deviceQueues.set(device, queue);
			this.pumpDevice(device);
		} else this.enqueue(task);
	}

	/** The most large reads of `device` ever in progress at once (what Disk reads controls). */
	peakLargeReads(device: string): number {
		return this.largePeak.get(device) ?? 0;
	}

	async close(): Promise<void> {
		// refused from now on, and no thread starts again: a scan still going lists on its own thread
		this.failed ??= new Error('the hashing threads were closed');
		await Promise.all(this.workers.map((w) => w.worker.terminate()));
		this.workers = [];
		// nobody may wait forever on a thread that is gone
		const closed = new Error('the hashing threads were closed');
		for (const waiter of this.statWaiting.values()) waiter.reject(closed);
		this.statWaiting.clear();
	}

	// --- internal ---

	private pumpDevice(device: string): void {
		if (this.deviceBusy.has(device)) return;
		const next = this.deviceQueues.get(device)?.shift();
		if (!next) return;
		this.deviceBusy.add(device);
		this.enqueue(next);
	}

	private enqueue(task: Job): void {
		this.pending.push(task);
		if (this.flushScheduled) return;
		this.flushScheduled = true;
		setImmediate(() => this.flush());
	}

	/**
	 * Drops what no worker has started; what they hold may finish within `graceMs` (its
	 * digests go to the checkpoint). After that the threads are ended, even mid-file: a
	 * stop must not wait for a large file to be read to its end.
	 */
	abort(graceMs = 1000): void {
		const stopped = new Error('stopped');
		const dropped = [...this.pending, ...[...this.deviceQueues.values()].flat()];
		this.pending = [];
		this.deviceQueues.clear();
		for (const task of dropped) if (this.waiting.delete(task.id)) settle(task, stopped);
		if (this.waiting.size === 0) return;
		setTimeout(() => {
			this.aborted = true;
			for (const waiter of this.waiting.values()) settle(waiter, stopped);
			this.waiting.clear();
			for (const w of this.workers) void w.worker.terminate();
			this.workers = [];
		}, graceMs).unref();
	}

	private flush(): void {
		this.flushScheduled = false;
		// One thread, and all of them only once there is much work waiting (bytes, and a
		// per-file cost for opening and closing): each thread's isolate costs ~10 MB of
		// resident memory, and a handful of changed files is no reason to pay it.
		if (this.workers.length < this.options.workers) {
			let bytes = 0;
			// a new file's size is not known yet: count it as a large one might be
			for (const task of this.pending) bytes += task.size < 0 ? UNKNOWN_WEIGHT : task.size;
			const many = bytes >= MANY_BYTES || this.pending.length >= MANY_FILES;
			this.start(many ? this.options.workers : Math.max(1, this.workers.length));
		}
		// a message costs more than hashing a small file: while every worker is busy, let
		// requests gather into a batch worth sending
		if (this.pending.length < MIN_BATCH && this.workers.every((w) => w.files > 0)) return;
		const batches: HashBatch[] = [];
		for (let i = 0; i < this.workers.length; i++) batches.push(new HashBatch());
		let sent = 0;
		for (const task of this.pending) {
			let best = 0;
			for (let i = 1; i < this.workers.length; i++) if (this.workers[i]!.load < this.workers[best]!.load) best = i;
			// each worker holds a bounded amount, so a stop is quick and the rest can be dropped
			if (this.workers[best]!.load >= MAX_LOAD) break;
			sent++;
			// a per-file cost keeps many tiny files from all landing on one worker
			this.workers[best]!.load += Math.max(0, task.size) + FILE_COST;
			this.workers[best]!.files++;
			if (task.device !== undefined && task.size >= LARGE_READ) {
				const now = (this.largeReads.get(task.device) ?? 0) + 1;
				this.largeReads.set(task.device, now);
				this.largePeak.set(task.device, Math.max(now, this.largePeak.get(task.device) ?? 0));
			}
			const batch = batches[best]!;
			batch.add(task.id, task.path, task.probe ? NOT_STATED : task.size, task.mtimeMs);
			// a worker answers a message at once when done with it: several smaller ones keep
			// results flowing back while it works on the next
			if (batch.ids.length >= MESSAGE_FILES) {
				this.post(best, batch);
				batches[best] = new HashBatch();
			}
		}
		this.pending = this.pending.slice(sent);
		for (let i = 0; i < batches.length; i++) if (batches[i]!.ids.length > 0) this.post(i, batches[i]!);
	}

	/** One message: the batch as JSON, its paths from the working directory where they can be. */
	private post(worker: number, batch: HashBatch): void {
		const folder = this.workingFolder;
		const base = folder !== undefined && batch.base.startsWith(folder) ? batch.base.slice(folder.length) : batch.base;
		this.workers[worker]!.worker.postMessage(batch.message(this.engine, this.options.blockSize, READ_ATTEMPTS, base));
	}

	private receive(worker: number, reply: HashReply): void {
		const { ids, hashes, sizes, mtimes, errors } = reply;
		// every digest of a message has one length: the algorithm's
		const width = ids.length > 0 ? hashes.length / ids.length : 0;
		for (let k = 0; k < ids.length; k++) {
			const waiter = this.answered(worker, ids[k]!);
			if (!waiter) continue;
			this.done(waiter);
			settle(waiter, { hash: hashes.slice(k * width, (k + 1) * width), size: sizes[k]!, mtimeMs: mtimes[k]! });
		}
		for (const [id, code, message] of errors) {
			const waiter = this.answered(worker, id);
			if (!waiter) continue;
			if (code === E_LARGE) {
				// a new file found large: it waits its turn with the disk's other large reads
				waiter.size = message as number;
				waiter.mtimeMs = NOT_STATED;
				waiter.probe = true;
				this.submit(waiter);
				continue;
			}
			this.done(waiter);
			if (code === E_CHANGING) settle(waiter, new FileChangingError(READ_ATTEMPTS));
			else settle(waiter, Object.assign(new Error(String(message)), { code }));
		}
		if (this.pending.length && !this.flushScheduled) {
			this.flushScheduled = true;
			setImmediate(() => this.flush());
		}
	}

	/** A thread answered for file `id`: its load goes down; the file's waiter, if still waited for. */
	private answered(worker: number, id: number): Job | undefined {
		const waiter = this.waiting.get(id);
		if (!waiter) return undefined;
		this.workers[worker]!.load -= Math.max(0, waiter.size) + FILE_COST;
		this.workers[worker]!.files--;
		return waiter;
	}

	/** The file is done: no longer waited for, and its disk free for the next large read. */
	private done(waiter: Job): void {
		this.waiting.delete(waiter.id);
		if (waiter.device === undefined || waiter.size < LARGE_READ) return;
		this.largeReads.set(waiter.device, this.largeReads.get(waiter.device)! - 1);
		if (this.deviceBusy.has(waiter.device) && this.options.sequential?.has(waiter.device)) {
			this.deviceBusy.delete(waiter.device);
			this.pumpDevice(waiter.device);
		}
	}

	private fail(error: Error): void {
		this.failed = error;
		for (const waiter of this.waiting.values()) settle(waiter, error);
		this.waiting.clear();
		for (const waiter of this.statWaiting.values()) waiter.reject(error);
		this.statWaiting.clear();
	}
}

/** A file to hash: `size` and `mtimeMs` as the scan saw them; `device` for read scheduling. */
export interface PoolFile {
	path: string;
	size: number;
	mtimeMs: number;
	device?: string | undefined;
}

/** The files of one hashMany call: it resolves when the last is settled. */
interface Group {
	results: (HashedFile | Error)[];
	left: number;
	resolve: (results: (HashedFile | Error)[]) => void;
	onEach: ((result: HashedFile | Error) => void) | undefined;
}

function settle(waiter: { group: Group; index: number }, result: HashedFile | Error): void {
	waiter.group.results[waiter.index] = result;
	waiter.group.onEach?.(result);
	if (--waiter.group.left === 0) waiter.group.resolve(waiter.group.results);
}

/** A file given to the pool, from hashMany to its answer: queued (for its disk, then for a thread), then with a thread. */
interface Job {
	id: number;
	group: Group;
	index: number;
	path: string;
	/** As given, or NOT_STATED_HOLD_LARGE, or as a thread found it (a large new file): what scheduling counts. */
	size: number;
	mtimeMs: number;
	device: string | undefined;
	/** Its size is known (for scheduling), but the thread must stat the file itself. */
	probe: boolean;
}

/** Bytes a worker holds at most (a file counts FILE_COST more than its size). */
const MAX_LOAD = 32 << 20;
const FILE_COST = 8 << 10;
/** Files in one message to a worker, at most. */
const MESSAGE_FILES = 256;
const MIN_BATCH = 32;
/** Bytes waiting for a thread before every thread is started. */
const MANY_BYTES = 32 << 20;
/** What a file of unknown size weighs toward MANY_BYTES: 32 new files start every thread. */
const UNKNOWN_WEIGHT = 1 << 20;
/** …or this many files (each costs an open, a read and a close). */
const MANY_FILES = 512;
