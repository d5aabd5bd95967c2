// A run's start, before its database is opened: its folders checked, its threads started
// and its scan under way, so that the first folders are listed while the database opens.

import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config, Role, Root } from '../config/config.ts';
import { CHECKPOINT_SUFFIXES, checkpointFile, dbFileName } from '../config/folder.ts';
import { configError } from '../errors.ts';
import { HashPool } from '../hashing/pool.ts';
import { folderFilters } from '../scan/filters.ts';
import type { FolderRequest } from '../scan/folder.ts';
import { listingHere, scanFolders, type FolderRun } from '../scan/scan.ts';
import type { RunOptions } from './options.ts';
import type { Threads } from './state.ts';

/** How many subfolders are listed ahead of the walk: bounded, so memory is too. */
const LIST_AHEAD = 8;

/** Every monitored folder must be one this machine can reach: a missing one is a config error, not every file lost. */
export async function checkRoots(config: Config, role: Role, roots: readonly Root[]): Promise<void> {
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

/** The hashing threads (Workers, at most one with a small heap), and the disk of each root (Disk reads). */
export async function startThreads(options: RunOptions, roots: readonly Root[]): Promise<Threads> {
	const { config, host } = options;
	const wanted = options.workers ?? config.workers;
	const workers = wanted === 'auto' ? host.cores : wanted;
	const devices = new Map<string, string>();
	const sequential = new Set<string>();
	for (const root of roots) {
		const disk = await host.diskOf(root.path);
		devices.set(root.label, disk.device);
		const spins = config.diskReads === 'sequential' || (config.diskReads === 'auto' && disk.rotational === true);
		if (spins) sequential.add(disk.device);
	}
	// a small heap (the launchers' low-memory flags): one thread does all, each costs ~15 MB
	const pool = HashPool.create({ workers: host.lowMemory ? Math.min(1, workers) : workers, algorithm: config.algorithm, blockSize: config.blockSize, sequential, lowMemory: host.lowMemory });
	return { pool, devices, hereWidth: Math.max(1, options.concurrency ?? 4) };
}

/**
 * The scan, started: with threads, folders are listed on them a few folders ahead of the
 * merge, and with a database or checkpoint whose files must be compared by size and mtime,
 * their files stat'ed there too (a first run stats nothing: all is new, and the thread that
 * hashes a file stats it); the first folders are listed before the database is opened.
 * `listing`: the scan's own generator, to end when the run ends before taking a folder.
 */
export function openScan(options: RunOptions, roots: readonly Root[], pool: HashPool | undefined, statBases: ReadonlyMap<string, string> | undefined): { scan: AsyncGenerator<FolderRun>; listing: AsyncGenerator<FolderRun> } {
	const { config, role } = options;
	const checkpoint = join(config.dir, checkpointFile(role));
	const known = existsSync(join(config.dir, dbFileName(role))) || existsSync(checkpoint) || existsSync(checkpoint + CHECKPOINT_SUFFIXES.NEXT);
	// without threads, this one lists (and stats, but for a first run)
	const lister = pool ? { list: (request: FolderRequest) => pool.listFolder(request, known), ahead: options.host.lowMemory ? 2 : LIST_AHEAD, stat: known } : listingHere(known);
	const listing = scanFolders(roots, config.exclude, lister, statBases, folderFilters(config.filters, role));
	const first = listing.next();
	first.catch(() => {}); // seen, and thrown, where the merge awaits it
	const scan = (async function* () {
		const head = await first;
		if (head.done) return;
		yield head.value;
		yield* listing;
	})();
	return { scan, listing };
}
