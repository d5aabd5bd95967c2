import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';

// One settings save at a time: each save is its own CGI process, and two of them on the same
// revision must not both compare, both pass, and both write (one change lost). The lock is
// a file created exclusively in the package's var folder (all saves run on this NAS); it
// names its holder's pid, so a lock left by a killed CGI is taken over. Taking over is
// atomic: the stale file is renamed away (one taker wins the rename) and checked to be the
// one found stale, not a fresh lock made meanwhile; only then is the lock created again.

export class LockBusy extends Error {}

const STALE_AFTER_MS = 30_000;

/** Runs `work` holding the lock; waits for another holder up to `waitMs`, then throws LockBusy. */
export async function withSaveLock<T>(file: string, work: () => Promise<T>, waitMs = 5000): Promise<T> {
	const token = `${process.pid} ${Date.now()} ${Math.random().toString(36).slice(2)}`;
	const deadline = Date.now() + waitMs;
	for (;;) {
		if (await tryCreate(file, token)) break;
		if (await takeOverIfStale(file)) continue;
		if (Date.now() > deadline) throw new LockBusy('another save is going on');
		await new Promise((resolve) => setTimeout(resolve, 20));
	}
	try {
		return await work();
	} finally {
		// Only our own: after a takeover by mistake the file may be another holder's.
		if ((await readFile(file, 'utf8').catch(() => '')) === token) await unlink(file).catch(() => {});
	}
}

async function tryCreate(file: string, token: string): Promise<boolean> {
	let handle;
	try {
		handle = await open(file, 'wx', 0o600);
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
		throw error;
	}
	try {
		await handle.writeFile(token);
	} finally {
		await handle.close();
	}
	return true;
}

/** True when a stale lock was moved out of the way (the caller tries to create it again). */
async function takeOverIfStale(file: string): Promise<boolean> {
	const seen = await stat(file).catch(() => undefined);
	if (!seen) return true; // released meanwhile
	const holder = await readFile(file, 'utf8').catch(() => '');
	const pid = Number(holder.split(' ')[0]);
	// An empty file is a holder that has not written its token yet, unless it is old.
	const stale = holder === '' ? Date.now() - seen.mtimeMs > STALE_AFTER_MS : !alive(pid) || Date.now() - seen.mtimeMs > STALE_AFTER_MS;
	if (!stale) return false;
	const aside = `${file}.${process.pid}.stale`;
	try {
		await rename(file, aside);
	} catch {
		return true; // another taker won the rename; try again
	}
	const moved = await stat(aside).catch(() => undefined);
	if (moved && moved.ino !== seen.ino) {
		// A fresh lock was made between our look and our rename: give it back to its holder.
		await link(aside, file).catch(() => {});
	}
	await unlink(aside).catch(() => {});
	return true;
}

function alive(pid: number): boolean {
	if (!Number.isInteger(pid) || pid <= 0) return false;
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}
