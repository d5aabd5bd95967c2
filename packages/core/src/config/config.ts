import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_ALGORITHMS, isAlgorithm, type AlgorithmName } from '../hashing/names.ts';
import { configError, CoreError } from '../errors.ts';
import { parseIni, type IniSection, type IniValue } from './ini.ts';
import { parseJson, readRoots, type Root } from './roots.ts';
import { FILTER_KEYS, readFilters, type Filters } from './filters.ts';
import { cronProblem } from './cron.ts';
import { CONFIG_FILE } from './folder.ts';
import { NOTIFICATIONS_SECTION, readNotifications, type NotificationSettings } from './notifications.ts';

export type Role = 'A' | 'B';
export const ID_METHODS = ['Python uuid', 'hostname'] as const;
export type IdMethod = (typeof ID_METHODS)[number];

export type { Root } from './roots.ts';
export type { Filters } from './filters.ts';

export type VerifyMode = { mode: 'full' } | { mode: 'rolling'; days: number };
/** How files on one disk are read: `auto` asks Linux whether the disk rotates. */
export const DISK_READS = ['auto', 'sequential', 'parallel'] as const;
export type DiskReads = (typeof DISK_READS)[number];

export interface Config {
	file: string;
	dir: string;
	idMethod: IdMethod;
	ids: Partial<Record<Role, string>>;
	algorithm: AlgorithmName;
	blockSize: number;
	/** B's schedule, as before `Schedule A` / `Schedule B` existed: read `schedules` instead. */
	schedule: string;
	/** Each side's cron expression: `Schedule A` / `Schedule B`, else `Schedule`, else the default. */
	schedules: Record<Role, string>;
	/** The key each side's schedule was read from and its line (none: the default), for messages. */
	scheduleFrom: Record<Role, { key: string; line?: number }>;
	exclude: string[];
	/** The original Equilybrium's filters: Min file size, Excluded extensions… (SPEC §3). */
	filters: Filters;
	verify: VerifyMode;
	/** B's database older than this is reported as stale ([Notifications] Stale after, or [Settings] Stale after days). */
	staleAfterDays: number;
	/** [Notifications]: when and how a person is told (SPEC §11). */
	notifications: NotificationSettings;
	/** Hashing threads; 'auto' = the physical cores; 0 = hash on the main thread. */
	workers: number | 'auto';
	diskReads: DiskReads;
	/** Budget of one run: rolling re-verification stops starting files past it. */
	maxRunTimeMs?: number;
	maxBytes?: number;
	roots: Partial<Record<Role, Root[]>>;
	/** Line of each key as `section/key` (lower case), for messages raised after loading. */
	lines: Record<string, number>;
	/** Non-fatal remarks, e.g. unknown keys. */
	warnings: string[];
}

export const DEFAULTS = {
	idMethod: 'Python uuid' as IdMethod,
	algorithm: 'sha256' as AlgorithmName,
	blockSize: 2 ** 18,
	schedule: '0 3 * * *',
	verify: { mode: 'full' } as VerifyMode,
	staleAfterDays: 3,
	workers: 'auto' as number | 'auto',
	diskReads: 'auto' as DiskReads,
};

export const BLOCK_SIZE_MIN = 512;
export const BLOCK_SIZE_MAX = 2 ** 28;

/** The algorithms the original Equilybrium took from zlib (`zlib.adler32`); the rest from hashlib. */
const ZLIB = ['adler32', 'crc32'];

const SETTINGS = 'Settings';
const DIRECTORIES = 'Monitored Directories';
const KNOWN_SETTINGS = ['id method', 'a', 'b', 'hash algorithm', 'block size', 'schedule', 'schedule a', 'schedule b', 'exclude', 'verify', 'stale after days',
	'workers', 'disk reads', 'max run time', 'max bytes', ...FILTER_KEYS];

