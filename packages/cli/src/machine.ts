// What the command line tells a run about this machine and this process (RunHost): the core
// probes neither. Read here once: the physical cores (/proc/cpuinfo), whether a disk spins
// (/sys), whether the process was started with a small heap, and its working directory.
import { getHeapStatistics } from 'node:v8';
import { readFileSync, realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import type { Disk, RunHost, WorkingDirectory } from '@equilybrium/core';

/**
 * This machine, for a run. `ownsWorkingDirectory`: the process is the command line's own, so a
 * run may move its working directory to lstat by shorter paths (not on Windows, where the path
 * walk is not what an lstat costs).
 */
export function runHost(ownsWorkingDirectory: boolean): RunHost {
	const host: RunHost = { cores: (cores ??= physicalCores()), lowMemory: (small ??= lowMemory()), diskOf };
	if (ownsWorkingDirectory && process.platform !== 'win32') host.workingDirectory = processDirectory;
	return host;
}

let cores: number | undefined;
let small: boolean | undefined;

/** The process's working directory. */
export const processDirectory: WorkingDirectory = {
	current: () => process.cwd(),
	change: (path) => process.chdir(path),
};

/**
 * Physical cores, as backup_syncer counts them: hyper-threads share one core's hashing
 * units, so a second thread per core adds little but contention. Linux reads the
 * (physical id, core id) pairs of /proc/cpuinfo; elsewhere the logical count is used.
 */
export function physicalCores(): number {
	const logical = typeof availableParallelism === 'function' ? availableParallelism() : cpus().length;
	try {
		const pairs = new Set<string>();
		let physical = '0';
		for (const line of readFileSync('/proc/cpuinfo', 'utf8').split('\n')) {
			const [name, value] = line.split(':').map((s) => s.trim());
			if (name === 'physical id') physical = value ?? '0';
			if (name === 'core id') pairs.add(`${physical}:${value}`);
		}
		if (pairs.size > 0) return Math.max(1, Math.min(pairs.size, logical));
	} catch {
		// not Linux, or /proc not mounted
	}
	return Math.max(1, logical);
}

/** The device a folder is on, and whether Linux says it rotates (queue/rotational). */
export async function diskOf(path: string): Promise<Disk> {
	const dev = (await stat(path)).dev;
	return { device: String(dev), rotational: rotationalOf(dev) };
}

// --- internal ---

function rotationalOf(dev: number): boolean | undefined {
	// glibc's encoding of st_dev; JS bit operators are 32-bit, hence the divisions
	const high = Math.floor(dev / 2 ** 32);
	const low = dev >>> 0;
	const major = ((low >>> 8) & 0xfff) | ((high & 0xfffff000) >>> 0);
	const minor = (low & 0xff) | ((low >>> 12) & 0xffffff00);
	const base = `/sys/dev/block/${major}:${minor}`;
	try {
		// a partition has no queue of its own: its parent disk's folder holds it
		const real = realpathSync(base);
		for (const dir of [real, join(real, '..')]) {
			try {
				return readFileSync(join(dir, 'queue/rotational'), 'utf8').trim() === '1';
			} catch {
				continue;
			}
		}
	} catch {
		// no sysfs entry: not Linux, or a virtual file system (tmpfs, overlay, network)
	}
	return undefined;
}

/** True when this process was started with a small V8 heap (the launchers' low-memory flags, ~50 MiB: see RunHost.lowMemory). */
export function lowMemory(): boolean {
	return getHeapStatistics().heap_size_limit < LOW_HEAP;
}

const LOW_HEAP = 200 << 20;
