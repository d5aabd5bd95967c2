import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { readIniValue, removeIniValue, setIniValue } from '@equilybrium/core';
import { InvalidInput } from './settings.ts';

// The `[Notifications]` keys the settings page shows and edits (SPEC §11, contracts §3). The
// page reads and writes the INI's own words, so that it needs nothing from the core but the
// final check that the edited config still loads. The SMTP password never goes into the
// INI, which is shared with the PC through the sync tool: it is kept in the package's var
// folder, readable by the package user alone, and given to each run in the environment.

export const NOTIFY_CHOICES = ['problems', 'always', 'never'] as const;
const SECTION = 'Notifications';

export interface NotificationSettings {
	notify: (typeof NOTIFY_CHOICES)[number];
	/** Days between "all is well" messages; 0 = never. */
	remindOkEvery: number;
	/** The other side's last run older than this (days) is reported. */
	staleAfter: number;
	webhook: string;
	email: string[];
	smtp: string;
	desktop: boolean;
}

export const NOTIFICATION_DEFAULTS: NotificationSettings = { notify: 'problems', remindOkEvery: 7, staleAfter: 3, webhook: '', email: [], smtp: '', desktop: true };

/** What the INI says, with the defaults for what it leaves out. Values the page cannot show as they are come back as written. */
export function notificationsOf(text: string): NotificationSettings {
	const get = (key: string) => readIniValue(text, SECTION, key);
	const days = (raw: string | undefined, fallback: number) => (raw !== undefined && /^\d+$/.test(raw.trim()) ? Number(raw) : fallback);
	const notify = (get('Notify') ?? '').toLowerCase();
	const desktop = (get('Desktop') ?? '').toLowerCase();
	return {
		notify: (NOTIFY_CHOICES as readonly string[]).includes(notify) ? (notify as NotificationSettings['notify']) : NOTIFICATION_DEFAULTS.notify,
		remindOkEvery: days(get('Remind OK every'), NOTIFICATION_DEFAULTS.remindOkEvery),
		staleAfter: days(get('Stale after') ?? readIniValue(text, 'Settings', 'Stale after days'), NOTIFICATION_DEFAULTS.staleAfter),
		webhook: get('Webhook') ?? '',
		email: emailsOf(get('Email') ?? ''),
		smtp: get('SMTP') ?? '',
		desktop: !['no', 'false', 'off', '0'].includes(desktop),
	};
}