export async function loadConfig(dir: string): Promise<Config> {
	const file = join(dir, CONFIG_FILE);
	let text: string;
	try {
		text = utf8Text(await readFile(file), file);
	} catch (error) {
		if (error instanceof CoreError) throw error;
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') throw configError(file, undefined, `no config file here (run "equilybrium init" to write a starter one)`);
		throw new CoreError('E_IO', `${file}: cannot be read (${code ?? String(error)})`);
	}
	return parseConfig(text, file, dir);
}

export function parseConfig(text: string, file: string, dir = '.'): Config {
	const doc = parseIni(text, file);
	const name = file;
	const settings = doc.get(SETTINGS);
	if (!settings) throw configError(name, undefined, `missing section [${SETTINGS}]`);
	const directories = doc.get(DIRECTORIES);
	if (!directories) throw configError(name, undefined, `missing section [${DIRECTORIES}]`);

	const warnings: string[] = [];
	const lines: Record<string, number> = {};
	for (const section of doc.values()) {
		for (const [key, value] of section.values) lines[`${section.name.toLowerCase()}/${key}`] = value.line;
	}
	for (const [key, value] of settings.values) {
		if (!KNOWN_SETTINGS.includes(key)) warnings.push(`${name}:${value.line}: [${SETTINGS}] ${value.name}: unknown key, ignored`);
	}
	for (const section of doc.keys()) {
		if (section !== SETTINGS && section !== DIRECTORIES && section !== NOTIFICATIONS_SECTION) warnings.push(`${name}:${doc.get(section)!.line}: unknown section [${section}], ignored`);
	}
	const read = new Reader(name, settings);
	const schedules = read.schedules();
	const notifications = readNotifications(doc.get(NOTIFICATIONS_SECTION), name, warnings);
	const config: Config = {
		file,
		dir,
		idMethod: read.oneOf('ID method', ID_METHODS, DEFAULTS.idMethod),
		ids: { A: read.text('A'), B: read.text('B') },
		algorithm: read.algorithm(),
		blockSize: read.blockSize(),
		schedule: schedules.B.cron,
		schedules: { A: schedules.A.cron, B: schedules.B.cron },
		scheduleFrom: { A: schedules.A.from, B: schedules.B.from },
		exclude: read.stringList('Exclude'),
		filters: readFilters(settings, name),
		verify: read.verify(),
		staleAfterDays: notifications.staleAfterDays ?? read.positiveNumber('Stale after days', DEFAULTS.staleAfterDays),
		notifications: notifications.settings,
		workers: read.workers(),
		diskReads: read.oneOf('Disk reads', DISK_READS, DEFAULTS.diskReads),
		maxRunTimeMs: read.duration('Max run time'),
		maxBytes: read.byteCount('Max bytes'),
		roots: { A: readRoots(directories, 'A', name, dir, warnings), B: readRoots(directories, 'B', name, dir, warnings) },
		lines,
		warnings,
	};
	for (const [key, value] of directories.values) {
		if (key !== 'a' && key !== 'b') warnings.push(`${name}:${value.line}: [${DIRECTORIES}] ${value.name}: unknown key, ignored (expected A or B)`);
	}
	return config;
}

/** The roots of one side, or a config error naming the key if that side has none. */
export function rootsOf(config: Config, role: Role): Root[] {
	const roots = config.roots[role];
	if (!roots || roots.length === 0) {
		throw configError(config.file, undefined, `[${DIRECTORIES}] ${role}: no monitored directories for ${role}`);
	}
	return roots;
}

// --- internal ---

class Reader {
	constructor(
		private file: string,
		private section: IniSection,
	) {}

	private get(key: string): IniValue | undefined {
		return this.section.values.get(key.toLowerCase());
	}

	/** Names the key as written (`Block_size`), or as documented when it is absent. */
	private fail(entry: IniValue | undefined, key: string, message: string): never {
		throw configError(this.file, entry?.line, `[${this.section.name}] ${entry?.name ?? key}: ${message}`);
	}

	text(key: string): string | undefined {
		const value = this.get(key)?.value.trim();
		return value === '' ? undefined : value;
	}

