// Checks a built SPK the way DSM 7 and SynoCommunity's spkrepo would, offline: plain outer
// tar, INFO format and keys, checksum, JSON files, privilege, modes, scripts, icons.
// `tsx tools/validate-spk.ts [file.spk]` prints the problems and exits 1 if there are any.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { pngSize } from './spk/png.ts';
import { readTar, type ReadEntry } from './spk/tar.ts';

export const REQUIRED_SCRIPTS = ['preinst', 'postinst', 'preuninst', 'postuninst', 'preupgrade', 'postupgrade', 'start-stop-status'];
const REQUIRED_INFO = ['package', 'version', 'os_min_ver', 'description', 'arch', 'maintainer'];
const BOOLEAN_INFO = ['ctl_stop', 'ctl_uninstall', 'startable', 'support_conf_folder', 'thirdparty', 'silent_install', 'silent_upgrade', 'silent_uninstall', 'beta'];
const PAYLOAD = ['app/equilybrium.cjs', 'app/equilybrium-dsm-daemon.cjs', 'app/equilybrium-dsm-cgi.cjs', 'ui/config', 'ui/index.html', 'ui/page.js', 'ui/page.css', 'ui/api.cgi'];
/**
 * Synology's Node.js packages the package may depend on: v22 and later. Node 20 reached its
 * end of life in April 2026; DSM 7.2's Package Center offers Node.js_v22 (since February 2025).
 */
export const MIN_NODE = 22;
/** Resource workers a DSM 7 package may use without root (others end in pkgmgr_worker_violation). */
const RESOURCE_WORKERS = ['data-share', 'systemd-user-unit', 'usr-local-linker', 'port-config', 'syslog-config'];

