// `import-legacy`: the original Equilybrium's database becomes this side's M, so its users
// keep their baseline. Each path is put under the label of the configured folder it was
// written under; no folder is read (they may be on another machine). The entries have no
// modification time (IMPORTED_MTIME): the next run reads every file once, says nothing of
// those that did not change, and reports those that did as ChangedSinceImport. The entries
// are put in key order through scratch files when they are many (sorted.ts).

import { join } from 'node:path';
import { CoreError } from '../errors.ts';
import { rootsOf, type Config, type Role, type Root } from '../config/config.ts';
import { dbFileName } from '../config/folder.ts';
import { DbWriter, IMPORTED_MTIME } from '../db/index.ts';
import { exists } from '../files/buffered.ts';
import { acquireLock } from '../run/lock.ts';
import { readOriginalDb, type OriginalEntry } from './original.ts';
import { SortedEntries } from './sorted.ts';

export interface ImportOptions {
	config: Config;
	role: Role;
	/** The original's database file. */
	file: string;
	toolVersion: string;
	now?: () => number;
	/** A small heap (RunHost.lowMemory): fewer entries sorted in memory at a time. */
	lowMemory?: boolean;
}

export interface ImportResult {
	/** The database written. */
	path: string;
	files: number;
	bytes: number;
	/** Entries under none of the role's folders, left out (the original file keeps them); the first few paths. */
	leftOut: number;
	leftOutSample: string[];
	/** Paths the original recorded twice (under two digests): the first is kept. */
	repeated: number;
}

const SAMPLE = 5;

/**
 * Writes M from the original's database. Never replaces a database: if the role has one, it
 * is refused (E_INPUT) and nothing is written. The original's file is only read.
 */
export async function importLegacyDb(options: ImportOptions): Promise<ImportResult> {
	const { config, role, file } = options;
	const now = options.now ?? Date.now;
	const roots = rootsOf(config, role);
	const path = join(config.dir, dbFileName(role));
	// said before a large file is read, and again under the lock, before anything is written
	if (await exists(path)) throw alreadyThere(path);
	const lock = await acquireLock(config.dir, role);
	const sorted = new SortedEntries(config.dir, role, options.lowMemory);
	try {
		if (await exists(path)) throw alreadyThere(path);
		const placing = new Placing(roots, sorted);
		const original = await readOriginalDb(file, config.algorithm, (entries) => placing.add(entries));
		if (sorted.count === 0 && placing.leftOut > 0) {
			throw new CoreError(
				'E_INPUT',
				`${file}: none of its ${placing.leftOut} files is under a folder of ${role}'s [Monitored Directories] (${roots.map((r) => r.written ?? r.path).join(', ')}); ` +
					`the first is ${placing.leftOutSample[0]}. Is it ${role === 'A' ? 'B' : 'A'}'s database, or were the folders written otherwise in the original's config?`,
			);
		}
		const writer = await DbWriter.create(path, { role, algorithm: config.algorithm }, undefined, options.lowMemory);
		let files = 0;
		let bytes = 0;
		try {
			// the original verified every file on each of its runs, the last one when it wrote its database
			const verifiedAt = Math.floor(original.writtenAt);
			for await (const entry of sorted.sorted()) {
				await writer.add({ ...entry, mtimeMs: IMPORTED_MTIME, verifiedAt });
				files++;
				bytes += entry.size;
			}
			const lastRun = new Date(verifiedAt).toISOString();
			await writer.commit({ startedAt: lastRun, finishedAt: lastRun, toolVersion: options.toolVersion, roots, importedFrom: file, importedAt: new Date(now()).toISOString() });
		} catch (error) {
			await writer.discard();
			throw error;
		}
		return { path, files, bytes, leftOut: placing.leftOut, leftOutSample: placing.leftOutSample, repeated: sorted.repeated };
	} finally {
		await sorted.close();
		await lock.release();
	}
}

function alreadyThere(path: string): CoreError {
	return new CoreError(
		'E_INPUT',
		`${path} already exists: import-legacy makes a new database and never replaces one; nothing was written. ` +
			`Move that file out of the config folder first (if it is the original's database put there, import it from where you move it).`,
	);
}

/** Each entry under its folder's label, to be sorted; those under no folder counted apart. */
class Placing {
	private prefixes: { prefix: string; label: string }[];
	leftOut = 0;
	leftOutSample: string[] = [];

	constructor(
		roots: Root[],
		private sorted: SortedEntries,
	) {
		this.prefixes = roots.flatMap((root) => [...new Set([root.written ?? root.path, root.path].map(asWritten))].map((prefix) => ({ prefix, label: root.label })));
		// the longest folder first: a folder inside another takes its own files
		this.prefixes.sort((a, b) => b.prefix.length - a.prefix.length);
	}

	async add(entries: OriginalEntry[]): Promise<void> {
		for (const entry of entries) {
			const key = keyOf(entry.path, this.prefixes);
			if (key !== undefined) await this.sorted.add({ key, size: entry.size, hash: entry.hash });
			else if (this.leftOut++ < SAMPLE) this.leftOutSample.push(entry.path);
		}
	}
}

/** `label/rest` for a path written under one of the folders, NFC (SPEC §5). */
function keyOf(path: string, prefixes: { prefix: string; label: string }[]): string | undefined {
	for (const { prefix, label } of prefixes) {
		const rest = below(path, prefix);
		if (rest) return `${label}/${rest}`.normalize('NFC');
	}
	return undefined;
}

/** What follows `prefix/` in `path`; Windows folders (a drive, a share) match in any case. */
function below(path: string, prefix: string): string | undefined {
	// Path('.') as the original's folder: its glob gave the paths below it bare
	if (prefix === '.') return path.startsWith('/') || path.startsWith('../') || /^[A-Za-z]:/.test(path) ? undefined : path;
	const head = prefix.endsWith('/') ? prefix : prefix + '/';
	if (path.length <= head.length) return undefined;
	const start = path.slice(0, head.length);
	const windows = /^([A-Za-z]:|\/\/)/.test(prefix);
	if (start === head || (windows && start.toLowerCase() === head.toLowerCase())) return path.slice(head.length);
	return undefined;
}

/**
 * A folder as the original's paths begin with it: Python's `Path(folder).as_posix()`. Its
 * backslashes are separators (the original ran on Windows as A); `.` steps, repeated and
 * trailing slashes go; a root (`/`, `D:/`) keeps its slash.
 */
export function asWritten(folder: string): string {
	const slashed = folder.replace(/\\/g, '/');
	const unc = slashed.startsWith('//') && !slashed.startsWith('///');
	const parts = slashed.split('/').filter((p, i) => p !== '.' && (p !== '' || i === 0));
	let out = parts.join('/');
	if (unc) out = '/' + out;
	if (out === '') return slashed.startsWith('/') ? '/' : '.';
	if (/^[A-Za-z]:$/.test(out)) return out + '/';
	return out;
}
