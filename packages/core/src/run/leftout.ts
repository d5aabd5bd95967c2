// A file of the database that the scan did not see but that is still there: `Exclude` or one
// of the original's filters now leaves it out (SPEC §3). It leaves M quietly, counted as "no
// longer monitored": FileNotFound would tell the user a file is gone that is not.

import { lstatSync } from 'node:fs';
import { sep } from 'node:path';
import type { Root } from '../config/config.ts';
import { nativePath } from '../scan/folder.ts';

/** True if the file of `key` (`label/relative/path`) is still a regular file under its monitored folder. */
export function stillThere(roots: readonly Root[], key: string): boolean {
	const slash = key.indexOf('/');
	const root = roots.find((r) => r.label === key.slice(0, slash));
	if (!root) return false;
	const base = root.path.endsWith(sep) ? root.path : root.path + sep;
	try {
		// synchronous, as the scan's lstat: a promise round trip costs more than the call
		return lstatSync(nativePath(base + key.slice(slash + 1).split('/').join(sep))).isFile();
	} catch {
		return false;
	}
}
