// Running the Windows build under Wine 8 from tests. Rules learnt the hard way
// (shared/research/windows-side.md §3): Node under Wine dies on a Unix pipe for stdio, so
// output goes to files; a fresh prefix says Windows 7, which Node 22 refuses; every spawn
// has a timeout, and each test file ends its own wineserver.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(fileURLToPath(import.meta.url), '../../../../..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
export const VERSION = version;
export const dist = {
	bundle: join(root, 'dist', 'equilybrium.cjs'),
	exe: join(root, 'dist', 'equilybrium.exe'),
	windowless: join(root, 'dist', 'equilybrium-windowless.exe'),
	installer: join(root, 'dist', `equilybrium-setup-${version}.exe`),
};

/** What the Windows build is made from: newer than the installer means rebuild. */
const SOURCES = ['packages/core/src', 'packages/cli/src', 'tools/build.ts', 'tools/build-win.ts', 'tools/win', 'windows-installer', 'package.json', 'packages/node-runtimes/package.json'];

/** Builds dist/ with `pnpm build:win` when missing or older than its sources; one builder at a time. */
export function ensureWinBuild(): void {
	withLock(join(root, 'dist', '.build-win.lock'), 20 * 60_000, () => {
		const outputs = [dist.bundle, dist.exe, dist.windowless, dist.installer];
		const built = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
		const newest = Math.max(...SOURCES.map((s) => newestMtime(join(root, s))));
		if (built > newest) return;
		const result = spawnSync('pnpm', ['build:win'], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000 });
		if (result.status !== 0) throw new Error(`pnpm build:win failed (exit ${result.status}): ${result.stderr ?? result.error}`);
	});
}

export interface Wine {
	prefix: string;
	env: NodeJS.ProcessEnv;
	/** Runs a Windows program; stdout/stderr through files, never pipes. */
	run(args: string[], options?: { timeout?: number; env?: NodeJS.ProcessEnv }): { code: number | null; stdout: string; stderr: string };
	/** Starts one in the background (stdio to files); `env` adds to the prefix's (e.g. a DISPLAY). */
	start(args: string[], options?: { env?: NodeJS.ProcessEnv }): ChildProcess;
	/** Waits until every Wine process of the prefix has ended (the registry is then saved). */
	settle(): void;
	/** Stops this prefix's wineserver and everything it runs. */
	stop(): void;
}

/** A persistent prefix per test file (created once, reused by later runs), Windows 10. */
export function openWine(name: string): Wine {
	const prefix = join(process.env.EQUILYBRIUM_WINE_DIR ?? join(tmpdir(), 'equilybrium-wine'), name);
	const env: NodeJS.ProcessEnv = {
		...process.env,
		WINEPREFIX: prefix,
		WINEDEBUG: '-all',
		WINEDLLOVERRIDES: 'mscoree,mshtml=;winemenubuilder.exe=d', // no Mono/Gecko prompts, no menu entries
		DISPLAY: '',
	};
	const io = mkdtempSync(join(tmpdir(), 'eq-wine-io-'));
	const spawnOptions = (outFile: string, errFile: string) => ({ env, stdio: ['ignore', openSync(outFile, 'w'), openSync(errFile, 'w')] as ['ignore', number, number] });
	let runs = 0;
	const wine: Wine = {
		prefix,
		env,
		run(args, options = {}) {
			const out = join(io, `${++runs}.out`);
			const err = join(io, `${runs}.err`);
			const opts = spawnOptions(out, err);
			const result = spawnSync('wine', args, { ...opts, env: { ...env, ...options.env }, timeout: options.timeout ?? 120_000, killSignal: 'SIGKILL' });
			closeSync(opts.stdio[1]);
			closeSync(opts.stdio[2]);
			return { code: result.status, stdout: readFileSync(out, 'utf8'), stderr: readFileSync(err, 'utf8') + (result.error ? String(result.error) : '') };
		},
		start(args, options = {}) {
			const opts = spawnOptions(join(io, `${++runs}.out`), join(io, `${runs}.err`));
			const child = spawn('wine', args, { ...opts, env: { ...env, ...options.env } });
			child.on('spawn', () => {
				closeSync(opts.stdio[1]);
				closeSync(opts.stdio[2]);
			});
			return child;
		},
		settle() {
			spawnSync('wineserver', ['-w'], { env, stdio: 'ignore', timeout: 120_000 });
		},
		stop() {
			spawnSync('wineserver', ['-k'], { env, stdio: 'ignore', timeout: 30_000 });
			rmSync(io, { recursive: true, force: true });
		},
	};
	withLock(prefix + '.lock', 5 * 60_000, () => {
		if (existsSync(join(prefix, 'system.reg')) && existsSync(join(prefix, '.win10'))) return;
		rmSync(prefix, { recursive: true, force: true });
		mkdirSync(prefix, { recursive: true });
		const boot = spawnSync('wineboot', ['-i'], { env, stdio: 'ignore', timeout: 180_000 });
		if (boot.status !== 0) throw new Error(`wineboot -i failed for ${prefix} (${boot.status ?? boot.error})`);
		// a fresh prefix reports Windows 7, and Node 22 exits 216 on it
		const cfg = spawnSync('wine', ['winecfg', '-v', 'win10'], { env, stdio: 'ignore', timeout: 120_000 });
		if (cfg.status !== 0) throw new Error(`winecfg -v win10 failed (${cfg.status ?? cfg.error})`);
		// in the session that created the prefix, Wine's Task Scheduler refuses every
		// schtasks /Create (exit 1, no message); after a restart of the prefix it works
		spawnSync('wineserver', ['-k'], { env, stdio: 'ignore', timeout: 60_000 });
		openSync(join(prefix, '.win10'), 'w');
	});
	return wine;
}

/** `/tmp/x/y` as Wine's Z: drive sees it. */
export function winPath(path: string): string {
	return 'Z:' + path.replace(/\//g, '\\');
}

/** The canonical "files" part of a DB: from `"files":[` to the closing `],`. */
export function filesPart(db: string): string {
	const start = db.indexOf('"files":[');
	const end = db.indexOf('\n],', start);
	if (start < 0 || end < 0) throw new Error('no "files" part in this database');
	return db.slice(start, end + 3);
}

export function removeTree(dir: string): void {
	rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

function newestMtime(path: string): number {
	if (!existsSync(path)) return 0;
	const stats = statSync(path);
	if (!stats.isDirectory()) return stats.mtimeMs;
	return Math.max(stats.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** A directory as a lock between test files running in parallel; a stale one is taken over. */
function withLock(lock: string, staleMs: number, body: () => void): void {
	mkdirSync(join(lock, '..'), { recursive: true });
	const deadline = Date.now() + staleMs;
	for (;;) {
		try {
			mkdirSync(lock);
			break;
		} catch {
			const age = Date.now() - (existsSync(lock) ? statSync(lock).mtimeMs : Date.now());
			if (age > staleMs || Date.now() > deadline) {
				rmSync(lock, { recursive: true, force: true });
				continue;
			}
			spawnSync('sleep', ['1']);
		}
	}
	try {
		body();
	} finally {
		rmdirSync(lock);
	}
}
