// tsx tools/bench-daemon.ts — the DSM daemon's memory while it waits for its next run (goal:
// under 60 MB RSS). Starts the built daemon against a temporary config folder with a nightly
// schedule, lets it settle, samples VmRSS from /proc, prints a table, stops it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll } from './build.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const daemonBundle = join(root, 'dist/equilybrium-dsm-daemon.cjs');
const GOAL_MB = 60;

if (!existsSync(daemonBundle)) await buildAll(['dsm-daemon', 'cli']);
const base = mkdtempSync(join(tmpdir(), 'eq-bench-'));
const configDir = join(base, 'volume1/Backup/Equilybrium');
mkdirSync(configDir, { recursive: true });
mkdirSync(join(base, 'volume1/photo'));
mkdirSync(join(base, 'var'));
writeFileSync(join(base, 'var/config-folder'), '{"share":"Backup","subfolder":"Equilybrium"}');
writeFileSync(join(configDir, 'equilybrium.config.ini'), `[Settings]\nSchedule = 0 3 * * *\n\n[Monitored Directories]\nB = ["${join(base, 'volume1/photo')}"]\n`);

const child = spawn(process.execPath, [daemonBundle], {
	env: { PATH: process.env.PATH, EQUILYBRIUM_DSM_ROOT: base, SYNOPKG_PKGVAR: join(base, 'var'), SYNOPKG_PKGDEST: join(root, 'dist/not-used') },
	stdio: 'ignore',
	detached: true,
});
const rssMb = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) / 1024;
try {
	const rows: [string, number][] = [];
	const started = Date.now();
	for (const seconds of [1, 3, 6]) {
		await new Promise((r) => setTimeout(r, started + seconds * 1000 - Date.now()));
		rows.push([`idle ${seconds} s after start`, rssMb()]);
	}
	const status = JSON.parse(readFileSync(join(base, 'var/status.json'), 'utf8')) as { state: string; nextRun?: string };
	console.log(`daemon: ${daemonBundle.slice(root.length + 1)}, node ${process.version}, state ${status.state}, next run ${status.nextRun}`);
	console.log('| measurement | RSS (MB) | goal |');
	console.log('|---|---:|---|');
	for (const [what, mb] of rows) console.log(`| ${what} | ${mb.toFixed(1)} | < ${GOAL_MB} MB ${mb < GOAL_MB ? '✔' : '✘'} |`);
} finally {
	process.kill(-child.pid!, 'SIGTERM');
	await new Promise((r) => child.once('exit', r));
	rmSync(base, { recursive: true, force: true });
}
