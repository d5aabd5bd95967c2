import { configError } from '../errors.ts';
import type { IniSection, IniValue } from './ini.ts';

// `[Notifications]` (SPEC §11): who is told, when, and through which channels. Parsed with the
// rest of the config, so a wrong value is refused with file:line before any run starts.

export const NOTIFY_MODES = ['problems', 'always', 'never'] as const;
export type NotifyMode = (typeof NOTIFY_MODES)[number];

export interface SmtpServer {
	secure: boolean;
	host: string;
	port: number;
	user?: string;
}

export interface NotificationSettings {
	notify: NotifyMode;
	/** Days between "all is well" messages; 0 = never. */
	remindOkEveryDays: number;
	webhook?: string;
	email: string[];
	smtp?: SmtpServer;
	desktop: boolean;
}

export const NOTIFICATIONS_SECTION = 'Notifications';
export const NOTIFICATION_DEFAULTS: NotificationSettings = { notify: 'problems', remindOkEveryDays: 7, email: [], desktop: true };
const KNOWN = ['notify', 'remind ok every', 'stale after', 'webhook', 'email', 'smtp', 'desktop'];

/**
 * Reads the section (absent: the defaults). `Stale after` is returned apart: it is the
 * config's `staleAfterDays`, which `[Settings] Stale after days` also sets.
 */
export function readNotifications(section: IniSection | undefined, file: string, warnings: string[]): { settings: NotificationSettings; staleAfterDays?: number } {
	if (!section) return { settings: { ...NOTIFICATION_DEFAULTS, email: [] } };
	const get = (key: string): IniValue | undefined => {
		for (const [name, value] of section.values) if (name.replace(/_/g, ' ') === key) return value;
		return undefined;
	};
	const fail = (entry: IniValue, message: string): never => {
		throw configError(file, entry.line, `[${section.name}] ${entry.name}: ${message}`);
	};
	for (const [name, value] of section.values) {
		if (!KNOWN.includes(name.replace(/_/g, ' '))) warnings.push(`${file}:${value.line}: [${section.name}] ${value.name}: unknown key, ignored`);
	}

	const settings: NotificationSettings = { ...NOTIFICATION_DEFAULTS, email: [] };
	const notify = get('notify');
	if (notify) {
		const value = notify.value.trim().toLowerCase();
		if (!(NOTIFY_MODES as readonly string[]).includes(value)) fail(notify, `"${notify.value.trim()}" is not one of "problems", "always", "never"`);
		settings.notify = value as NotifyMode;
	}
	const remind = get('remind ok every');
	if (remind) settings.remindOkEveryDays = days(remind, true, fail);
	const stale = get('stale after');
	const staleAfterDays = stale ? days(stale, false, fail) : undefined;

	const webhook = get('webhook');
	if (webhook && webhook.value.trim() !== '') settings.webhook = webhookUrl(webhook, fail);
	const email = get('email');
	if (email && email.value.trim() !== '') settings.email = addresses(email, fail);
	const smtp = get('smtp');
	if (smtp && smtp.value.trim() !== '') settings.smtp = smtpServer(smtp, fail);
	if (settings.email.length > 0 && !settings.smtp) fail(email!, 'needs an SMTP server to send through: add "SMTP = smtp://user@host:587" to [Notifications]');
	if (settings.smtp && settings.email.length === 0) fail(smtp!, 'has no one to write to: add "Email = you@example.com" to [Notifications]');

	const desktop = get('desktop');
	if (desktop) {
		const value = desktop.value.trim().toLowerCase();
		if (!['yes', 'no', 'true', 'false', 'on', 'off', '1', '0'].includes(value)) fail(desktop, `"${desktop.value.trim()}" is not "yes" or "no"`);
		settings.desktop = ['yes', 'true', 'on', '1'].includes(value);
	}
	return { settings, ...(staleAfterDays !== undefined ? { staleAfterDays } : {}) };
}

// --- internal ---

type Fail = (entry: IniValue, message: string) => never;

/** "7", "7 days", "1 day", "7d"; 0 only where it means "never". */
function days(entry: IniValue, zeroAllowed: boolean, fail: Fail): number {
	const match = /^(\d+(?:\.\d+)?)\s*(d|days?)?$/i.exec(entry.value.trim());
	const value = match ? Number(match[1]) : NaN;
	if (!Number.isFinite(value) || (!zeroAllowed && value <= 0)) {
		fail(entry, `"${entry.value.trim()}" is not a number of days; expected e.g. "7"${zeroAllowed ? ' (0 = never)' : ''}`);
	}
	return value;
}

function webhookUrl(entry: IniValue, fail: Fail): string {
	const raw = entry.value.trim();
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return fail(entry, `"${raw}" is not a URL; expected e.g. "https://ntfy.sh/my-backup-topic"`);
	}
	if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(entry, `"${raw}" is not an http:// or https:// URL`);
	return url.href;
}

const ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

function addresses(entry: IniValue, fail: Fail): string[] {
	const raw = entry.value.trim();
	let list: unknown = raw;
	if (raw.startsWith('[')) {
		try {
			list = JSON.parse(raw);
		} catch {
			fail(entry, 'not valid JSON; expected an address, or a JSON list of addresses such as ["me@example.com", "you@example.com"]');
		}
	}
	const all = Array.isArray(list) ? list : [list];
	if (all.length === 0) fail(entry, 'the list is empty');
	for (const a of all) {
		if (typeof a !== 'string' || !ADDRESS.test(a.trim())) fail(entry, `${JSON.stringify(a)} is not an e-mail address`);
	}
	return (all as string[]).map((a) => a.trim());
}

function smtpServer(entry: IniValue, fail: Fail): SmtpServer {
	const raw = entry.value.trim();
	const shape = 'expected "smtp://user@host:587" (STARTTLS when the server offers it) or "smtps://user@host:465"';
	let url: URL;
	try {
		url = new URL(raw);
	} catch {
		return fail(entry, `"${raw}" is not a URL; ${shape}`);
	}
	if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') fail(entry, `"${raw}" is not an smtp:// or smtps:// URL; ${shape}`);
	if (url.password) {
		fail(entry, 'a password does not belong in the shared config (the other machine and the sync tool see it): give it in the environment variable EQUILYBRIUM_SMTP_PASSWORD or the machine-local file "smtp-password" (see docs/notifications.md)');
	}
	if (!url.hostname) fail(entry, `"${raw}" names no host; ${shape}`);
	const secure = url.protocol === 'smtps:';
	const server: SmtpServer = { secure, host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : secure ? 465 : 587 };
	if (url.username) server.user = decodeURIComponent(url.username);
	return server;
}
