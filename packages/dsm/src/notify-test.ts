import { execFile } from 'node:child_process';
import { packageEnv, type DsmPaths } from './env.ts';
import { readSmtpPassword } from './notifications.ts';

// The page's "Send a test": the command line sends a test message on every channel the
// saved `[Notifications]` sets (contracts §2), as B, with the same environment as B's runs,
// so what arrives is what a run would send.

export interface ChannelResult {
	channel: string;
	ok: boolean;
	detail?: string;
}

export type NotifyTestResult = { ran: true; exitCode: number; channels: ChannelResult[]; message?: string } | { ran: false; message: string };

/** A slow mail server must not hold the page: the command line gives up on each channel sooner. */
const TIMEOUT_MS = 45_000;

export async function sendTestNotification(paths: DsmPaths, node: string, configDir: string): Promise<NotifyTestResult> {
	const env = await runEnv(paths);
	const args = [paths.cliBundle, 'notify', '--test', '--role', 'B', '--config', configDir, '--json'];
	return new Promise((resolve) => {
		execFile(node, args, { env, timeout: TIMEOUT_MS, maxBuffer: 1024 * 1024, cwd: paths.pkgVar }, (error, stdout, stderr) => {
			const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
			if (code === null) {
				const why = error?.killed ? `it took longer than ${TIMEOUT_MS / 1000} s` : (error?.message ?? 'unknown');
				return resolve({ ran: false, message: `the test could not be sent: ${why}` });
			}
			const channels = channelsOf(String(stdout));
			const said = lastLine(String(stderr));
			// exit 2: nothing set, or a bad config; its error output says which
			if (code === 2) return resolve({ ran: true, exitCode: 2, channels: channels ?? [], message: said });
			if (!channels) return resolve({ ran: false, message: said || `the command line answered without a result (exit ${code})` });
			resolve({ ran: true, exitCode: code, channels, ...(said ? { message: said } : {}) });
		});
	});
}

/**
 * What B's runs and tests get: Synology's node needs no more than a PATH; the DSM desktop
 * notification is asked for by name; the SMTP password comes from the machine-local file.
 * Nothing of the web request (cookies, tokens) is passed on.
 */
export async function runEnv(paths: DsmPaths, base: NodeJS.ProcessEnv = {}): Promise<NodeJS.ProcessEnv> {
	const env: NodeJS.ProcessEnv = {
		PATH: process.env.PATH ?? '/usr/bin:/bin',
		LANG: process.env.LANG ?? 'C.UTF-8',
		...(process.env.TZ ? { TZ: process.env.TZ } : {}),
		...base,
		...packageEnv(paths),
		NO_COLOR: '1',
		EQUILYBRIUM_DESKTOP: 'dsm',
		// this NAS's own state (the SMTP password file), as the CLI looks for it
		EQUILYBRIUM_STATE_DIR: paths.pkgVar,
	};
	const password = await readSmtpPassword(paths.smtpPasswordFile);
	if (password !== undefined) env.EQUILYBRIUM_SMTP_PASSWORD = password;
	return env;
}

function channelsOf(stdout: string): ChannelResult[] | undefined {
	let value: unknown;
	try {
		value = JSON.parse(stdout.trim());
	} catch {
		return undefined;
	}
	const list = (value as { channels?: unknown } | null)?.channels;
	if (!Array.isArray(list)) return undefined;
	return list
		.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && typeof (c as ChannelResult).channel === 'string')
		.map((c) => ({ channel: String(c.channel), ok: c.ok === true, ...(typeof c.detail === 'string' ? { detail: c.detail } : {}) }));
}

/** The command line's own words, without its name in front. */
function lastLine(stderr: string): string {
	const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
	return (lines.at(-1) ?? '').replace(/^equilybrium:\s*/, '').slice(0, 500);
}