export function validateSpk(spk: Buffer): string[] {
	const problems: string[] = [];
	const fail = (message: string) => problems.push(message);
	if (spk[0] === 0x1f && spk[1] === 0x8b) return ['the .spk is gzip-compressed; DSM wants a plain tar'];
	if (spk.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return ['the .spk is xz-compressed; DSM wants a plain tar'];
	if (spk.subarray(0, 2).toString('ascii') === 'PK') return ['the .spk is a zip; DSM wants a plain tar'];
	let outer: ReadEntry[];
	try {
		outer = readTar(spk);
	} catch (error) {
		return [`the .spk is not a plain tar: ${(error as Error).message}`];
	}
	const files = new Map(outer.filter((e) => e.type === '0').map((e) => [e.name.replace(/^\.\//, ''), e]));
	checkModes('spk', outer, fail);

	// INFO
	const infoEntry = files.get('INFO');
	const info = new Map<string, string>();
	if (!infoEntry) fail('INFO is missing');
	else {
		const text = infoEntry.data.toString('utf8');
		if (!Buffer.from(text, 'utf8').equals(infoEntry.data)) fail('INFO is not UTF-8');
		if (text.startsWith('\uFEFF')) fail('INFO starts with a byte-order mark');
		if (text.includes('\r')) fail('INFO has CR line endings; LF only');
		text.split('\n').forEach((line, i) => {
			if (line === '') return;
			const m = /^(\w+)="(.*)"$/.exec(line);
			if (!m) return fail(`INFO line ${i + 1} is not key="value": ${line}`);
			if (info.has(m[1]!)) fail(`INFO: ${m[1]} appears twice`);
			info.set(m[1]!, m[2]!);
		});
		for (const key of REQUIRED_INFO) if (!info.get(key)) fail(`INFO: ${key} is missing`);
		const pkg = info.get('package') ?? '';
		if (pkg && !/^[\w-]+$/.test(pkg)) fail(`INFO: package "${pkg}" may only hold letters, digits, _ and -`);
		const version = info.get('version') ?? '';
		if (version && (!/^\d+(\.\d+)*-\d+$/.test(version) || version.split(/[.-]/).some((n) => Number(n) > 2 ** 31 - 1))) {
			fail(`INFO: version "${version}" is not like 1.0.0-0001 (digits, a build number after "-")`);
		}
		const os = /^(\d+)\.(\d+)-(\d+)$/.exec(info.get('os_min_ver') ?? '');
		if (!os) fail(`INFO: os_min_ver "${info.get('os_min_ver')}" is not like 7.2-64570`);
		else if (Number(os[1]) < 7 || (Number(os[1]) === 7 && Number(os[2]) < 2)) fail(`INFO: os_min_ver ${info.get('os_min_ver')} is below 7.2`);
		if (info.get('arch') !== 'noarch') fail(`INFO: arch is "${info.get('arch')}", expected noarch`);
		checkNodeDependency(info.get('install_dep_packages') ?? '', fail);
		for (const key of ['maintainer_url', 'helpurl']) {
			const link = info.get(key) ?? '';
			if (!/^https?:\/\/[^\s"]+$/.test(link) && !new RegExp(`^/webman/3rdparty/${pkg}/[\\w./-]+$`).test(link)) {
				fail(`INFO: ${key} "${link}" is not a web address (https://…) nor a page of the package (/webman/3rdparty/${pkg}/…)`);
			}
		}
		if ((info.get('changelog') ?? '').trim() === '') fail('INFO: changelog is missing (Package Center shows it)');
		for (const key of BOOLEAN_INFO) if (info.has(key) && !/^(yes|no)$/.test(info.get(key)!)) fail(`INFO: ${key} must be yes or no`);
		if (info.has('extractsize') && !/^\d+$/.test(info.get('extractsize')!)) fail('INFO: extractsize is not a number');
	}

	// package.tgz
	const tgz = files.get('package.tgz');
	let payload = new Map<string, ReadEntry>();
	if (!tgz) fail('package.tgz is missing');
	else {
		const checksum = info.get('checksum');
		const md5 = createHash('md5').update(tgz.data).digest('hex');
		if (checksum !== undefined && checksum !== md5) fail(`INFO: checksum ${checksum} does not match package.tgz (md5 ${md5})`);
		try {
			const inner = readTar(gunzipSync(tgz.data));
			checkModes('package.tgz', inner, fail);
			payload = new Map(inner.filter((e) => e.type === '0').map((e) => [e.name.replace(/^\.\//, ''), e]));
			for (const name of PAYLOAD) if (!payload.has(name)) fail(`package.tgz: ${name} is missing`);
			if ([...payload.keys()].some((n) => n.startsWith('target/'))) fail('package.tgz: entries must not start with target/');
		} catch (error) {
			fail(`package.tgz is not a gzip tar: ${(error as Error).message}`);
		}
	}

	for (const key of ['maintainer_url', 'helpurl']) {
		const local = new RegExp(`^/webman/3rdparty/${info.get('package')}/(.+)$`).exec(info.get(key) ?? '')?.[1];
		if (local && payload.size > 0 && !payload.has(`ui/${local}`)) fail(`INFO: ${key} points to ui/${local}, which package.tgz does not hold`);
	}

	// JSON files
	const json = (where: string, entry: ReadEntry | undefined): unknown => {
		if (!entry) return undefined;
		try {
			return JSON.parse(entry.data.toString('utf8'));
		} catch (error) {
			fail(`${where} is not valid JSON: ${(error as Error).message}`);
			return undefined;
		}
	};
	const privilege = json('conf/privilege', files.get('conf/privilege')) as { defaults?: { 'run-as'?: string } } | undefined;
	if (!files.has('conf/privilege')) fail('conf/privilege is missing (DSM 7 requires it)');
	else if (privilege) {
		if (privilege.defaults?.['run-as'] !== 'package') fail('conf/privilege: defaults.run-as must be "package"');
		if (JSON.stringify(privilege).includes('"root"')) fail('conf/privilege mentions root; DSM refuses third-party packages that run as root');
	}
	const resource = json('conf/resource', files.get('conf/resource'));
	const wizards = new Map<string, unknown>();
	for (const [name, entry] of files) {
		if (!name.startsWith('WIZARD_UIFILES/')) continue;
		if (!/^WIZARD_UIFILES\/(install|upgrade|uninstall)_uifile(_[a-z]{3})?(\.sh)?$/.test(name)) fail(`${name}: not a wizard file name DSM knows`);
		else if (!name.endsWith('.sh')) wizards.set(name, json(name, entry));
	}
	const user = (privilege as { username?: string } | undefined)?.username ?? info.get('package') ?? '';
	checkResource(resource, wizards.get('WIZARD_UIFILES/install_uifile'), user, fail);
	const uiConfig = json('ui/config', payload.get('ui/config')) as Record<string, Record<string, unknown>> | undefined;
	const appName = info.get('dsmappname');
	if (appName && uiConfig && !Object.values(uiConfig).some((apps) => apps && typeof apps === 'object' && appName in apps)) {
		fail(`INFO: dsmappname "${appName}" is not a key in ui/config`);
	}
	if (uiConfig) checkUiConfig(uiConfig, payload, fail);

	// Scripts (and the CGI wrapper, which DSM's web server runs with sh too)
	const scripts: [string, ReadEntry | undefined][] = REQUIRED_SCRIPTS.map((s) => [`scripts/${s}`, files.get(`scripts/${s}`)]);
	scripts.push(['scripts/common', files.get('scripts/common')], ['ui/api.cgi', payload.get('ui/api.cgi')]);
	for (const [name, entry] of scripts) {
		if (!entry) {
			if (name !== 'scripts/common') fail(`${name} is missing`);
			continue;
		}
		const text = entry.data.toString('utf8');
		if (text.includes('\r')) fail(`${name} has CRLF line endings`);
		if (name !== 'scripts/common' && !text.startsWith('#!/bin/sh\n')) fail(`${name} does not start with #!/bin/sh`);
		if (name !== 'scripts/common' && (entry.mode & 0o111) === 0) fail(`${name} is not executable (mode ${entry.mode.toString(8)})`);
		const check = spawnSync('sh', ['-n'], { input: text, encoding: 'utf8' });
		if (check.status !== 0) fail(`${name}: sh -n: ${check.stderr.trim()}`);
	}

	// Icons and licence
	const icon = (name: string, entry: ReadEntry | undefined, size: number) => {
		if (!entry) return fail(`${name} is missing`);
		const found = pngSize(entry.data);
		if (!found) return fail(`${name} is not a PNG`);
		if (found.width !== size || found.height !== size) fail(`${name} is ${found.width}×${found.height}, expected ${size}×${size}`);
	};
	icon('PACKAGE_ICON.PNG', files.get('PACKAGE_ICON.PNG'), 64);
	icon('PACKAGE_ICON_256.PNG', files.get('PACKAGE_ICON_256.PNG'), 256);
	for (const [name, entry] of payload) {
		const size = /^ui\/images\/.*_(\d+)\.png$/.exec(name)?.[1];
		if (size) icon(`package.tgz: ${name}`, entry, Number(size));
	}
	const license = files.get('LICENSE');
	if (license && license.data.length >= 1024 * 1024) fail('LICENSE is 1 MB or more; DSM shows at most 1 MB');
	return problems;
}

function checkNodeDependency(deps: string, fail: (m: string) => void): void {
	const versions = deps
		.split(':')
		.map((d) => /^Node\.js_v(\d+)\b/.exec(d.trim())?.[1])
		.filter((v): v is string => v !== undefined)
		.map(Number);
	if (versions.length === 0) return void fail(`INFO: install_dep_packages does not name Synology's Node.js package (Node.js_v${MIN_NODE})`);
	for (const v of versions) {
		if (v < MIN_NODE) fail(`INFO: install_dep_packages names Node.js_v${v}; Node ${v} has reached its end of life: depend on Node.js_v${MIN_NODE}`);
	}
}

type Wizard = { items?: { type?: string; subitems?: { key?: string; api_store?: { api?: string; method?: string } }[] }[] }[];

/**
 * conf/resource: only workers a package running as itself may use; a data-share names the
 * package's own user, and a share name taken from the wizard comes from DSM's list of shared
 * folders (data-share creates a share that does not exist: a typed name with a typo would
 * make a new, empty one).
 */
function checkResource(resource: unknown, wizard: unknown, user: string, fail: (m: string) => void): void {
	if (resource === undefined) return;
	if (typeof resource !== 'object' || resource === null) return void fail('conf/resource is not a JSON object');
	for (const worker of Object.keys(resource)) if (!RESOURCE_WORKERS.includes(worker)) fail(`conf/resource: "${worker}" is not a resource worker a package without root may use`);
	const shares = (resource as { 'data-share'?: { shares?: unknown } })['data-share']?.shares;
	if (shares === undefined) return;
	if (!Array.isArray(shares) || shares.length === 0) return void fail('conf/resource: data-share.shares must be a non-empty list');
	const items = Array.isArray(wizard) ? (wizard as Wizard).flatMap((step) => step.items ?? []) : [];
	for (const share of shares as { name?: unknown; permission?: Record<string, unknown> }[]) {
		const name = typeof share.name === 'string' ? share.name : '';
		if (name === '') fail('conf/resource: a data-share has no name');
		for (const [right, users] of Object.entries(share.permission ?? {})) {
			if (right !== 'ro' && right !== 'rw') fail(`conf/resource: data-share permission "${right}" is neither ro nor rw`);
			if (!Array.isArray(users) || users.some((u) => u !== user)) fail(`conf/resource: data-share gives "${right}" to ${JSON.stringify(users)}; only the package user "${user}" may be named`);
		}
		if (!share.permission || Object.keys(share.permission).length === 0) fail(`conf/resource: data-share "${name}" grants nothing`);
		const key = /^\{\{(\w+)\}\}$/.exec(name)?.[1];
		if (!key) continue;
		const item = items.find((i) => i.subitems?.some((s) => s.key === key));
		const sub = item?.subitems?.find((s) => s.key === key);
		if (!item || !sub) fail(`conf/resource: data-share "${name}" names a wizard key that WIZARD_UIFILES/install_uifile does not ask for`);
		else if (item.type !== 'combobox' || sub.api_store?.api !== 'SYNO.Core.Share' || sub.api_store.method !== 'list') {
			fail(`WIZARD_UIFILES/install_uifile: "${key}" names the shared folder given to data-share; it must be picked from DSM's list (a combobox with api_store SYNO.Core.Share list), or a typo makes a new share`);
		}
	}
}

/** ui/config: each script it names is in the package, and an app names its window. */
function checkUiConfig(config: Record<string, Record<string, unknown>>, payload: Map<string, ReadEntry>, fail: (m: string) => void): void {
	for (const [group, apps] of Object.entries(config)) {
		if (group.endsWith('.js') && !payload.has(`ui/${group}`)) fail(`ui/config names ${group}, which package.tgz does not hold (ui/${group})`);
		if (!apps || typeof apps !== 'object') continue;
		for (const [name, app] of Object.entries(apps)) {
			const spec = app as { type?: string; appWindow?: string; icon?: string };
			if (spec.type === 'app' && (!spec.appWindow || !(spec.appWindow in apps))) fail(`ui/config: the app ${name} names the window "${spec.appWindow}", which is not defined beside it`);
			if (spec.type === 'app' && !group.endsWith('.js')) fail(`ui/config: the app ${name} must sit under the script that defines it (a "<file>.js" key)`);
			const icon = spec.icon?.replace('{0}', '64');
			if (icon && !payload.has(`ui/${icon}`)) fail(`ui/config: the icon of ${name} (ui/${icon}) is not in package.tgz`);
		}
	}
}

function checkModes(where: string, entries: ReadEntry[], fail: (m: string) => void): void {
	for (const e of entries) {
		if (e.name.startsWith('/') || e.name.split('/').includes('..')) fail(`${where}: ${e.name} is an absolute path or climbs out with ..`);
		if (e.mode & 0o6000) fail(`${where}: ${e.name} has the setuid/setgid bit (mode ${e.mode.toString(8)}); DSM rejects it as root privilege`);
		if (e.mode & 0o022) fail(`${where}: ${e.name} is group- or world-writable (mode ${e.mode.toString(8)})`);
		if (e.type !== '0' && e.type !== '5') fail(`${where}: ${e.name} is neither a file nor a folder (type ${e.type})`);
	}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const file = process.argv[2];
	const { spkPath } = await import('./build-spk.ts');
	const path = file ?? spkPath();
	const problems = validateSpk(readFileSync(path));
	for (const p of problems) console.log(`✘ ${p}`);
	console.log(problems.length ? `${path}: ${problems.length} problem(s)` : `${path}: valid`);
	process.exitCode = problems.length ? 1 : 0;
}
