import { spawn, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readTar } from '../../../../tools/spk/tar.ts';
import { root } from './build.ts';

// A temporary DSM: /var/packages with Synology's Node.js_v22 (a link to the node running the
// tests), the package installed from the .spk the way DSM lays it out (with the link DSM makes
// for the config share its data-share resource was given), /volume1 with shared folders,
// /etc/group and a stand-in authenticate.cgi. Everything DSM runs as the package user
// runs here as an unprivileged user ("nobody" when the tests run as root).

export const PKG = 'equilybrium';
export const ADMIN = { id: 'sess-admin', token: 'tok-admin', user: 'admin' };
export const USER = { id: 'sess-user', token: 'tok-user', user: 'alice' };

export interface Dsm {
	root: string;
	pkgHome: string;
	target: string;
	var: string;
	configDir: string;
	photo: string;
	/** The package user's uid/gid. */
	uid: number;
	gid: number;
	env(extra?: Record<string, string>): Record<string, string>;
	remove(): void;
}

export function unprivileged(): { uid: number; gid: number } {
	const uid = process.getuid?.() ?? 0;
	if (uid !== 0) return { uid, gid: process.getgid?.() ?? uid };
	if (!existsSync('/usr/bin/setpriv')) throw new Error('running as root, but setpriv is missing: cannot run the package scripts as an unprivileged user');
	const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('nobody:'));
	if (!line) throw new Error('running as root, but there is no "nobody" user to run the package scripts as');
	const [, , u, g] = line.split(':');
	return { uid: Number(u), gid: Number(g) };
}

export function makeDsm(spk: string): Dsm {
	const { uid, gid } = unprivileged();
	const base = mkdtempSync(join(tmpdir(), 'eq-dsm-'));
	chmodSync(base, 0o755);
	const pkgHome = join(base, 'var/packages', PKG);
	const target = join(pkgHome, 'target');
	const varDir = join(pkgHome, 'var');
	for (const d of ['target', 'var', 'etc', 'tmp', 'home', 'scripts', 'conf']) mkdirSync(join(pkgHome, d), { recursive: true });
	const nodeDir = join(base, 'var/packages/Node.js_v22/target/usr/local/bin');
	mkdirSync(nodeDir, { recursive: true });
	symlinkSync(process.execPath, join(nodeDir, 'node'));

	// Install as DSM does: INFO, scripts, conf, wizard next to target; package.tgz into target.
	for (const entry of readTar(readFileSync(spk))) {
		if (entry.type !== '0') continue;
		if (entry.name === 'package.tgz') {
			for (const inner of readTar(gunzipSync(entry.data))) place(target, inner.name, inner.type, inner.data, inner.mode);
		} else place(pkgHome, entry.name, entry.type, entry.data, entry.mode);
	}
	const configDir = join(base, 'volume1/Backup/Equilybrium');
	const photo = join(base, 'volume1/photo');
	mkdirSync(configDir, { recursive: true });
	mkdirSync(join(photo, '2024'), { recursive: true });
	writeFileSync(join(photo, '2024/beach.jpg'), 'not really a photo\n');
	writeFileSync(join(photo, 'notes.txt'), 'hello\n');
	writeFileSync(join(configDir, 'equilybrium.config.ini'), readFileSync(join(root, 'fixtures/dsm/config.ini'), 'utf8').replaceAll('@VOLUMES@', base));
	// DSM links each share of conf/resource's data-share here (the wizard's answer: Backup).
	mkdirSync(join(pkgHome, 'shares'));
	symlinkSync(join(base, 'volume1/Backup'), join(pkgHome, 'shares/Backup'));

	const modules = join(base, 'usr/syno/synoman/webman/modules');
	mkdirSync(modules, { recursive: true });
	copyFileSync(join(root, 'fixtures/dsm/authenticate.cgi'), join(modules, 'authenticate.cgi'));
	chmodSync(join(modules, 'authenticate.cgi'), 0o755);
	writeFileSync(join(modules, 'sessions'), [ADMIN, USER].map((s) => `${s.id} ${s.token} ${s.user}`).join('\n') + '\n');
	mkdirSync(join(base, 'etc'));
	writeFileSync(join(base, 'etc/group'), `root:x:0:\nadministrators:x:101:${ADMIN.user},root\nusers:x:100:${ADMIN.user},${USER.user}\n`);

	// DSM chowns the package to its user (privilege: run-as package); the shares are the
	// admin's to grant, here granted.
	execFileSync('chown', ['-R', `${uid}:${gid}`, pkgHome, join(base, 'volume1')]);
	return {
		root: base,
		pkgHome,
		target,
		var: varDir,
		configDir,
		photo,
		uid,
		gid,
		env: (extra = {}) => ({
			PATH: '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin',
			HOME: join(pkgHome, 'home'),
			LANG: 'C.UTF-8',
			SYNOPKG_PKGNAME: PKG,
			SYNOPKG_PKGVER: '1.0.0-0001',
			SYNOPKG_PKGDEST: target,
			SYNOPKG_PKGDEST_VOL: '/volume1',
			SYNOPKG_PKGVAR: varDir,
			SYNOPKG_PKGTMP: join(pkgHome, 'tmp'),
			SYNOPKG_PKGHOME: join(pkgHome, 'home'),
			SYNOPKG_DSM_VERSION_MAJOR: '7',
			SYNOPKG_DSM_VERSION_MINOR: '2',
			SYNOPKG_DSM_VERSION_BUILD: '64570',
			SYNOPKG_DSM_ARCH: 'x86_64',
			SYNOPKG_DSM_LANGUAGE: 'enu',
			EQUILYBRIUM_DSM_ROOT: base,
			...extra,
		}),
		remove: () => {
			killLeftovers(base);
			rmSync(base, { recursive: true, force: true });
		},
	};

	function place(dir: string, name: string, type: string, data: Buffer, mode: number): void {
		const path = join(dir, name);
		if (type === '5') return void mkdirSync(path, { recursive: true });
		mkdirSync(dirname(path), { recursive: true });
		writeFileSync(path, data);
		chmodSync(path, mode & 0o777);
	}
}

