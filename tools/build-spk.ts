// pnpm build:spk — builds dist/equilybrium-<version>-noarch.spk from a clean checkout on any
// Linux, without Synology's toolkit: the bundles from tools/build.ts, the files in spk/, the
// icons drawn by tools/spk/png.ts, packed with our own deterministic tar writer.
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleOf, targets } from './build.ts';
import { drawIcon } from './spk/png.ts';
import { writeTar, type TarEntry } from './spk/tar.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const spk = join(root, 'spk');
export const SCRIPTS = ['preinst', 'postinst', 'preuninst', 'postuninst', 'preupgrade', 'postupgrade', 'start-stop-status'] as const;
export const UI_ICON_SIZES = [16, 24, 32, 48, 64, 72, 256];
/** The build targets the package ships, by the name they have in dist/ and in the package. */
const BUNDLES = ['cli', 'dsm-daemon', 'dsm-cgi'];
/** The page's files in spk/ui (api.cgi, executable, apart). */
export const UI_FILES = ['config', 'index.html', 'page.css', 'page.js', 'equilybrium.js', 'help.html'];
/** The help the package ships, served by DSM: Package Center's links open it when no project site is given. */
const LOCAL_HELP = '/webman/3rdparty/equilybrium/help.html';

/**
 * INFO's maintainer_url and helpurl: the project's site when the build is told it (SPK_HOMEPAGE,
 * else the root package.json's "homepage"), else the help page inside the package.
 */
export function spkLinks(): { homepage: string; help: string } {
	const { homepage } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { homepage?: string };
	const site = process.env.SPK_HOMEPAGE || homepage;
	return site ? { homepage: site, help: site } : { homepage: LOCAL_HELP, help: LOCAL_HELP };
}

/** "1.0.0" + build 1 → "1.0.0-0001": DSM compares the build number, which must grow every release. */
export function spkVersion(): string {
	const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
	const build = Number(process.env.SPK_BUILD ?? 1);
	if (!/^\d+\.\d+\.\d+$/.test(version) || !Number.isInteger(build) || build < 1) throw new Error(`cannot make an SPK version from "${version}" and build "${process.env.SPK_BUILD}"`);
	return `${version}-${String(build).padStart(4, '0')}`;
}

export function spkPath(version = spkVersion()): string {
	return join(root, 'dist', `equilybrium-${version}-noarch.spk`);
}

export async function buildSpk(): Promise<string> {
	const bundles = await bundle();
	const version = spkVersion();
	const mtime = sourceDate();
	const text = (path: string) => {
		const data = readFileSync(join(spk, path));
		if (data.includes('\r'.charCodeAt(0))) throw new Error(`spk/${path} has CRLF line endings; DSM's sh needs LF`);
		return data;
	};
	const file = (name: string, data: Buffer, mode = 0o644): TarEntry => ({ name, data, mode });
	const dir = (name: string): TarEntry => ({ name, mode: 0o755 });

	// package.tgz: what DSM extracts to /var/packages/equilybrium/target
	const payload: TarEntry[] = [
		dir('app'),
		...[...bundles].map(([name, data]) => file(`app/${name}`, data)),
		dir('ui'),
		file('ui/api.cgi', text('ui/api.cgi'), 0o755),
		...UI_FILES.map((name) => file(`ui/${name}`, text(`ui/${name}`))),
		// what synodsmnotify looks its title and text up in (packages/cli/src/notify/desktop-dsm.ts)
		dir('ui/texts'),
		dir('ui/texts/enu'),
		file('ui/texts/enu/strings', text('ui/texts/enu/strings')),
		dir('ui/images'),
		...UI_ICON_SIZES.map((size) => file(`ui/images/equilybrium_${size}.png`, drawIcon(size))),
	];
	const packageTgz = gzipSync(writeTar(payload, mtime), { level: 9 });
	const extractSize = Math.ceil(payload.reduce((sum, e) => sum + (e.data?.length ?? 0), 0) / 1024);
	const links = spkLinks();
	const info = text('INFO.in')
		.toString('utf8')
		.replace('@VERSION@', version)
		.replace('@HOMEPAGE@', links.homepage)
		.replace('@HELPURL@', links.help)
		.replace('@EXTRACTSIZE@', String(extractSize))
		.replace('@CHECKSUM@', createHash('md5').update(packageTgz).digest('hex'));

	const outer: TarEntry[] = [
		file('INFO', Buffer.from(info)),
		file('package.tgz', packageTgz),
		dir('scripts'),
		...SCRIPTS.map((s) => file(`scripts/${s}`, text(`scripts/${s}`), 0o755)),
		file('scripts/common', text('scripts/common')),
		dir('conf'),
		file('conf/privilege', text('conf/privilege')),
		file('conf/resource', text('conf/resource')),
		dir('WIZARD_UIFILES'),
		...readdirSync(join(spk, 'WIZARD_UIFILES')).sort().map((w) => file(`WIZARD_UIFILES/${w}`, text(`WIZARD_UIFILES/${w}`))),
		file('LICENSE', text('LICENSE')),
		file('PACKAGE_ICON.PNG', drawIcon(64)),
		file('PACKAGE_ICON_256.PNG', drawIcon(256)),
	];
	const out = spkPath(version);
	mkdirSync(dirname(out), { recursive: true });
	writeFileSync(out, writeTar(outer, mtime));
	return out;
}

/** The bundles, built in memory: other builds writing dist/ at the same time cannot tear them. */
async function bundle(): Promise<Map<string, Buffer>> {
	const out = new Map<string, Buffer>();
	for (const name of BUNDLES) out.set(basename(targets[name]!.outfile!), Buffer.from(await bundleOf(name)));
	return out;
}

/** Reproducible builds: SOURCE_DATE_EPOCH, else the last commit's time, else now. */
function sourceDate(): number {
	if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
	try {
		return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: root, encoding: 'utf8' }).trim());
	} catch {
		return Math.floor(Date.now() / 1000);
	}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	buildSpk().then(
		(out) => console.log(`built ${out.slice(root.length + 1)} (${(readFileSync(out).length / 1024).toFixed(0)} KiB)`),
		(error: unknown) => {
			console.error(`build:spk: ${(error as Error).message ?? String(error)}`);
			process.exit(1);
		},
	);
}
