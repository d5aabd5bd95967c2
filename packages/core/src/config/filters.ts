import { configError } from '../errors.ts';
import type { IniSection, IniValue } from './ini.ts';

// The original Equilybrium's filters (SPEC §3), meaning what they meant there: its config
// files carry them, and its users rely on them. Their defaults leave everything monitored.
// The scan applies them (scan/filters.ts); a file a filter newly leaves out leaves M quietly.

export interface Filters {
	/** `Min file size`: files smaller than this many bytes are not monitored (0: none is too small). */
	minFileSize: number;
	/** `Include files with no extension`: false leaves out files whose name holds no dot. */
	includeNoExtension: boolean;
	/** `Excluded extensions`: lower case, each with its leading dot (".log", ".tar.gz"); matched whatever the case. */
	excludedExtensions: string[];
	/** `Excluded files`: file names, matched exactly (case too), at any depth. */
	excludedFiles: string[];
	/** `Avoid at dirs`: the roles that skip every folder whose name starts with "@". */
	avoidAtDirs: ('A' | 'B')[];
}

export const DEFAULT_FILTERS: Readonly<Filters> = { minFileSize: 0, includeNoExtension: true, excludedExtensions: [], excludedFiles: [], avoidAtDirs: [] };

/** Their keys as the config's reader keys them (ini.ts keyOf): `Min_file_size` is `min file size`. */
export const FILTER_KEYS = ['min file size', 'include files with no extension', 'excluded extensions', 'excluded files', 'avoid at dirs'];

/** The filters of `[Settings]`; an absent or empty key is its default. */
export function readFilters(section: IniSection, file: string): Filters {
	const filters: Filters = { ...DEFAULT_FILTERS, excludedExtensions: [], excludedFiles: [], avoidAtDirs: [] };
	const fail = (entry: IniValue, message: string): never => {
		throw configError(file, entry.line, `[${section.name}] ${entry.name}: ${message}`);
	};
	const given = (key: string) => {
		const entry = section.values.get(key);
		return entry && entry.value.trim() !== '' ? { entry, value: entry.value.trim() } : undefined;
	};

	const min = given('min file size');
	if (min) filters.minFileSize = byteSize(min.value) ?? fail(min.entry, `"${min.value}" is not a file size; expected a whole number of bytes (100), or e.g. "4 KiB"; 0 monitors every file`);

	const noExtension = given('include files with no extension');
	if (noExtension) {
		const yes = BOOLEAN[noExtension.value.toLowerCase()];
		filters.includeNoExtension = yes ?? fail(noExtension.entry, `"${noExtension.value}" is not True or False`);
	}

	const extensions = given('excluded extensions');
	if (extensions) {
		for (const item of commaList(extensions.value)) {
			// "log", ".log" and "*.log" all mean files ending in .log
			const extension = '.' + item.replace(/^\*?\./, '').toLowerCase();
			if (extension === '.' || /[\\/*?]/.test(extension)) fail(extensions.entry, `"${item}" is not an extension; expected a comma-separated list such as "log, .tmp"`);
			filters.excludedExtensions.push(extension);
		}
	}

	const names = given('excluded files');
	if (names) {
		for (const name of commaList(names.value)) {
			if (/[\\/]/.test(name)) fail(names.entry, `"${name}" is not a file name (no slashes); expected a comma-separated list such as "Thumbs.db, desktop.ini" (use Exclude for paths)`);
			filters.excludedFiles.push(name);
		}
	}

	const avoid = given('avoid at dirs');
	if (avoid) {
		// the original tested whether the role's letter is in the value: "B", "A, B" and "AB" all work
		const words = avoid.value.split(/[\s,;]+/).filter((w) => w !== '');
		if (!words.every((w) => /^[ab]+$/i.test(w))) fail(avoid.entry, `"${avoid.value}" is not a list of roles; expected A, B or "A, B" (the sides that skip folders whose name starts with @), or nothing`);
		const letters = words.join('').toUpperCase();
		filters.avoidAtDirs = (['A', 'B'] as const).filter((role) => letters.includes(role));
	}
	return filters;
}

// --- internal ---

/** configparser's getboolean words. */
const BOOLEAN: Record<string, boolean> = { '1': true, yes: true, true: true, on: true, '0': false, no: false, false: false, off: false };

const commaList = (value: string) => value.split(',').map((item) => item.trim()).filter((item) => item !== '');

const UNITS: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30 };

/** "100", "4 KiB", "1 MB": a whole number of bytes; undefined if it is none. */
function byteSize(value: string): number | undefined {
	const match = /^(\d+(?:\.\d+)?)\s*([KMG]i?B|B)?$/i.exec(value);
	if (!match) return undefined;
	const bytes = Math.ceil(Number(match[1]) * UNITS[(match[2] ?? 'B').toUpperCase()]!);
	return Number.isSafeInteger(bytes) ? bytes : undefined;
}