	oneOf<T extends string>(key: string, choices: readonly T[], fallback: T): T {
		const entry = this.get(key);
		if (!entry) return fallback;
		const found = choices.find((c) => c.toLowerCase() === entry.value.trim().toLowerCase());
		if (!found) this.fail(entry, key, `"${entry.value}" is not one of ${choices.map((c) => `"${c}"`).join(', ')}`);
		return found;
	}

	algorithm(): AlgorithmName {
		const key = 'Hash algorithm';
		const entry = this.get(key);
		if (!entry) return DEFAULTS.algorithm;
		// the original Equilybrium names the library too: zlib.adler32, hashlib.sha256
		const written = entry.value.trim().toLowerCase();
		const library = /^(zlib|hashlib)\.(.*)$/.exec(written);
		const value = library && (library[1] === 'zlib') === ZLIB.includes(library[2]!) ? library[2]! : written;
		if (!isAlgorithm(value) || (library && value === written)) this.fail(entry, key, `unknown algorithm "${entry.value.trim()}"; expected one of ${ALL_ALGORITHMS.join(', ')}`);
		return value;
	}

	blockSize(): number {
		const key = 'Block size';
		const entry = this.get(key);
		if (!entry) return DEFAULTS.blockSize;
		const raw = entry.value.trim();
		const power = /^(\d+)\s*\*\*\s*(\d+)$/.exec(raw);
		const value = power ? Number(power[1]) ** Number(power[2]) : /^\d+$/.test(raw) ? Number(raw) : NaN;
		if (!Number.isSafeInteger(value) || value < BLOCK_SIZE_MIN || value > BLOCK_SIZE_MAX) {
			this.fail(entry, key, `"${raw}" is not a block size; expected a whole number of bytes or "2 ** N" between ${BLOCK_SIZE_MIN} and 2 ** 28`);
		}
		return value;
	}

	/** `Schedule A` / `Schedule B` each side's own; `Schedule` alone sets both. */
	schedules(): Record<Role, { cron: string; from: { key: string; line?: number } }> {
		const both = this.schedule('Schedule');
		const side = (role: Role) => this.schedule(`Schedule ${role}`) ?? both ?? { cron: DEFAULTS.schedule, from: { key: 'Schedule' } };
		return { A: side('A'), B: side('B') };
	}

	private schedule(key: string): { cron: string; from: { key: string; line: number } } | undefined {
		const entry = this.get(key);
		if (!entry) return undefined;
		const value = entry.value.trim();
		const problem = cronProblem(value);
		if (problem) this.fail(entry, key, `"${value}" is not a cron expression node-cron can run: ${problem}`);
		return { cron: value, from: { key, line: entry.line } };
	}

