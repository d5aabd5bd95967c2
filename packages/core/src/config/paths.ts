// Paths in the config are written for the machine that owns them: A's may be Windows
// paths read by B, and the reverse. These helpers understand both forms on any OS.

/** `/x`, `C:/x`, `C:\x`, `\\server\share`, `//server/share`. */
export function isAbsoluteAnywhere(path: string): boolean {
	return /^(\/|[A-Za-z]:[\\/]|\\\\|\/\/)/.test(path);
}

/** The last component of a path of either form; '' for a root such as `D:/` or `/`. */
export function labelOf(path: string): string {
	// `\\?\D:\x` and `\\?\UNC\server\share` are Windows' long-path spellings of `D:\x` and `\\server\share`
	const plain = path.replace(/^[\\/]{2}[?.][\\/](UNC[\\/])?/i, (_m, unc?: string) => (unc ? '\\\\' : ''));
	const parts = plain.split(/[\\/]+/).filter((p) => p !== '');
	const last = parts[parts.length - 1] ?? '';
	return /^[A-Za-z]:$/.test(last) && parts.length === 1 ? '' : last;
}