export interface Ran {
	code: number | null;
	stdout: string;
	stderr: string;
	ms: number;
}

/** Runs a command as the package user in its own process group; killed after `timeoutMs`. */
export function runAs(dsm: Dsm, command: string, args: string[], env: Record<string, string>, options: { timeoutMs?: number; input?: string; cwd?: string } = {}): Promise<Ran> {
	const asRoot = (process.getuid?.() ?? 0) === 0;
	const [cmd, argv] = asRoot ? ['setpriv', [`--reuid=${dsm.uid}`, `--regid=${dsm.gid}`, '--clear-groups', '--', command, ...args]] : [command, args];
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(cmd, argv, { env, cwd: options.cwd ?? dsm.root, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		child.stdin.on('error', () => {}); // a script that never reads its input
		child.stdin.end(options.input ?? '');
		const timer = setTimeout(() => {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				/* gone */
			}
		}, options.timeoutMs ?? 30_000);
		child.on('close', (code) => {
			clearTimeout(timer);
			resolve({ code, stdout, stderr, ms: Date.now() - started });
		});
	});
}

/** Processes whose command line mentions the temporary tree (the daemon, runs, CGIs). */
export function processesUnder(base: string): number[] {
	const found: number[] = [];
	for (const name of readdirSync('/proc')) {
		if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
		try {
			const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8');
			if (cmdline.includes(base)) found.push(Number(name));
		} catch {
			/* exited meanwhile */
		}
	}
	return found;
}

export function killLeftovers(base: string): number[] {
	const left = processesUnder(base);
	for (const pid of left) {
		try {
			process.kill(pid, 'SIGKILL');
		} catch {
			/* gone */
		}
	}
	return left;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const value = await probe();
		if (value) return value;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 100));
	}
}

export function chownTree(dsm: Dsm, path: string): void {
	chownSync(path, dsm.uid, dsm.gid);
}
