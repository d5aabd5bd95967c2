import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Daemon, dsmPaths } from '../../src/index.ts';

// A daemon in-process over a temporary /volume1 (a config folder Backup/Eq and a photo share),
// with a stand-in script for the command line.

export interface DaemonCtx {
	base: string;
	configDir: string;
	daemon: Daemon;
	lines: string[];
	statusFile: string;
}

/** Fills `ctx` with a daemon (not started) whose runs are `cliBundle`, on `schedule`. */
export function setupDaemon(ctx: DaemonCtx, cliBundle: string, schedule: string, prefix: string): void {
	ctx.base = mkdtempSync(join(tmpdir(), prefix));
	ctx.configDir = join(ctx.base, 'volume1/Backup/Eq');
	mkdirSync(ctx.configDir, { recursive: true });
	mkdirSync(join(ctx.base, 'volume1/photo'), { recursive: true });
	const paths = { ...dsmPaths({ EQUILYBRIUM_DSM_ROOT: ctx.base, SYNOPKG_PKGVAR: join(ctx.base, 'var') }), cliBundle };
	mkdirSync(paths.pkgVar);
	writeFileSync(paths.folderFile, '{"share":"Backup","subfolder":"Eq"}');
	writeIni(ctx, schedule);
	ctx.statusFile = paths.statusFile;
	ctx.lines = [];
	ctx.daemon = new Daemon({ paths, node: process.execPath, version: 'test', pollMs: 100, killAfterMs: 5000, log: (l) => ctx.lines.push(l) });
}

export function writeIni(ctx: DaemonCtx, schedule: string, photo = join(ctx.base, 'volume1/photo')): void {
	writeFileSync(join(ctx.configDir, 'equilybrium.config.ini'), `[Settings]\nSchedule = ${schedule}\n\n[Monitored Directories]\nB = ["${photo}"]\n`);
}

export async function teardownDaemon(ctx: DaemonCtx): Promise<void> {
	await ctx.daemon.stop();
	rmSync(ctx.base, { recursive: true, force: true });
}
