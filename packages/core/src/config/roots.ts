import { isAbsolute, join, resolve } from 'node:path';
import { configError } from '../errors.ts';
import type { IniSection } from './ini.ts';
import { isAbsoluteAnywhere, labelOf } from './paths.ts';

// `[Monitored Directories]`: each side's folders, a JSON list of paths (each labelled by its
// last folder name) or a JSON object {"label": "path"} (SPEC §3). The original Equilybrium's
// lists are read as it read them: "D:\video" written with single backslashes, an empty ""
// placeholder (its first-launch template's) skipped with a warning, and a relative path, which
// counts from the config folder (the original counted from wherever it was started).

export interface Root {
	label: string;
	/** A native path of the machine that owns it: as written in the config, or, when that was relative, from the config folder. */
	path: string;
	/** The path as written, when it was relative (the original Equilybrium's database names files by it). */
	written?: string;
}

const SHAPE = 'a JSON list of paths, or a JSON object {"label": "path"}';

/** One side's folders (undefined when its key is absent); `dir` is the config folder. */
export function readRoots(section: IniSection, key: string, file: string, dir: string, warnings: string[]): Root[] | undefined {
	const entry = section.values.get(key.toLowerCase());
	if (!entry) return undefined;
	const fail: (message: string) => never = (message) => {
		throw configError(file, entry.line, `[${section.name}] ${entry.name}: ${message}`);
	};
	const value = parseJson(withLiteralBackslashes(entry.value), SHAPE, fail);
	let pairs: [string, unknown][];
	if (Array.isArray(value)) {
		pairs = [];
		for (const p of value) {
			if (typeof p !== 'string') fail(`${JSON.stringify(p)} is not a path; expected ${SHAPE}`);
			if (p.trim() === '') {
				warnings.push(`${file}:${entry.line}: [${section.name}] ${entry.name}: an empty "" entry is skipped (the original Equilybrium's placeholder: put a folder there)`);
				continue;
			}
			const label = labelFor(p, dir);
			if (!label) fail(`no folder name to label "${p}" with; use the object form {"label": "${p}"}`);
			pairs.push([label, p]);
		}
	} else if (value && typeof value === 'object') {
		// JSON.parse keeps the last of two equal keys: one folder would vanish unsaid
		const twice = repeatedKey(entry.value);
		if (twice !== undefined) fail(`the label "${twice}" is given twice; labels must be unique`);
		pairs = Object.entries(value);
	} else {
		fail(`expected ${SHAPE}`);
	}
	const seen = new Map<string, string>();
	return pairs.map(([label, path]) => {
		if (typeof path !== 'string' || path.trim() === '') fail(`label "${label}" has no path`);
		if (label === '' || /[\\/]/.test(label) || label === '.' || label === '..') {
			fail(`"${label}" cannot be a label (no slashes, not empty)`);
		}
		const folded = label.normalize('NFC').toLowerCase();
		const twin = seen.get(folded);
		if (twin !== undefined) fail(`two folders share the label "${label}" ("${twin}" and "${path}"); labels must be unique: use the object form {"label": "path"}`);
		seen.set(folded, path);
		const root: Root = { label: label.normalize('NFC'), path: fromConfigFolder(dir, path) };
		if (root.path !== path) root.written = path;
		return root;
	});
}

/**
 * JSON text whose strings may hold the original Equilybrium's single backslashes: a string
 * with a backslash that starts none of `\\`, `\"`, `\uXXXX` is a Windows path written as the
 * original took it (it doubled every backslash before parsing), so all its backslashes are
 * literal: "C:\new\temp" stays C:\new\temp, not a newline and a tab. A string written as JSON
 * ("D:\\video") is read as JSON.
 */
export function withLiteralBackslashes(json: string): string {
	return json.replace(/"(?:[^"\\]|\\[\s\S])*"/g, (literal) => {
		const body = literal.slice(1, -1);
		if (!body.replace(/\\(?:[\\"]|u[0-9a-fA-F]{4})/g, '').includes('\\')) return literal;
		return `"${body.replace(/\\(?!")/g, '\\\\')}"`;
	});
}

/** The value, or `fail` with what JSON.parse found wrong, in one line. */
export function parseJson(text: string, expected: string, fail: (message: string) => never): unknown {
	try {
		return JSON.parse(text);
	} catch (error) {
		// Node quotes the whole value in its message; keep the one line that says what is wrong
		const why = (error as Error).message.split(/\n|, "/)[0]!.replace(/\s+/g, ' ');
		return fail(`not valid JSON (${why}); expected ${expected}`);
	}
}

// --- internal ---

/** A path's label: its last folder name (for "." or "..", the name of the folder it leads to). */
function labelFor(path: string, dir: string): string {
	const label = labelOf(path);
	return label === '.' || label === '..' ? labelOf(fromConfigFolder(dir, path)) : label;
}

/** An absolute path as it is; a relative one from the config folder. */
function fromConfigFolder(dir: string, path: string): string {
	if (isAbsoluteAnywhere(path)) return path;
	return isAbsolute(dir) ? resolve(dir, path) : join(dir, path);
}

/** The first key given twice at the top level of a JSON object's text, if any. */
function repeatedKey(json: string): string | undefined {
	const seen = new Set<string>();
	let depth = 0;
	for (let i = 0; i < json.length; i++) {
		const c = json[i];
		if (c === '{' || c === '[') depth++;
		else if (c === '}' || c === ']') depth--;
		else if (c === '"') {
			let end = i + 1;
			while (end < json.length && json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
			const after = json.slice(end + 1).trimStart();
			if (depth === 1 && after.startsWith(':')) {
				const key = JSON.parse(withLiteralBackslashes(json.slice(i, end + 1))) as string;
				if (seen.has(key)) return key;
				seen.add(key);
			}
			i = end;
		}
	}
	return undefined;
}
