import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { basename, posix } from 'node:path';
import cron from 'node-cron';
import { ALL_ALGORITHMS, isAlgorithm, parseConfig, isCoreError, type Config } from '@equilybrium/core';
import { removeIniValue, setIniValue } from '@equilybrium/core';
import type { ScheduleCheck } from './pc-task.ts';

// What the settings page may change: B's monitored folders, each side's schedule, the
// algorithm, the excludes and the original Equilybrium's filters (SPEC §3). Everything is validated here with a message a person can act
// on, then the edited INI is parsed again by the core so that the page can never write a
// config the runs would refuse.

export interface Folder {
	label: string;
	path: string;
}

export interface Schedules {
	/** When the PC's task runs A. */
	A: string;
	/** When this NAS's daemon runs B. */
	B: string;
}

/** Min file size, Include files with no extension, Excluded extensions, Excluded files, Avoid at dirs: the core's reading of them. */
export type Filters = Config['filters'];

export interface EditableSettings {
	folders: Folder[];
	schedules: Schedules;
	algorithm: string;
	exclude: string[];
	/** Absent (a page from before the filters): the config's filters stay as they are. */
	filters?: Filters;
}

export class InvalidInput extends Error {
	constructor(
		/** The form field to mark: a settings key, or 'body' / 'revision' for the request as a whole. */
		readonly field: string,
		message: string,
	) {
		super(message);
	}
}

export const revisionOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);

export function settingsOf(config: Config): EditableSettings {
	return {
		folders: (config.roots.B ?? []).map((r) => ({ label: r.label, path: r.path })),
		schedules: schedulesOf(config),
		algorithm: config.algorithm,
		exclude: config.exclude,
		filters: config.filters,
	};
}

/** Each side's schedule (`Schedule A` / `Schedule B`, `Schedule` setting both: SPEC §3), from a core with or without the per-side keys. */
export function schedulesOf(config: Config): Schedules {
	const loaded = config as unknown as { schedules?: Partial<Schedules>; schedule?: string };
	const both = loaded.schedule ?? '0 3 * * *';
	return { A: loaded.schedules?.A ?? both, B: loaded.schedules?.B ?? both };
}

/**
 * Checks what the page sent. `volumesRoot` is where /volumeN live: a monitored folder must be
 * inside a volume's shared folder, spelled without "..", and exist.
 */
export async function validateSettings(input: unknown, volumesRoot: string, pcCheck: ScheduleCheck, pkgUser: string): Promise<EditableSettings> {
	if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInput('body', 'expected a JSON object with folders, schedules, algorithm and exclude');
	const value = input as Record<string, unknown>;
	const given = (value.schedules ?? {}) as Record<string, unknown>;
	const schedules = { B: checkSchedule(given.B, 'scheduleB', 6), A: checkSchedule(given.A, 'scheduleA', 5) };
	const unfit = pcCheck(schedules.A);
	if (unfit) throw new InvalidInput('scheduleA', `the PC's scheduled task cannot run at "${schedules.A}": ${unfit}`);
	const algorithm = typeof value.algorithm === 'string' ? value.algorithm.trim().toLowerCase() : '';
	if (!isAlgorithm(algorithm)) throw new InvalidInput('algorithm', `"${algorithm}" is not a hash algorithm; choose one of ${ALL_ALGORITHMS.join(', ')}`);
	if (!Array.isArray(value.exclude) || !value.exclude.every((e) => typeof e === 'string')) {
		throw new InvalidInput('exclude', 'excludes must be a list of patterns, one per line');
	}
	const exclude = value.exclude.map((e) => e.trim()).filter((e) => e !== '');
	for (const pattern of exclude) {
		if (pattern.length > 300) throw new InvalidInput('exclude', `an exclude pattern is longer than 300 characters: "${pattern.slice(0, 40)}…"`);
	}
	if (!Array.isArray(value.folders)) throw new InvalidInput('folders', 'folders must be a list');
	const folders: Folder[] = [];
	for (const item of value.folders) {
		folders.push(await checkFolder(item, volumesRoot, pkgUser));
	}
	if (folders.length === 0) throw new InvalidInput('folders', 'give at least one folder to monitor, e.g. /volume1/photo');
	const seen = new Map<string, string>();
	for (const f of folders) {
		const twin = seen.get(f.label.toLowerCase());
		if (twin) throw new InvalidInput('folders', `two folders are both labelled "${f.label}" (${twin} and ${f.path}); give one a label: "Other name = ${f.path}"`);
		seen.set(f.label.toLowerCase(), f.path);
	}
	const filters = value.filters === undefined ? undefined : checkFilters(value.filters);
	return { folders, schedules, algorithm, exclude, ...(filters ? { filters } : {}) };
}

