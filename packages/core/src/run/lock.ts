import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { link, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { CoreError } from '../errors.ts';
import type { Role } from '../config/config.ts';
import { LOCK_TAKEOVER_SUFFIX, lockFileName, TEMPORARY_SUFFIX } from '../config/folder.ts';

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
/** A takeover takes milliseconds: one older than this was left by a run killed during it. */
const TAKEOVER_MAX_AGE_MS = 30_000;

/**
 * One run per role at a time. The lock file holds who took it, whole from the start: it is
 * written beside and hard-linked into place, which fails if a lock is there, so a run killed
 * (or stopped by a full disk) while writing leaves no empty lock. A lock whose process is gone
 * (same host) or that is older than a day (another host) was left by a run that died, and is
 * taken over, one run at a time: the taker holds `<lock>.takeover` (taken the same way) while
 * it checks the lock again and replaces it, so two runs that both found it stale cannot both
 * take it.
 */
export async function acquireLock(dir: string, role: Role, now = Date.now()): Promise<Lock> {
	const path = join(dir, lockFileName(role));
	const me: LockOwner = { pid: process.pid, host: hostname(), startedAt: new Date(now).toISOString() };
	const mine = await writeCandidate(path, me);
	let tookOverFrom: LockOwner | undefined;
	try {
		for (let attempt = 0; attempt < 3; attempt++) {
			if (await linkOrCreate(mine, path, me)) return await made(path, tookOverFrom);
			const owner = await readOwner(path);
			if (!owner && (await isFresh(path, now, 10_000))) {
				throw new CoreError('E_LOCKED', `another ${role} run is starting (${basename(path)} was just created)`);
			}
			if (owner && !isStale(owner, me, now)) throw lockedBy(owner, role, path);
			const takenOver = await takeOver(path, mine, owner, me, role, now);
			if (takenOver === 'taken') return await made(path, owner ?? tookOverFrom);
			if (takenOver === 'gone') tookOverFrom = owner;
		}
	} finally {
		await unlink(mine).catch(() => {});
	}
	throw new CoreError('E_LOCKED', `${path}: could not take the lock`);
}

// --- internal ---

async function made(path: string, tookOverFrom: LockOwner | undefined): Promise<Lock> {
	const lock: Lock = { path, release: () => unlink(path).catch(() => {}) };
	if (tookOverFrom) lock.tookOverFrom = tookOverFrom;
	await removeDeadCandidates(path);
	return lock;
}

function lockedBy(owner: LockOwner, role: Role, path: string): CoreError {
	return new CoreError('E_LOCKED', `another ${role} run is going on (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}); ${basename(path)} holds the lock`);
}

/** This run's lock, whole, beside the lock file: `<lock>.<pid>.<random>.tmp`. */
async function writeCandidate(path: string, me: LockOwner): Promise<string> {
	const candidate = `${path}.${me.pid}.${randomBytes(4).toString('hex')}${TEMPORARY_SUFFIX}`;
	try {
		const handle = await open(candidate, 'wx');
		try {
			await handle.writeFile(JSON.stringify(me) + '\n');
		} finally {
			await handle.close();
		}
		return candidate;
	} catch (error) {
		await unlink(candidate).catch(() => {});
		const code = (error as NodeJS.ErrnoException).code;
		throw new CoreError('E_IO', `${path}: cannot create the lock file (${code ?? String(error)}); is the config folder writable, and is there room on its disk?`);
	}
}

/** Puts the candidate in place if no lock is there: true when taken. */
async function linkOrCreate(candidate: string, path: string, me: LockOwner): Promise<boolean> {
	try {
		await link(candidate, path);
		return true;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'EEXIST') return false;
		// FAT, exFAT and some shares have no hard links: an exclusive create, then the content
		if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') return createExclusive(path, me);
		throw new CoreError('E_IO', `${path}: cannot create the lock file (${code ?? String(error)}); is the config folder writable?`);
	}
}

async function createExclusive(path: string, me: LockOwner): Promise<boolean> {
	try {
		const handle = await open(path, 'wx');
		try {
			await handle.writeFile(JSON.stringify(me) + '\n');
		} finally {
			await handle.close();
		}
		return true;
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw new CoreError('E_IO', `${path}: cannot create the lock file (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
	}
}

/**
 * Replaces a stale lock (whose owner was `stale`, undefined for a torn one) under the takeover
 * lock: 'taken' (it is ours), 'gone' (no lock any more: try again), or an E_LOCKED error.
 */
async function takeOver(path: string, candidate: string, stale: LockOwner | undefined, me: LockOwner, role: Role, now: number): Promise<'taken' | 'gone'> {
	const takeover = path + LOCK_TAKEOVER_SUFFIX;
	if (!(await linkOrCreate(candidate, takeover, me))) {
		if (!(await isFresh(takeover, now, TAKEOVER_MAX_AGE_MS))) {
			await unlink(takeover).catch(() => {});
			return 'gone';
		}
		throw new CoreError('E_LOCKED', `another ${role} run is taking over the lock a dead run left (${basename(takeover)})`);
	}
	try {
		const owner = await readOwner(path);
		if (owner && !sameOwner(owner, stale)) {
			if (!isStale(owner, me, now)) throw lockedBy(owner, role, path);
		}
		if (!owner && !(await exists(path))) return 'gone';
		// rename replaces the lock in one step: there is never a moment without one
		const replacement = `${candidate}.replace`;
		await link(candidate, replacement).catch(async () => {
			const handle = await open(replacement, 'w');
			await handle.writeFile(JSON.stringify(me) + '\n');
			await handle.close();
		});
		await rename(replacement, path);
		return 'taken';
	} finally {
		await unlink(takeover).catch(() => {});
	}
}

async function readOwner(path: string): Promise<LockOwner | undefined> {
	try {
		const owner = JSON.parse(await readFile(path, 'utf8')) as LockOwner;
		return typeof owner.pid === 'number' && typeof owner.host === 'string' ? owner : undefined;
	} catch {
		return undefined; // torn or unreadable: left by a run that died while writing it
	}
}

function sameOwner(a: LockOwner, b: LockOwner | undefined): boolean {
	return b !== undefined && a.pid === b.pid && a.host === b.host && a.startedAt === b.startedAt;
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

/** A file younger than `ms` (a lock that may not hold its owner yet, a takeover going on). */
async function isFresh(path: string, now: number, ms: number): Promise<boolean> {
	try {
		return now - (await stat(path)).mtimeMs < ms;
	} catch {
		return false;
	}
}

async function exists(path: string): Promise<boolean> {
	return stat(path).then(
		() => true,
		() => false,
	);
}

/** Candidates left by runs killed while taking the lock: `<lock>.<pid>.<random>.tmp` of dead processes. */
async function removeDeadCandidates(path: string): Promise<void> {
	const prefix = basename(path) + '.';
	try {
		for (const name of await readdir(join(path, '..'))) {
			const pid = new RegExp(`^${prefix.replace(/\./g, '\\.')}(\\d+)\\.[0-9a-f]+\\.tmp(?:\\.replace)?$`).exec(name)?.[1];
			if (pid !== undefined && Number(pid) !== process.pid && !isAlive(Number(pid))) await unlink(join(path, '..', name)).catch(() => {});
		}
	} catch {
		// the folder cannot be listed: the leftovers stay, harmless
	}
}
