import { configError } from '../errors.ts';

// A reader for Python configparser's dialect, which the seed's config is written in:
// `=` or `:` delimiters, `#`/`;` comment lines, case-insensitive keys that may contain
// spaces, and values continued on following lines indented deeper than their key. In key
// names an underscore is a space (SPEC §3): the original Equilybrium writes `Hash_algorithm`.
// The `ini` package does not fold continuation lines nor report line numbers, hence our own.

export interface IniValue {
	/** The key as written (case kept), for messages. */
	name: string;
	/** The value with continuation lines joined by '\n', as configparser returns it. */
	value: string;
	/** 1-based line of the key. */
	line: number;
}

export interface IniSection {
	name: string;
	line: number;
	/** Keyed by keyOf(name): lower-cased and trimmed (configparser's optionxform), underscores as spaces. */
	values: Map<string, IniValue>;
}

export type IniDocument = Map<string, IniSection>;

const SECTION = /^\[([^\]]+)\]\s*$/;
const COMMENT = /^[#;]/;

export function parseIni(text: string, file: string): IniDocument {
	const doc: IniDocument = new Map();
	const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
	let section: IniSection | undefined;
	let current: { entry: IniValue; indent: number; parts: string[] } | undefined;

	const finish = () => {
		if (!current) return;
		// configparser drops trailing empty lines of a multi-line value
		while (current.parts.length > 1 && current.parts[current.parts.length - 1] === '') current.parts.pop();
		current.entry.value = current.parts.join('\n');
		current = undefined;
	};

	lines.forEach((raw, index) => {
		const lineNo = index + 1;
		const trimmed = raw.trim();
		const indent = raw.length - raw.trimStart().length;
		if (COMMENT.test(trimmed)) return;
		if (trimmed === '') {
			if (current) current.parts.push('');
			return;
		}
		if (current && indent > current.indent) {
			current.parts.push(trimmed);
			return;
		}
		finish();
		const header = SECTION.exec(trimmed);
		if (header) {
			const name = header[1]!.trim();
			if (doc.has(name)) throw configError(file, lineNo, `section [${name}] appears twice`);
			section = { name, line: lineNo, values: new Map() };
			doc.set(name, section);
			return;
		}
		if (!section) throw configError(file, lineNo, `"${trimmed}" stands before any [section] header`);
		const at = delimiterIndex(raw);
		if (at < 0) throw configError(file, lineNo, `"${trimmed}" is not "key = value" (expected "=" or ":")`);
		const name = raw.slice(0, at).trim();
		if (name === '') throw configError(file, lineNo, `a value without a key in [${section.name}]`);
		const key = keyOf(name);
		if (section.values.has(key)) {
			const first = section.values.get(key)!;
			throw configError(file, lineNo, `[${section.name}] ${name}: given twice (first on line ${first.line})`);
		}
		const entry: IniValue = { name, value: '', line: lineNo };
		section.values.set(key, entry);
		current = { entry, indent, parts: [raw.slice(at + 1).trim()] };
	});
	finish();
	return doc;
}

/** A key name as the sections are keyed: `Hash_algorithm` and `hash algorithm` are one key. */
export const keyOf = (name: string) => name.trim().toLowerCase().replace(/_/g, ' ');

/** The first `=` or `:` of a line, whichever comes first (configparser's rule). */
export function delimiterIndex(line: string): number {
	const eq = line.indexOf('=');
	const colon = line.indexOf(':');
	if (eq < 0) return colon;
	if (colon < 0) return eq;
	return Math.min(eq, colon);
}