/** Checks what the page sent, with a message a person can act on. */
export function validateNotifications(input: unknown): NotificationSettings {
	if (!input || typeof input !== 'object' || Array.isArray(input)) throw new InvalidInput('notifications', 'expected the notification settings as a JSON object');
	const value = input as Record<string, unknown>;
	const notify = String(value.notify ?? '').trim().toLowerCase();
	if (!(NOTIFY_CHOICES as readonly string[]).includes(notify)) throw new InvalidInput('notify', `"${notify}" is not a choice for "Notify": ${NOTIFY_CHOICES.join(', ')}`);
	const remindOkEvery = wholeDays(value.remindOkEvery, 'remindOkEvery', '"Remind OK every"', 0);
	const staleAfter = wholeDays(value.staleAfter, 'staleAfter', '"Stale after"', 1);
	const webhook = String(value.webhook ?? '').trim();
	if (webhook !== '') checkWebhook(webhook);
	const email = (Array.isArray(value.email) ? value.email.map(String) : emailsOf(String(value.email ?? ''))).map((e) => e.trim()).filter((e) => e !== '');
	for (const address of email) {
		if (address.length > 254 || !/^[^\s@",;<>()[\]\\]+@[^\s@",;<>()[\]\\]+\.[^\s@",;<>()[\]\\]+$/.test(address)) {
			throw new InvalidInput('email', `"${address}" is not an e-mail address (like me@example.com)`);
		}
	}
	const smtp = String(value.smtp ?? '').trim();
	if (smtp !== '') checkSmtp(smtp);
	if (email.length > 0 && smtp === '') throw new InvalidInput('smtp', 'give the SMTP server that sends the mail, e.g. smtp://me@mail.example.com:587');
	if (typeof value.desktop !== 'boolean') throw new InvalidInput('desktop', '"Desktop" is either on or off');
	return { notify: notify as NotificationSettings['notify'], remindOkEvery, staleAfter, webhook, email, smtp, desktop: value.desktop };
}

/** The INI with `[Notifications]` written in; the keys left empty are removed, the older `[Settings] Stale after days` too. */
export function applyNotifications(text: string, settings: NotificationSettings): string {
	let out = text;
	out = setIniValue(out, SECTION, 'Notify', settings.notify);
	out = setIniValue(out, SECTION, 'Remind OK every', String(settings.remindOkEvery));
	out = setIniValue(out, SECTION, 'Stale after', String(settings.staleAfter));
	out = removeIniValue(out, 'Settings', 'Stale after days');
	const optional: [string, string][] = [
		['Webhook', settings.webhook],
		['Email', settings.email.length <= 1 ? (settings.email[0] ?? '') : JSON.stringify(settings.email)],
		['SMTP', settings.smtp],
	];
	for (const [key, value] of optional) out = value === '' ? removeIniValue(out, SECTION, key) : setIniValue(out, SECTION, key, value);
	return setIniValue(out, SECTION, 'Desktop', settings.desktop ? 'yes' : 'no');
}

/** Is an SMTP password stored on this NAS? (The page never gets the password back.) */
export async function hasSmtpPassword(file: string): Promise<boolean> {
	return (await readSmtpPassword(file)) !== undefined;
}

export async function readSmtpPassword(file: string): Promise<string | undefined> {
	try {
		const text = (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
		return text === '' ? undefined : text;
	} catch {
		return undefined;
	}
}

/** Stores the password readable by the package user alone; null forgets it. */
export async function storeSmtpPassword(file: string, password: string | null): Promise<void> {
	if (password === null) {
		await unlink(file).catch((error: NodeJS.ErrnoException) => {
			if (error.code !== 'ENOENT') throw error;
		});
		return;
	}
	if (password.length > 1024 || /[\r\n\0]/.test(password)) throw new InvalidInput('smtpPassword', 'the SMTP password is longer than 1,024 characters or holds a line break');
	const tmp = `${file}.${process.pid}.tmp`;
	await writeFile(tmp, password, { mode: 0o600 });
	await rename(tmp, file).catch(async (error: unknown) => {
		await unlink(tmp).catch(() => {});
		throw error;
	});
}

// --- internal ---

function wholeDays(raw: unknown, field: string, name: string, min: number): number {
	const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
	if (!Number.isInteger(n) || n < min || n > 365) throw new InvalidInput(field, `${name} is a whole number of days from ${min} to 365`);
	return n;
}

function checkWebhook(webhook: string): void {
	let url: URL;
	try {
		url = new URL(webhook);
	} catch {
		throw new InvalidInput('webhook', `"${webhook}" is not a web address; a webhook looks like https://ntfy.sh/my-topic`);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new InvalidInput('webhook', `a webhook is an http:// or https:// address, not ${url.protocol}`);
	if (webhook.length > 2000 || /\s/.test(webhook)) throw new InvalidInput('webhook', 'the webhook address is too long or holds spaces');
}

function checkSmtp(smtp: string): void {
	let url: URL;
	try {
		url = new URL(smtp);
	} catch {
		throw new InvalidInput('smtp', `"${smtp}" is not an SMTP server; write smtp://user@host:port (STARTTLS) or smtps://user@host:465`);
	}
	if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new InvalidInput('smtp', `the SMTP server starts with smtp:// or smtps://, not ${url.protocol}//`);
	if (url.hostname === '') throw new InvalidInput('smtp', `"${smtp}" names no server`);
	if (url.password !== '') throw new InvalidInput('smtp', 'the SMTP password is never written into the shared config: remove it from the address and type it into the password field, which keeps it on this NAS only');
	if (url.pathname !== '' && url.pathname !== '/') throw new InvalidInput('smtp', `"${smtp}" has a path; write smtp://user@host:port`);
}

/** `me@x.org`, or a JSON list of addresses (what the core accepts), or a comma-separated list typed into the page. */
function emailsOf(raw: string): string[] {
	const text = raw.trim();
	if (text.startsWith('[')) {
		try {
			const list = JSON.parse(text) as unknown;
			if (Array.isArray(list)) return list.map(String);
		} catch {
			// shown as written, so the person sees what to fix
		}
	}
	return text === '' ? [] : text.split(/[,;\n]/).map((e) => e.trim()).filter((e) => e !== '');
}
