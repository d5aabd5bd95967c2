import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Tests that need the built bundles or the .spk build them when they are missing or older than
// their sources, so each test file runs alone on a fresh clone. A lock folder keeps test files
// running side by side from building at the same time.

export const root = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const dist = join(root, 'dist');
const SOURCES = ['packages/core/src', 'packages/cli/src', 'packages/dsm/src', 'spk', 'tools/build.ts', 'tools/build-spk.ts', 'tools/spk', 'package.json'];

export function spkFile(): string {
	const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
	return join(dist, `equilybrium-${version}-0001-noarch.spk`);
}

/** Builds the .spk (and with it every bundle in dist/) unless it is newer than every source. */
export function ensureSpk(): string {
	const spk = spkFile();
	withLock(() => {
		if (isFresh(spk)) return;
		execFileSync(process.execPath, ['--import', 'tsx', 'tools/build-spk.ts'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000, env: { ...process.env, SPK_BUILD: '1' } });
	});
	return spk;
}

function isFresh(artefact: string): boolean {
	if (!existsSync(artefact)) return false;
	const built = statSync(artefact).mtimeMs;
	return SOURCES.every((source) => newest(join(root, source)) <= built);
}

function newest(path: string): number {
	if (!existsSync(path)) return 0;
	const s = statSync(path);
	if (!s.isDirectory()) return s.mtimeMs;
	return Math.max(s.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

function withLock(work: () => void): void {
	const lock = join(dist, '.build-lock');
	mkdirSync(dist, { recursive: true });
	const deadline = Date.now() + 180_000;
	for (;;) {
		try {
			mkdirSync(lock);
			break;
		} catch {
			if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > 150_000) rmdirSync(lock); // left by a killed test
			if (Date.now() > deadline) throw new Error(`${lock} is held for too long`);
			execFileSync('sleep', ['0.3']);
		}
	}
	try {
		work();
	} finally {
		rmdirSync(lock);
	}
}
