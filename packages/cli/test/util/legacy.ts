// Helpers for the tests of issue 19 (the original Equilybrium's users coming over). They treat
// the built CLI as a black box: they spawn dist/equilybrium.cjs and read only the files SPEC
// names (the database, the event logs, the run record, the report), never the sources.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { BUNDLE, REPO, ensureBundle } from '../../../core/test/util/bundle.ts';

export { BUNDLE, REPO, ensureBundle };
export const LEGACY = join(REPO, 'fixtures/legacy');

export type Role = 'A' | 'B';

export interface Ran {
	status: number | null;
	stdout: string;
	stderr: string;
	/** stdout then stderr, for messages. */
	all: string;
}

/**
 * The built CLI, in UTC (report headings show times) and with no desktop notification, from
 * `cwd` (a folder of the test's, so that a relative path can never resolve by chance).
 */
export function cli(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Ran {
	const ran = spawnSync(process.execPath, [ensureBundle(), ...args], {
		cwd: options.cwd ?? tmpdir(),
		encoding: 'utf8',
		env: { ...process.env, TZ: 'UTC', EQUILYBRIUM_DESKTOP: 'none', ...options.env },
		timeout: 60_000,
		killSignal: 'SIGKILL',
	});
	return { status: ran.status, stdout: ran.stdout, stderr: ran.stderr, all: `${ran.stdout}${ran.stderr}` };
}

/** `run --config CFG --role ROLE` plus `more`. */
export const runAs = (cfg: string, role: Role, more: string[] = [], cwd?: string) => cli(['run', '--config', cfg, '--role', role, ...more], cwd ? { cwd } : {});

export const tempDir = () => mkdtempSync(join(tmpdir(), 'eq-legacy-'));
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true, maxRetries: 3 });

/** 2023-11-14T22:13:20Z: the scenario's first-pass mtime, used for every fixture file. */
export const T1 = 1_700_000_000;
/** 2023-11-15T22:13:20Z: the scenario's second-pass mtime. */
export const T2 = 1_700_086_400;

/** A PC and a NAS below `dir`, each holding `tree` in a folder labelled Docs, and the config of both (sha256, by host name). */
export function pcAndNas(dir: string, tree: Record<string, string | Uint8Array>): { cfg: string; pc: string; nas: string } {
	const l = { cfg: join(dir, 'cfg'), pc: join(dir, 'pc'), nas: join(dir, 'nas') };
	writeFiles(l.pc, tree);
	writeFiles(l.nas, tree);
	writeConfig(l.cfg, `[Settings]
ID method = hostname
A = test-machine-a
B = test-machine-b
Hash algorithm = sha256

[Monitored Directories]
A = {"Docs": "${l.pc}"}
B = {"Docs": "${l.nas}"}
`);
	return l;
}

/** Writes `{ 'a/b.txt': content }` below `root`, each file dated `mtime` (seconds). */
export function writeFiles(root: string, files: Record<string, string | Uint8Array>, mtime = T1): void {
	for (const [rel, content] of Object.entries(files)) {
		const path = join(root, rel);
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(path, content);
		utimesSync(path, mtime, mtime);
	}
}

/** `size` bytes of `name|name|…`: a content unique to the name, as the scenario's make_tree.py writes. */
export function filler(name: string, size: number): Buffer {
	const unit = Buffer.from(`${name}|`, 'latin1');
	return Buffer.concat(Array.from({ length: Math.ceil(size / unit.length) + 1 }, () => unit)).subarray(0, size);
}

export function writeConfig(cfg: string, text: string): void {
	mkdirSync(cfg, { recursive: true });
	writeFileSync(join(cfg, 'equilybrium.config.ini'), text);
}

export const legacyText = (name: string) => readFileSync(join(LEGACY, name), 'utf8');

// --- digests, as Python's zlib and hashlib give them ---

/** zlib.adler32 as an unsigned integer. */
export function adler32(data: Uint8Array): number {
	let a = 1;
	let b = 0;
	for (const byte of data) {
		a = (a + byte) % 65521;
		b = (b + a) % 65521;
	}
	return ((b << 16) | a) >>> 0;
}

export const adler32Hex = (data: Uint8Array) => adler32(data).toString(16).padStart(8, '0');
export const hashHex = (algorithm: 'sha256' | 'md5', data: Uint8Array) => createHash(algorithm).update(data).digest('hex');

// the test's own adler32 must be Python's: the scenario's collision pair, as the original logged it
if (adler32(Buffer.from('a'.repeat(101))) !== 2693604934) throw new Error('adler32 of the helper is wrong');

