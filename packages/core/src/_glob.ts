// Exclude patterns: `*` and `?` within one path component, `**` across components,
// `[abc]` classes. A pattern without `/` is matched against the name alone (at any depth),
// one with `/` against the path below the monitored folder. Case-insensitive, because the
// same config serves Windows, whose names are.

/** The patterns as two regexps: one for names alone, one for paths below the monitored folder. */
export function globRegExps(patterns: readonly string[]): { byName?: RegExp; byPath?: RegExp } {
	const byName: RegExp[] = [];
	const byPath: RegExp[] = [];
	for (const raw of patterns) {
		const pattern = raw.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
		if (pattern === '') continue;
		(pattern.includes('/') ? byPath : byName).push(globToRegExp(pattern));
	}
	// one alternation each: the scan tests every name it lists, and twenty regexps a name add up
	const name = union(byName);
	const path = union(byPath);
	return { ...(name ? { byName: name } : {}), ...(path ? { byPath: path } : {}) };
}

function union(patterns: RegExp[]): RegExp | undefined {
	if (patterns.length === 0) return undefined;
	return new RegExp(patterns.map((r) => `(?:${r.source})`).join('|'), 'i');
}

export function globToRegExp(pattern: string): RegExp {
	let out = '';
	for (let i = 0; i < pattern.length; i++) {
		const c = pattern[i]!;
		if (c === '*') {
			if (pattern[i + 1] === '*') {
				const slash = pattern[i + 2] === '/';
				out += slash ? '(?:.*/)?' : '.*';
				i += slash ? 2 : 1;
			} else out += '[^/]*';
		} else if (c === '?') out += '[^/]';
		else if (c === '[') {
			const end = pattern.indexOf(']', i + 1);
			if (end < 0) out += '\\[';
			else {
				const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
				out += `[${body}]`;
				i = end;
			}
		} else out += c.replace(/[.+^${}()|\\]/g, '\\$&');
	}
	return new RegExp(`^${out}$`, 'i');
}
