import { access, constants, readdir, readFile, realpath, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DsmPaths } from './env.ts';

// The install wizard asks for the config folder as a shared folder plus a subfolder; the
// answer is stored as such (not as /volumeN/… ) so that moving a share to another volume
// does not break the package. It is resolved to a path at each use.

export interface FolderAnswer {
	share: string;
	subfolder: string;
}

export type Resolved = { ok: true; dir: string; answer: FolderAnswer } | { ok: false; problem: string };

/** A message for a bad shared-folder name, or undefined when it is fine. */
export function checkShare(share: string): string | undefined {
	if (share.trim() === '') return 'the shared folder is empty; give the name of a shared folder, e.g. "Backup"';
	if (/[\\/:*?"<>|\x00-\x1f]/.test(share) || share === '.' || share === '..') {
		return `"${share}" is not a shared folder name (a name like "Backup", without / \\ : * ? " < > |)`;
	}
	return undefined;
}

/** A message for a bad subfolder, or undefined when it is fine. Empty means the share itself. */
export function checkSubfolder(subfolder: string): string | undefined {
	if (subfolder === '') return undefined;
	if (subfolder.startsWith('/') || /[\\:*?"<>|\x00-\x1f]/.test(subfolder)) {
		return `"${subfolder}" is not a subfolder (a relative path like "Equilybrium" or "Sync/Equilybrium")`;
	}
	if (subfolder.split('/').some((part) => part === '..' || part === '.' || part === '')) {
		return `"${subfolder}" must not contain "..", "." or empty parts: the config folder stays inside its shared folder`;
	}
	return undefined;
}

export async function readAnswer(paths: DsmPaths): Promise<FolderAnswer | undefined> {
	let text: string;
	try {
		text = await readFile(paths.folderFile, 'utf8');
	} catch {
		return undefined;
	}
	try {
		const value = JSON.parse(text) as Partial<FolderAnswer>;
		if (typeof value.share !== 'string') return undefined;
		return { share: value.share, subfolder: typeof value.subfolder === 'string' ? value.subfolder.replace(/^\/+|\/+$/g, '') : '' };
	} catch {
		return undefined;
	}
}

export async function resolveConfigFolder(paths: DsmPaths): Promise<Resolved> {
	const answer = await readAnswer(paths);
	if (!answer) {
		return { ok: false, problem: `no config folder chosen yet (${paths.folderFile} is missing or unreadable); reinstall the package and answer the wizard` };
	}
	const bad = checkShare(answer.share) ?? checkSubfolder(answer.subfolder);
	if (bad) return { ok: false, problem: `the stored config folder is invalid: ${bad}` };
	const share = await findShare(paths, answer.share);
	if (!share) return { ok: false, problem: `the shared folder "${answer.share}" was not found on any volume` };
	return { ok: true, dir: answer.subfolder ? join(share, answer.subfolder) : share, answer };
}

/**
 * The share's folder: DSM's link for a share granted by conf/resource (it follows the share
 * to whichever volume holds it), else `/volumeN/<share>` on the first volume that has it.
 */
async function findShare(paths: DsmPaths, share: string): Promise<string | undefined> {
	const linked = await realpath(join(paths.sharesLinks, share)).catch(() => undefined);
	if (linked) return linked;
	for (const volume of await volumesOf(paths.volumesRoot)) {
		const candidate = join(paths.volumesRoot, volume, share);
		try {
			await stat(candidate);
			return candidate;
		} catch (error) {
			// It exists but the package user may not enter it: still the right one, and the
			// status will say which permission is missing.
			if ((error as NodeJS.ErrnoException).code === 'EACCES') return candidate;
		}
	}
	return undefined;
}

export interface ShareInfo {
	name: string;
	path: string;
	/** Can the package user read and write in it (as a config folder needs)? */
	writable: boolean;
}

/** The shared folders on the volumes, for the page's config-folder picker. */
export async function listShares(paths: DsmPaths): Promise<ShareInfo[]> {
	const shares: ShareInfo[] = [];
	const seen = new Set<string>();
	for (const volume of await volumesOf(paths.volumesRoot)) {
		let names: string[];
		try {
			names = await readdir(join(paths.volumesRoot, volume));
		} catch {
			continue;
		}
		// DSM's own folders on a volume start with @ (or #, . for recycle bins and hidden ones)
		for (const name of names.sort((a, b) => a.localeCompare(b))) {
			if (/^[@#.]/.test(name) || seen.has(name) || checkShare(name)) continue;
			const path = join(paths.volumesRoot, volume, name);
			if (!(await stat(path).then((s) => s.isDirectory(), () => false))) continue;
			seen.add(name);
			const writable = await access(path, constants.R_OK | constants.W_OK | constants.X_OK).then(() => true, () => false);
			shares.push({ name, path, writable });
		}
	}
	return shares;
}

/** Stores a new config folder (the page's "change"), atomically: the daemon reads it at its next poll. */
export async function writeAnswer(paths: DsmPaths, answer: FolderAnswer): Promise<void> {
	const tmp = `${paths.folderFile}.${process.pid}.tmp`;
	await writeFile(tmp, JSON.stringify(answer) + '\n');
	await rename(tmp, paths.folderFile).catch(async (error: unknown) => {
		await unlink(tmp).catch(() => {});
		throw error;
	});
}

async function volumesOf(volumesRoot: string): Promise<string[]> {
	let names: string[];
	try {
		names = await readdir(volumesRoot);
	} catch {
		return [];
	}
	return names.filter((n) => /^volume\d+$/.test(n)).sort((a, b) => Number(a.slice(6)) - Number(b.slice(6)));
}
