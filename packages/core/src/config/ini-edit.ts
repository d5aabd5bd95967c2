// Edits values in the config INI the way a person would: only the lines of the keys that
// change are replaced, everything else (comments, blank lines, the other side's settings,
// unknown keys, the line endings) stays byte for byte: the NAS page saves B's settings and the
// Windows side (`init --folder` on an existing config) adds A's folders by the same rules.
// The reading rules are core's (ini.ts): a value continues on following lines indented
// deeper than its key; comment lines inside a value are skipped by the reader, and are kept
// here, after the new value.

import { keyOf } from './ini.ts';

const SECTION = /^\s*\[([^\]]+)\]\s*$/;
const COMMENT = /^[#;]/;

export function setIniValue(text: string, section: string, key: string, value: string): string {
	const eol = text.includes('\r\n') ? '\r\n' : '\n';
	const lines = text.split(/\r?\n/);
	const range = sectionRange(lines, section);
	if (!range) {
		const end = lines.length > 0 && lines[lines.length - 1] === '' ? lines.length - 1 : lines.length;
		const block = ['', `[${section}]`, ...render(key, ' = ', value, '')];
		lines.splice(end, 0, ...(end === 0 ? block.slice(1) : block));
		return lines.join(eol);
	}
	const found = findKey(lines, range, key);
	if (!found) {
		let at = range.end;
		while (at > range.start && lines[at - 1]!.trim() === '') at--;
		lines.splice(at, 0, ...render(key, ' = ', value, ''));
		return lines.join(eol);
	}
	const keyLine = lines[found.line]!;
	const delimiterAt = firstDelimiter(keyLine);
	const name = keyLine.slice(0, delimiterAt).trimEnd();
	const spacing = keyLine.slice(name.length, delimiterAt + 1) + (/\s/.test(keyLine[delimiterAt + 1] ?? '') ? ' ' : '');
	const indent = keyLine.length - keyLine.trimStart().length;
	const replacement = render(name.trimStart(), spacing, value, keyLine.slice(0, indent));
	lines.splice(found.line, found.end - found.line, ...replacement, ...found.comments);
	return lines.join(eol);
}

/** Removes a key and its value's lines; comments inside the value stay. The text is unchanged if the key is absent. */
export function removeIniValue(text: string, section: string, key: string): string {
	const eol = text.includes('\r\n') ? '\r\n' : '\n';
	const lines = text.split(/\r?\n/);
	const range = sectionRange(lines, section);
	const found = range && findKey(lines, range, key);
	if (!found) return text;
	lines.splice(found.line, found.end - found.line, ...found.comments);
	return lines.join(eol);
}

/**
 * A key's value as the core's reader sees it (continuation lines joined with newlines,
 * comment lines left out), or undefined when the section or key is absent.
 */
export function readIniValue(text: string, section: string, key: string): string | undefined {
	const lines = text.split(/\r?\n/);
	const range = sectionRange(lines, section);
	const found = range && findKey(lines, range, key);
	if (!found) return undefined;
	const first = lines[found.line]!;
	const parts = [first.slice(firstDelimiter(first) + 1).trim()];
	for (let i = found.line + 1; i < found.end; i++) {
		const t = lines[i]!.trim();
		if (t !== '' && !COMMENT.test(t)) parts.push(t);
	}
	return parts.join('\n').trim();
}

/** A value on several lines gets its continuation lines indented, as configparser wants. */
function render(name: string, delimiter: string, value: string, indent: string): string[] {
	const [first, ...rest] = value.split('\n');
	return [`${indent}${name}${delimiter}${first}`, ...rest.map((line) => `${indent}    ${line.trimStart()}`)];
}

interface Range {
	start: number;
	end: number;
}

function sectionRange(lines: string[], section: string): Range | undefined {
	const start = lines.findIndex((line) => SECTION.exec(line)?.[1]?.trim() === section);
	if (start < 0) return undefined;
	let end = start + 1;
	while (end < lines.length && !SECTION.test(lines[end]!)) end++;
	return { start: start + 1, end };
}

/** The key's line, the end (exclusive) of its value, and comment lines found inside the value. */
function findKey(lines: string[], range: Range, key: string): { line: number; end: number; comments: string[] } | undefined {
	const wanted = keyName(key);
	for (let i = range.start; i < range.end; i++) {
		const raw = lines[i]!;
		const trimmed = raw.trim();
		if (trimmed === '' || COMMENT.test(trimmed)) continue;
		const indent = raw.length - raw.trimStart().length;
		const at = firstDelimiter(raw);
		if (at < 0 || keyName(raw.slice(0, at)) !== wanted) continue;
		let end = i + 1;
		let last = i + 1;
		const comments: string[] = [];
		const pendingComments: string[] = [];
		for (let j = i + 1; j < range.end; j++) {
			const line = lines[j]!;
			const t = line.trim();
			if (t === '') continue;
			if (COMMENT.test(t)) {
				pendingComments.push(line);
				continue;
			}
			if (line.length - line.trimStart().length > indent) {
				comments.push(...pendingComments.splice(0));
				last = j + 1;
				continue;
			}
			break;
		}
		end = last;
		return { line: i, end, comments };
	}
	return undefined;
}

/** Keys are case-insensitive and an underscore is a space, as in the core's reader. */
const keyName = keyOf;

function firstDelimiter(line: string): number {
	const eq = line.indexOf('=');
	const colon = line.indexOf(':');
	if (eq < 0) return colon;
	if (colon < 0) return eq;
	return Math.min(eq, colon);
}
