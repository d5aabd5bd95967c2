// Exclude patterns: `*` and `?` within one path component, `**` across components,
// `[abc]` classes. A pattern without `/` is matched against the name alone (at any depth),
// one with `/` against the path below the monitored folder. Case-insensitive, because the
// same config serves Windows, whose names are.
//
// A pattern with one star at most becomes a regular expression, and all of those one
// alternation (the scan tests every name it lists). A pattern with more stars would make a
// backtracking regular expression take exponential time on a name it does not match (an
// `Exclude` of `*a*a*a*…` hung the run): those are matched by globTester's wildcard matcher,
// in time proportional to the name times the pattern.

/** What a folder's names (or paths) are tested with: the regexp's source and the patterns matched apart. */
export interface GlobSet {
	source?: string;
	globs?: string[];
}

/** The patterns as two sets: one for names alone, one for paths below the monitored folder. */
export function globRegExps(patterns: readonly string[]): { byName?: GlobSet; byPath?: GlobSet } {
	const byName: GlobSet = {};
	const byPath: GlobSet = {};
	for (const raw of patterns) {
		const pattern = raw.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '');
		if (pattern === '') continue;
		const set = pattern.includes('/') ? byPath : byName;
		if (starsOf(pattern) > 1) (set.globs ??= []).push(pattern);
		else set.source = set.source === undefined ? `(?:${globToRegExp(pattern).source})` : `${set.source}|(?:${globToRegExp(pattern).source})`;
	}
	const some = (set: GlobSet) => set.source !== undefined || set.globs !== undefined;
	return { ...(some(byName) ? { byName } : {}), ...(some(byPath) ? { byPath } : {}) };
}

/** Runs of `*` (one or two) in a pattern: each is an unbounded repetition. */
const starsOf = (pattern: string) => pattern.match(/\*+/g)?.length ?? 0;

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

/** A tester of names (or paths): what readFolder calls `test` on. */
export interface Tester {
	test(text: string): boolean;
}

/**
 * A GlobSet as a tester: this thread's, and a hashing thread's (hashing/thread.ts).
 *
 * The wildcard matcher simulates the pattern as a set of positions in it, advanced one
 * character of the text at a time (a Thompson simulation): a star position stays while it
 * may take the character, every position it may skip to is taken too.
 */
export function globTester(source: string | undefined, globs: readonly string[] | undefined): Tester | undefined {
	const regexp = source === undefined ? undefined : new RegExp(source, 'i');
	// a token: a character to match (c), any but '/' (any), a class (set), a star that stays
	// within a component (star) or crosses them (globstar); `skip`: also continue at `to`
	type Token = { kind: 'c' | 'any' | 'set' | 'star' | 'globstar'; c?: string; set?: RegExp; to?: number };
	const compiled: Token[][] = (globs ?? []).map((raw) => {
		const pattern = raw.toLowerCase();
		const tokens: Token[] = [];
		for (let i = 0; i < pattern.length; i++) {
			const c = pattern[i]!;
			if (c === '*' && pattern[i + 1] === '*') {
				if (pattern[i + 2] === '/') {
					// `**/`: nothing, or anything that ends with '/'
					tokens.push({ kind: 'globstar', to: tokens.length + 2 }, { kind: 'c', c: '/' });
					i += 2;
				} else {
					tokens.push({ kind: 'globstar' });
					i += 1;
				}
			} else if (c === '*') tokens.push({ kind: 'star' });
			else if (c === '?') tokens.push({ kind: 'any' });
			else if (c === '[' && pattern.indexOf(']', i + 1) > i) {
				const end = pattern.indexOf(']', i + 1);
				const body = pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
				tokens.push({ kind: 'set', set: new RegExp(`^[${body}]$`, 'i') });
				i = end;
			} else tokens.push({ kind: 'c', c });
		}
		return tokens;
	});
	if (!regexp && compiled.length === 0) return undefined;
	return {
		test(text: string): boolean {
			if (regexp !== undefined && regexp.test(text)) return true;
			const lower = text.toLowerCase();
			for (const tokens of compiled) {
				// the positions reached, closed over what each may skip to (a star, a `**/`)
				let states = new Set<number>();
				let pending = [0];
				for (let ch = -1; ch < lower.length; ch++) {
					if (ch >= 0) {
						pending = [];
						for (const at of states) {
							const token = tokens[at];
							if (!token) continue;
							const c = lower[ch]!;
							if (token.kind === 'globstar' || (token.kind === 'star' && c !== '/')) pending.push(at);
							else if ((token.kind === 'c' && token.c === c) || (token.kind === 'any' && c !== '/') || (token.kind === 'set' && token.set!.test(c))) pending.push(at + 1);
						}
						states = new Set<number>();
					}
					while (pending.length > 0) {
						const at = pending.pop()!;
						if (states.has(at)) continue;
						states.add(at);
						const token = tokens[at];
						if (!token) continue;
						if (token.to !== undefined) pending.push(token.to);
						if (token.kind === 'star' || token.kind === 'globstar') pending.push(at + 1);
					}
					if (states.size === 0) break;
				}
				if (states.has(tokens.length)) return true;
			}
			return false;
		},
	};
}

/** The testers of each set of excludes, made once: a run lists thousands of folders with the same excludes. */
const testers = new Map<string, Tester | undefined>();

/** globTester's tester of a GlobSet, made once per set. */
export function cachedTester(source: string | undefined, globs: readonly string[] | undefined): Tester | undefined {
	if (source === undefined && globs === undefined) return undefined;
	const id = JSON.stringify([source, globs]);
	if (!testers.has(id)) testers.set(id, globTester(source, globs));
	return testers.get(id);
}
