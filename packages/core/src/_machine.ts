import { getHeapStatistics } from 'node:v8';
import { readFileSync, realpathSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';

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

export interface Disk {
	/** Stable name for the device holding a path (its st_dev). */
	device: string;
	/** true: a spinning disk; false: SSD/NVMe; undefined: not known (e.g. Windows). */
	rotational: boolean | undefined;
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

/**
 * True when this process was started with a small V8 heap (the launchers' low-memory flags,
 * ~50 MiB): the run then keeps one hashing thread and shorter read-ahead, since every thread
 * and every buffer counts against a NAS's RAM. Node's default on any machine is far above.
 */
export function lowMemory(): boolean {
	return getHeapStatistics().heap_size_limit < LOW_HEAP;
}

const LOW_HEAP = 200 << 20;