/** The filters as the page sends them (the core's shape); each mistake marks its field. */
function checkFilters(raw: unknown): Filters {
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidInput('body', 'filters must be an object with minFileSize, includeNoExtension, excludedExtensions, excludedFiles and avoidAtDirs');
	const value = raw as Record<string, unknown>;
	const min = typeof value.minFileSize === 'string' && value.minFileSize.trim() !== '' ? Number(value.minFileSize.trim()) : value.minFileSize === '' ? 0 : value.minFileSize;
	if (typeof min !== 'number' || !Number.isSafeInteger(min) || min < 0) throw new InvalidInput('minFileSize', `"${String(value.minFileSize)}" is not a size: give a whole number of bytes, e.g. 100 (0 monitors every file)`);
	if (typeof value.includeNoExtension !== 'boolean') throw new InvalidInput('includeNoExtension', 'whether files without an extension are monitored must be true or false');
	const list = (field: string, what: string): string[] => {
		const items = value[field];
		if (!Array.isArray(items) || !items.every((i) => typeof i === 'string')) throw new InvalidInput(field, `${what} must be a list of text`);
		return items.map((i) => i.trim()).filter((i) => i !== '');
	};
	const excludedExtensions: string[] = [];
	for (const item of list('excludedExtensions', 'the excluded extensions')) {
		// "log", ".log" and "*.log" all mean files ending in .log, as the config's reader takes them
		const extension = '.' + item.replace(/^\*?\./, '').toLowerCase();
		if (extension === '.' || /[\\/*?,]/.test(extension)) throw new InvalidInput('excludedExtensions', `"${item}" is not an extension; write them separated by commas, e.g. "log, .tmp"`);
		if (!excludedExtensions.includes(extension)) excludedExtensions.push(extension);
	}
	const excludedFiles: string[] = [];
	for (const name of list('excludedFiles', 'the excluded files')) {
		if (/[\\/,\x00-\x1f]/.test(name)) throw new InvalidInput('excludedFiles', `"${name}" is not a file name: no slashes or commas (names are separated by commas; for paths, use the excludes), e.g. "Thumbs.db, desktop.ini"`);
		if (!excludedFiles.includes(name)) excludedFiles.push(name);
	}
	const avoid = value.avoidAtDirs;
	if (!Array.isArray(avoid) || !avoid.every((r) => r === 'A' || r === 'B')) throw new InvalidInput('avoidAtB', 'the sides that skip @ folders must be a list of "A" and "B"');
	const avoidAtDirs = (['A', 'B'] as const).filter((role) => avoid.includes(role));
	return { minFileSize: min, includeNoExtension: value.includeNoExtension, excludedExtensions, excludedFiles, avoidAtDirs };
}

/** A cron expression node-cron takes; B's daemon also takes a seconds field, A's task never. */
function checkSchedule(raw: unknown, field: string, maxFields: 5 | 6): string {
	const schedule = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : '';
	const fields = schedule === '' ? 0 : schedule.split(' ').length;
	if (fields < 5 || fields > maxFields || !cron.validate(schedule)) {
		throw new InvalidInput(field, `"${schedule}" is not a schedule: give 5 cron fields "minute hour day month weekday", e.g. "0 3 * * *" for every night at 3:00`);
	}
	return schedule;
}

async function checkFolder(item: unknown, volumesRoot: string, pkgUser: string): Promise<Folder> {
	const raw = item as Partial<Folder> | null;
	const path = typeof raw?.path === 'string' ? raw.path.trim() : '';
	if (!path.startsWith('/')) throw new InvalidInput('folders', `"${path}" is not an absolute path; a NAS folder looks like /volume1/photo`);
	if (path.split('/').some((part) => part === '..' || part === '.')) {
		throw new InvalidInput('folders', `"${path}" contains "." or ".." parts; write the folder's plain path, e.g. /volume1/photo/2024`);
	}
	if (/[\x00-\x1f\\]/.test(path)) throw new InvalidInput('folders', `"${path}" contains control characters or backslashes`);
	const normal = posix.normalize(path).replace(/\/+$/, '');
	const volumes = posix.join(volumesRoot, '/');
	const inside = normal.startsWith(volumes) ? normal.slice(volumes.length) : '';
	if (!/^volume\d+\/[^/]+/.test(inside) || /^volume\d+\/@/.test(inside)) {
		throw new InvalidInput('folders', `"${path}" is not inside a shared folder; monitored folders are shared folders or folders in them, like ${posix.join(volumesRoot, 'volume1/photo')}`);
	}
	try {
		if (!(await stat(normal)).isDirectory()) throw new InvalidInput('folders', `"${path}" is a file, not a folder`);
		// A link inside a share must not lead the scan out of the shared folders.
		const real = await realpath(normal);
		if (!/^volume\d+\/[^/@][^/]*/.test(real.startsWith(volumes) ? real.slice(volumes.length) : '')) {
			throw new InvalidInput('folders', `"${path}" leads to ${real} (a link), which is not inside a shared folder`);
		}
	} catch (error) {
		if (error instanceof InvalidInput) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') throw new InvalidInput('folders', `"${path}" does not exist on the NAS`);
		// A folder on the way cannot be entered, so where the path leads (a link out of the
		// shares?) cannot be checked: refuse it until the package user may look.
		if (code === 'EACCES' || code === 'EPERM') {
			throw new InvalidInput('folders', `"${path}" cannot be checked: the package user "${pkgUser}" may not enter a folder on the way. Give it Read only on the shared folder (Control Panel ▸ Shared Folder ▸ Edit ▸ Permissions ▸ "System internal user"), then save again`);
		}
		throw new InvalidInput('folders', `"${path}" cannot be checked (${code ?? String(error)})`);
	}
	const given = typeof raw?.label === 'string' ? raw.label.trim() : '';
	const label = given || basename(normal);
	if (/[\\/]/.test(label) || label === '.' || label === '..') throw new InvalidInput('folders', `"${label}" cannot be a label (no slashes)`);
	return { label, path: normal };
}

/** The INI with the settings written in; throws InvalidInput if the core would refuse it. */
export function applySettings(text: string, file: string, dir: string, settings: EditableSettings): string {
	let out = text;
	out = setIniValue(out, 'Settings', 'Hash algorithm', settings.algorithm);
	out = writeSchedules(out, settings.schedules);
	out = setIniValue(out, 'Settings', 'Exclude', jsonList(settings.exclude));
	if (settings.filters) out = writeFilters(out, file, dir, settings.filters);
	out = setIniValue(out, 'Monitored Directories', 'B', renderFolders(settings.folders));
	try {
		parseConfig(out, file, dir);
	} catch (error) {
		if (isCoreError(error)) throw new InvalidInput('body', `the edited config would not load: ${error.message}`);
		throw error;
	}
	return out;
}

/**
 * One `Schedule` when both sides run at the same time (as a config written before the
 * per-side keys), else `Schedule A` and `Schedule B` alone: never a `Schedule` beside them
 * that a reader could take either way.
 */
function writeSchedules(text: string, schedules: Schedules): string {
	if (schedules.A === schedules.B) {
		const out = setIniValue(text, 'Settings', 'Schedule', schedules.B);
		return removeIniValue(removeIniValue(out, 'Settings', 'Schedule A'), 'Settings', 'Schedule B');
	}
	const out = setIniValue(setIniValue(text, 'Settings', 'Schedule A', schedules.A), 'Settings', 'Schedule B', schedules.B);
	return removeIniValue(out, 'Settings', 'Schedule');
}

/** The list form when every label is the folder's own name (as the seed writes it), else the object form. */
function renderFolders(folders: Folder[]): string {
	if (folders.every((f) => f.label === basename(f.path))) return jsonList(folders.map((f) => f.path));
	if (folders.length === 0) return '{}';
	return `{\n${folders.map((f) => `${JSON.stringify(f.label)}: ${JSON.stringify(f.path)}`).join(',\n')}\n}`;
}

/**
 * Each filter whose value changed, under its key as the file spells it (Min_file_size stays
 * so) or, if new, as the starter config does: a filter left alone keeps its line byte for byte.
 */
function writeFilters(text: string, file: string, dir: string, filters: Filters): string {
	let before: Filters | undefined;
	try {
		before = parseConfig(text, file, dir).filters;
	} catch {
		before = undefined; // refused as it is: every filter written, and the result checked
	}
	const keys: [keyof Filters, string, string][] = [
		['minFileSize', 'Min file size', String(filters.minFileSize)],
		['includeNoExtension', 'Include files with no extension', filters.includeNoExtension ? 'True' : 'False'],
		['excludedExtensions', 'Excluded extensions', filters.excludedExtensions.join(', ')],
		['excludedFiles', 'Excluded files', filters.excludedFiles.join(', ')],
		['avoidAtDirs', 'Avoid at dirs', filters.avoidAtDirs.join(', ')],
	];
	let out = text;
	for (const [field, key, value] of keys) {
		if (before && JSON.stringify(before[field]) === JSON.stringify(filters[field])) continue;
		out = setIniValue(out, 'Settings', key, value);
	}
	return out;
}

function jsonList(items: string[]): string {
	if (items.length === 0) return '[]';
	return `[\n${items.map((i) => JSON.stringify(i)).join(',\n')}\n]`;
}
