// A run may lstat its files by paths relative to the folder holding every monitored folder,
// as `find` does from each folder it walks, and open them to hash them likewise: the kernel
// then resolves one or two components a file instead of the whole path (~25 ms of system time less over 50,000 files at
// /tmp/equilybrium-bench/small, 5 components deep). The working directory is the process's,
// so only a shell that owns the process may let a run move it (RunHost.workingDirectory: the
// CLI's), and it is put back after.

import { dirname, isAbsolute, relative, sep } from 'node:path';
import type { Root } from '../config/config.ts';
import type { WorkingDirectory } from '../host.ts';

export interface WorkingFolder {
	/** The working directory the process is in: the folder holding every root. */
	path: string;
	/** Where each root's (as configured) files are lstat'ed from: its path relative to the working directory, ending with the separator ('' for the directory itself). */
	statBases: ReadonlyMap<string, string>;
	/** Back to the working directory the process had. */
	leave(): void;
}

/**
 * Moves the process into the deepest folder holding every root; undefined (nothing changed)
 * when the roots share nothing but the file system's root, or when the move fails.
 */
export function enterCommonFolder(roots: readonly Root[], directory: WorkingDirectory): WorkingFolder | undefined {
	if (roots.length === 0 || !roots.every((r) => isAbsolute(r.path))) return undefined;
	const common = commonFolder(roots.map((r) => r.path));
	if (common === undefined || dirname(common) === common) return undefined;
	const before = directory.current();
	try {
		directory.change(common);
	} catch {
		return undefined;
	}
	return {
		path: common,
		statBases: new Map(roots.map((r) => [r.path, relative(common, r.path) && relative(common, r.path) + sep])),
		leave: () => {
			try {
				directory.change(before);
			} catch {
				// the old working directory is gone: nothing of this process uses it (paths are absolute)
			}
		},
	};
}

/** The deepest folder that is, or holds, every one of the absolute `paths`. */
export function commonFolder(paths: readonly string[]): string | undefined {
	let candidate = paths[0];
	if (candidate === undefined) return undefined;
	const holds = (folder: string, path: string) => path === folder || path.startsWith(folder.endsWith(sep) ? folder : folder + sep);
	while (!paths.every((path) => holds(candidate!, path))) {
		const up = dirname(candidate);
		if (up === candidate) return undefined;
		candidate = up;
	}
	return candidate;
}
