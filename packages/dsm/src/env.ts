import { join } from 'node:path';

// The only file that knows DSM's environment: the SYNOPKG_* variables DSM gives the package
// scripts (and so the daemon they start) and DSM's absolute paths. EQUILYBRIUM_DSM_ROOT puts
// those absolute paths under a prefix, which is how the simulated-DSM tests run everything
// unchanged in a temporary tree; a web request cannot set it (CGI passes only HTTP_* headers).

export const PACKAGE_NAME = 'equilybrium';

export interface DsmPaths {
	pkgName: string;
	/** `/var/packages/<pkg>/var`: kept across upgrades; status, wizard answer, pid, log. */
	pkgVar: string;
	/** `/var/packages/<pkg>/target`: replaced by upgrades; the bundles. */
	pkgDest: string;
	/** Where `/volume1`, `/volume2`… live (DSM: `/`). */
	volumesRoot: string;
	authenticateCgi: string;
	groupFile: string;
	/** The stored wizard answer: the config folder's shared folder and subfolder. */
	folderFile: string;
	statusFile: string;
	/** Created by the settings page's "run now"; the daemon takes and deletes it. */
	runNowFile: string;
	/** The daemon's log, shown by the package's log link and by the settings page on errors. */
	logFile: string;
	/** The running B run's live progress (contracts §4), written by the command line. */
	progressFile: string;
	/** The SMTP password: machine-local, never in the shared INI (SPEC §11). */
	smtpPasswordFile: string;
	/** Held while the settings page compares the INI's revision and writes it. */
	settingsLock: string;
	/** `/var/packages/<pkg>/shares`: DSM's links to the shared folders granted by conf/resource. */
	sharesLinks: string;
	/** The bundled command line that does one B run. */
	cliBundle: string;
}

export function dsmPaths(env: NodeJS.ProcessEnv = process.env): DsmPaths {
	const root = env.EQUILYBRIUM_DSM_ROOT ?? '';
	const pkgName = env.SYNOPKG_PKGNAME || PACKAGE_NAME;
	const pkgHome = join(root || '/', 'var/packages', pkgName);
	const pkgVar = env.SYNOPKG_PKGVAR || join(pkgHome, 'var');
	const pkgDest = env.SYNOPKG_PKGDEST || join(pkgHome, 'target');
	return {
		pkgName,
		pkgVar,
		pkgDest,
		volumesRoot: root || '/',
		authenticateCgi: join(root || '/', 'usr/syno/synoman/webman/modules/authenticate.cgi'),
		groupFile: join(root || '/', 'etc/group'),
		folderFile: join(pkgVar, 'config-folder'),
		statusFile: join(pkgVar, 'status.json'),
		runNowFile: join(pkgVar, 'run-now'),
		logFile: join(pkgVar, `${pkgName}.log`),
		progressFile: join(pkgVar, 'progress.json'),
		smtpPasswordFile: join(pkgVar, 'smtp-password'),
		settingsLock: join(pkgVar, 'settings.lock'),
		sharesLinks: join(pkgHome, 'shares'),
		cliBundle: join(pkgDest, 'app', 'equilybrium.cjs'),
	};
}

/** How often the daemon looks at the config and the run-now request (ms); tests shorten it. */
export function pollInterval(env: NodeJS.ProcessEnv = process.env): number {
	const value = Number(env.EQUILYBRIUM_POLL_MS);
	return Number.isFinite(value) && value >= 50 ? value : 5000;
}

/** What a child the package starts (a run, a test notification) is told of DSM: its state folder, as DSM tells the scripts. */
export function packageEnv(paths: DsmPaths): NodeJS.ProcessEnv {
	return { SYNOPKG_PKGNAME: paths.pkgName, SYNOPKG_PKGVAR: paths.pkgVar };
}