// --- what a run leaves in the config folder (SPEC §2, §5, §6, §12) ---

export interface Entry {
	size: number;
	hash: string;
}

/** M as `key → {size, hash}`, from equilybrium.<role>.DB.json (its "files": [key, size, hash] rows). */
export function readM(cfg: string, role: Role): Map<string, Entry> {
	const db = JSON.parse(readFileSync(join(cfg, `equilybrium.${role}.DB.json`), 'utf8')) as { files: unknown[] };
	const m = new Map<string, Entry>();
	for (const row of db.files) {
		if (Array.isArray(row)) m.set(String(row[0]), { size: Number(row[1]), hash: String(row[2]) });
		else {
			const r = row as { key: string; size: number; hash: string };
			m.set(r.key, { size: r.size, hash: r.hash });
		}
	}
	return m;
}

export const mAsObject = (m: Map<string, Entry>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

export interface LoggedEvent {
	type: string;
	key: string;
	details: string;
}

const LOG = (role: Role) => new RegExp(`^equilybrium\\.${role}\\.Event\\.(.+)\\.log$`);

/** Every line of every equilybrium.<role>.Event.<Type>.log, by file: what a run appends to. */
function logLines(cfg: string, role: Role): Map<string, string[]> {
	const lines = new Map<string, string[]>();
	for (const name of readdirSync(cfg)) {
		if (!LOG(role).test(name)) continue;
		lines.set(name, readFileSync(join(cfg, name), 'utf8').split('\n').filter((l) => l !== ''));
	}
	return lines;
}

/** Where each log ends now: what `eventsSince` starts from. */
export type LogMark = Map<string, number>;
export function logMark(cfg: string, role: Role): LogMark {
	return new Map([...logLines(cfg, role)].map(([name, lines]) => [name, lines.length]));
}

/** The events logged since `mark` (all of them without one): `<ISO time>\t<Type>\t<key>[\t<details>]`. */
export function eventsSince(cfg: string, role: Role, mark: LogMark = new Map()): LoggedEvent[] {
	const events: LoggedEvent[] = [];
	for (const [name, lines] of logLines(cfg, role)) {
		const fileType = LOG(role).exec(name)![1]!;
		for (const line of lines.slice(mark.get(name) ?? 0)) {
			const [, type = '', key = '', details = ''] = line.split('\t');
			if (type !== fileType) throw new Error(`${name}: a line of another type: ${line}`);
			events.push({ type, key, details });
		}
	}
	return events.sort((a, b) => (a.type + a.key < b.type + b.key ? -1 : 1));
}

/** `type key` for each event, sorted: what most assertions compare. */
export const typed = (events: LoggedEvent[]) => events.map((e) => `${e.type} ${e.key}`).sort();

export function lastRun(cfg: string, role: Role): { hashedFiles: number; hashedBytes: number; exitCode: number; counts: Record<string, number>; [k: string]: unknown } {
	return JSON.parse(readFileSync(join(cfg, `equilybrium.${role}.last-run.json`), 'utf8'));
}

/** A's report's last section (`=== Equilybrium report … ===` and what follows). */
export function lastReportSection(cfg: string): string {
	const text = readFileSync(join(cfg, 'equilybrium.report.txt'), 'utf8');
	return text.slice(text.lastIndexOf('=== Equilybrium report'));
}

/** Every file below `dir`: its bytes and mtime, to show that nothing was written. */
export function snapshot(dir: string): Record<string, { sha256: string; size: number; mtimeMs: number }> {
	const out: Record<string, { sha256: string; size: number; mtimeMs: number }> = {};
	const walk = (sub: string) => {
		for (const name of readdirSync(join(dir, sub)).sort()) {
			const rel = sub ? `${sub}/${name}` : name;
			const stats = statSync(join(dir, rel));
			if (stats.isDirectory()) walk(rel);
			else out[rel] = { sha256: hashHex('sha256', readFileSync(join(dir, rel))), size: stats.size, mtimeMs: stats.mtimeMs };
		}
	};
	walk('');
	return out;
}

/** Every `….bak` file an output names must exist: a message never points at a backup that is not there. */
export function namedBackupsThatDoNotExist(output: string, dirs: string[]): string[] {
	const named = [...output.matchAll(/[^\s"'()`]+\.bak\b/g)].map((m) => m[0].replace(/[.,;:]$/, ''));
	return named.filter((name) => !(existsSync(name) || dirs.some((d) => existsSync(join(d, name)))));
}