	stringList(key: string): string[] {
		const entry = this.get(key);
		if (!entry) return [];
		const value = this.json(entry, key, 'a JSON list of strings, e.g. ["*.tmp", "cache/**"]');
		if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
			this.fail(entry, key, 'expected a JSON list of strings, e.g. ["*.tmp", "cache/**"]');
		}
		return value;
	}

	verify(): VerifyMode {
		const key = 'Verify';
		const entry = this.get(key);
		if (!entry) return DEFAULTS.verify;
		const value = entry.value.trim().toLowerCase();
		if (value === 'full') return { mode: 'full' };
		const rolling = /^rolling\s+(\d+)$/.exec(value);
		if (rolling && Number(rolling[1]) >= 1) return { mode: 'rolling', days: Number(rolling[1]) };
		this.fail(entry, key, `"${entry.value.trim()}" is not a verify mode; expected "full" or "rolling N" (N days, at least 1)`);
	}

	workers(): number | 'auto' {
		const key = 'Workers';
		const entry = this.get(key);
		if (!entry) return DEFAULTS.workers;
		const value = entry.value.trim().toLowerCase();
		if (value === 'auto') return 'auto';
		if (/^\d+$/.test(value) && Number(value) <= 64) return Number(value);
		this.fail(entry, key, `"${entry.value.trim()}" is not a number of hashing threads; expected "auto" (one per physical core), 0 (none: hash on the main thread) or a whole number up to 64`);
	}

	/** "90 min", "2 h", "1h30m", "45 s", or a bare number of minutes; "none" or 0 = no limit. */
	duration(key: string): number | undefined {
		const entry = this.get(key);
		if (!entry) return undefined;
		const raw = entry.value.trim().toLowerCase();
		if (raw === 'none' || raw === '0') return undefined;
		const units: Record<string, number> = { s: 1e3, sec: 1e3, min: 60e3, m: 60e3, h: 3600e3, hour: 3600e3, hours: 3600e3 };
		let total = 0;
		const rest = raw.replace(/(\d+(?:\.\d+)?)\s*([a-z]*)\s*/g, (_, n: string, unit: string) => {
			const scale = unit === '' ? 60e3 : units[unit];
			total = scale === undefined ? NaN : total + Number(n) * scale;
			return '';
		});
		if (rest !== '' || !(total > 0)) this.fail(entry, key, `"${entry.value.trim()}" is not a duration; expected e.g. "90 min", "2 h", "1h30m" or "none"`);
		return total;
	}

	/** "500 GiB", "2 TB", "10 MiB" or a bare number of bytes; "none" or 0 = no limit. */
	byteCount(key: string): number | undefined {
		const entry = this.get(key);
		if (!entry) return undefined;
		const raw = entry.value.trim();
		if (raw.toLowerCase() === 'none' || raw === '0') return undefined;
		const match = /^(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?$/i.exec(raw);
		const unit = match?.[2]?.toUpperCase() ?? 'B';
		const scale: Record<string, number> = { B: 1, KB: 1e3, MB: 1e6, GB: 1e9, TB: 1e12, KIB: 2 ** 10, MIB: 2 ** 20, GIB: 2 ** 30, TIB: 2 ** 40 };
		const value = match ? Math.floor(Number(match[1]) * scale[unit]!) : NaN;
		if (!(value > 0)) this.fail(entry, key, `"${raw}" is not an amount of data; expected e.g. "500 GiB", "2 TB" or "none"`);
		return value;
	}

	positiveNumber(key: string, fallback: number): number {
		const entry = this.get(key);
		if (!entry) return fallback;
		const value = Number(entry.value.trim());
		if (!Number.isFinite(value) || value <= 0) this.fail(entry, key, `"${entry.value.trim()}" is not a positive number`);
		return value;
	}

	private json(entry: IniValue, key: string, expected: string): unknown {
		return parseJson(entry.value, expected, (message) => this.fail(entry, key, message));
	}
}

/**
 * The file as text: UTF-8 (a byte order mark, as Notepad writes, is dropped). Anything else is
 * refused at its line: decoding a Latin-1 file as UTF-8 turned its accented paths into U+FFFD
 * without a word, and no such folder exists.
 */
function utf8Text(bytes: Buffer, file: string): string {
	const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
	try {
		return new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(start));
	} catch {
		const bad = firstInvalidUtf8(bytes, start);
		let line = 1;
		for (let i = 0; i < bad; i++) if (bytes[i] === 10) line++;
		throw configError(file, line, `not UTF-8 text (byte 0x${bytes[bad]!.toString(16).toUpperCase()}): the file was probably saved as Latin-1 or Windows-1252; save it as UTF-8`);
	}
}

function firstInvalidUtf8(bytes: Buffer, from: number): number {
	for (let i = from; i < bytes.length; ) {
		const lead = bytes[i]!;
		const length = lead < 0x80 ? 1 : lead >= 0xc2 && lead <= 0xdf ? 2 : lead >= 0xe0 && lead <= 0xef ? 3 : lead >= 0xf0 && lead <= 0xf4 ? 4 : 0;
		const piece = length > 0 ? bytes.subarray(i, i + length) : undefined;
		if (!piece || piece.length < length || !Buffer.from(piece.toString('utf8'), 'utf8').equals(piece)) return i;
		i += length;
	}
	return bytes.length - 1;
}
