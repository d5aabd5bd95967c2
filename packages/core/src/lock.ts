import { hostname } from 'node:os';
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CoreError } from './errors.ts';
import type { Role } from './config.ts';

export const lockFileName = (role: Role) => `equilybrium.${role}.lock`;

export interface Lock {
	path: string;
	/** Set when a lock left behind by a run that died was taken over. */
	tookOverFrom?: LockOwner;
	release(): Promise<void>;
}

export interface LockOwner {
	pid: number;
	host: string;
	startedAt: string;
}

/** After this long a lock from another host is taken to be left by a machine that died. */
const FOREIGN_LOCK_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * One run per role at a time. The lock file holds who took it; a lock whose process is gone
 * (same host) or that is older than a day (another host) was left by a killed run and is
 * taken over.
 */
export async function acquireLock(dir: string, role: Role, now = Date.now()): Promise<Lock> {
	const path = join(dir, lockFileName(role));
	const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date(now).toISOString() };
	let tookOverFrom: LockOwner | undefined;
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			const handle = await open(path, 'wx');
			await handle.writeFile(JSON.stringify(me) + '\n');
			await handle.close();
			const lock: Lock = { path, release: () => unlink(path).catch(() => {}) };
			if (tookOverFrom) lock.tookOverFrom = tookOverFrom;
			return lock;
		} catch (error) {
			const code = (error as NodeJS.ErrnoException).code;
			if (code !== 'EEXIST') throw new CoreError('E_IO', `${path}: cannot create the lock file (${code ?? String(error)}); is the config folder writable?`);
		}
		const owner = await readOwner(path);
		if (!owner && (await isFresh(path, now))) {
			throw new CoreError('E_LOCKED', `another ${role} run is starting (${basename(path)} was just created)`);
		}
		if (owner && !isStale(owner, me, now)) {
			throw new CoreError('E_LOCKED', `another ${role} run is going on (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}); ${basename(path)} holds the lock`);
		}
		tookOverFrom = owner;
		await unlink(path).catch(() => {});
	}
	throw new CoreError('E_LOCKED', `${path}: could not take the lock`);
}

// --- internal ---

async function readOwner(path: string): Promise<LockOwner | undefined> {
	try {
		const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
		return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
	} catch {
		return undefined; // torn or unreadable: left by a run that died while writing it
	}
}

function isStale(owner: LockOwner, me: LockOwner, now: number): boolean {
	if (owner.host === me.host) return owner.pid !== me.pid && !isAlive(owner.pid);
	return now - Date.parse(owner.startedAt) > FOREIGN_LOCK_MAX_AGE_MS;
}

function isAlive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

/** A lock file too young to hold its owner yet belongs to a run that is starting. */
async function isFresh(path: string, now: number): Promise<boolean> {
	try {
		return now - (await stat(path)).mtimeMs < 10_000;
	} catch {
		return false;
	}
}
