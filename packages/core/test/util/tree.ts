import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A fixed instant all fixture files are dated, so runs are deterministic. */
export const FIXED_MTIME = new Date('2024-05-01T10:00:00Z');

export function tempDir(prefix = 'eq-test-'): string {
	return mkdtempSync(join(tmpdir(), prefix));
}

/** Removes a temp dir, tolerating Windows' transient EBUSY. */
export function removeDir(dir: string): void {
	rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}

/** Writes `{ 'a/b.txt': 'content' }` below `root`, every file dated FIXED_MTIME (or `mtime`). */
export function writeTree(root: string, files: Record<string, string | Uint8Array>, mtime = FIXED_MTIME): void {
	for (const [rel, content] of Object.entries(files)) {
		const path = join(root, rel);
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(path, content);
		utimesSync(path, mtime, mtime);
	}
}

/** Overwrites a file's bytes in place and puts its mtime back: what bit rot looks like. */
export function corruptInPlace(path: string, content: string | Uint8Array, mtime = FIXED_MTIME): void {
	writeFileSync(path, content);
	utimesSync(path, mtime, mtime);
}

export interface ConfigOptions {
	a?: Record<string, string> | string[];
	b?: Record<string, string> | string[];
	algorithm?: string;
	extra?: string;
}

/** A config for tests: hostname IDs that match no machine, so roles come from --role. */
export function configText(options: ConfigOptions): string {
	const list = (v: ConfigOptions['a']) => JSON.stringify(v ?? []);
	return `[Settings]
ID method = hostname
A = test-machine-a
B = test-machine-b
Hash algorithm = ${options.algorithm ?? 'sha256'}
Block size = 2 ** 18
${options.extra ?? ''}

[Monitored Directories]
A = ${list(options.a)}
B = ${list(options.b)}
`;
}

export function writeConfig(dir: string, options: ConfigOptions): void {
	mkdirSync(dir, { recursive: true });
	writeFileSync(join(dir, 'equilybrium.config.ini'), configText(options));
}

/** Deterministic bytes, the same formula as tools/make-digest-vectors.py. */
export function patternBytes(length: number): Uint8Array {
	const out = new Uint8Array(length);
	for (let i = 0; i < length; i++) out[i] = (i * 31 + 7) % 251;
	return out;
}
