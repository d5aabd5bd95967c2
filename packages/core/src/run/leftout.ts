// A file of the database that the scan did not see but that is still there: `Exclude` or one
// of the original's filters now leaves it out (SPEC §3), or its whole folder left the config's
// [Monitored Directories]. It leaves M quietly, counted as "no longer monitored": FileNotFound
// would tell the user a file is gone that is not.

import { lstatSync, readdirSync } from 'node:fs';
import { sep } from 'node:path';
import type { Root } from '../config/config.ts';
import { nativePath } from '../scan/folder.ts';

/** Names outside UTF-8 are escaped in keys as lone surrogates (scan/folder.ts). */
const ESCAPED = /[\udc80-\udcff]/u;

export class LeftOut {
	/** The folder last listed, and its names (NFC, as keys hold them): lost entries come in key order, a folder's together. */
	private folder: string | undefined;
	private names = new Set<string>();

	constructor(private roots: readonly Root[]) {}

	/**
	 * True if the file of `key` (`label/relative/path`) is still a regular file under its
	 * monitored folder, by that very name, or its folder is monitored no more (every folder of
	 * the config was found reachable before the run: a label missing is one taken out of it).
	 */
	stillThere(key: string): boolean {
		const slash = key.indexOf('/');
		const root = this.roots.find((r) => r.label === key.slice(0, slash));
		if (!root) return true;
		const base = root.path.endsWith(sep) ? root.path : root.path + sep;
		const relative = key.slice(slash + 1).split('/');
		try {
			// synchronous, as the scan's lstat: a promise round trip costs more than the call
			if (!lstatSync(nativePath(base + relative.join(sep))).isFile()) return false;
		} catch {
			return false;
		}
		const name = relative.pop()!;
		if (ESCAPED.test(key)) return true;
		// where names ignore case (Windows, macOS) the lstat also finds `Photo.JPG` renamed to
		// `photo.jpg`: that is a move, and the old name is not there
		return this.namesIn(base + relative.join(sep)).has(name);
	}

	private namesIn(folder: string): Set<string> {
		if (folder !== this.folder) {
			this.folder = folder;
			try {
				this.names = new Set(readdirSync(folder).map((n) => n.normalize('NFC')));
			} catch {
				this.names = new Set();
			}
		}
		return this.names;
	}
}
