import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chmodSync, chownSync, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
export const BUNDLE = join(REPO, 'dist/equilybrium.cjs');

/** Builds dist/equilybrium.cjs when a test file runs alone on a fresh clone. */
export function ensureBundle(): string {
	if (!existsSync(BUNDLE) || newestSource() > statSync(BUNDLE).mtimeMs) {
		const built = spawnSync('pnpm', ['-s', 'build'], { cwd: REPO, encoding: 'utf8' });
		if (built.status !== 0) throw new Error(`pnpm build failed:\n${built.stdout}${built.stderr}`);
	}
	return BUNDLE;
}

export const NOBODY = 65534;
export const isRoot = () => process.getuid?.() === 0;

/**
 * Runs the built CLI; `asNobody` drops to an unprivileged user when the tests run as root,
 * because root reads every file and a permission test would prove nothing.
 */
export function runCli(args: string[], options: { cwd?: string; asNobody?: boolean; env?: Record<string, string> } = {}): SpawnSyncReturns<string> {
	const node = [process.execPath, ensureBundle(), ...args];
	const command = options.asNobody && isRoot() ? ['setpriv', `--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', ...node] : node;
	return spawnSync(command[0]!, command.slice(1), {
		cwd: options.cwd ?? REPO,
		encoding: 'utf8',
		env: { ...process.env, ...options.env },
		timeout: 60_000,
		// not SIGTERM: a run stops on it gracefully, and one that hangs must fail its test, not hang it
		killSignal: 'SIGKILL',
	});
}

/** Hands a test tree to the unprivileged user (a no-op when not root). */
export function giveToNobody(dir: string): void {
	if (!isRoot()) return;
	chmodSync(dir, 0o755);
	const walk = (path: string) => {
		chownSync(path, NOBODY, NOBODY);
		if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
	};
	walk(dir);
}

function newestSource(): number {
	let newest = 0;
	const walk = (dir: string) => {
		for (const name of readdirSync(dir)) {
			const path = join(dir, name);
			const stats = statSync(path);
			if (stats.isDirectory()) walk(path);
			else newest = Math.max(newest, stats.mtimeMs);
		}
	};
	for (const pkg of ['core', 'cli']) walk(join(REPO, 'packages', pkg, 'src'));
	return newest;
}
