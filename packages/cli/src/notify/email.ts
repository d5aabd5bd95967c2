import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Delivery, Message, SmtpServer } from '@equilybrium/core';
import { describe } from './webhook.ts';

// Email + SMTP (SPEC §11) through nodemailer: TLS from the start with smtps://, and with
// smtp:// STARTTLS whenever the server offers it (nodemailer's default). The password never
// comes from the shared config: the environment, or a file on this machine only.

export const PASSWORD_ENV = 'EQUILYBRIUM_SMTP_PASSWORD';
export const PASSWORD_FILE = 'smtp-password';

export interface MailOptions {
	server: SmtpServer;
	to: string[];
	env: Record<string, string | undefined>;
	/** The machine-local folder that may hold the password file. */
	stateDir: string;
	timeoutMs: number;
}

export async function sendEmail(message: Message, options: MailOptions): Promise<Delivery> {
	const fail = (detail: string): Delivery => ({ channel: 'email', ok: false, detail });
	const { server } = options;
	let pass: string | undefined;
	if (server.user) {
		pass = await password(options);
		if (pass === undefined) {
			return fail(`no password for ${server.user}: set ${PASSWORD_ENV}, or write it in ${join(options.stateDir, PASSWORD_FILE)}`);
		}
	}
	const t = options.timeoutMs;
	// loaded when mail is sent: most runs send none, and every run would pay for loading it
	const { createTransport } = await import('nodemailer');
	const transport = createTransport({
		host: server.host,
		port: server.port,
		secure: server.secure,
		...(server.user ? { auth: { user: server.user, pass: pass! } } : {}),
		connectionTimeout: t,
		greetingTimeout: t,
		socketTimeout: t,
	});
	const from = server.user?.includes('@') ? server.user : options.to[0]!;
	let timer: NodeJS.Timeout | undefined;
	const deadline = new Promise<Delivery>((resolve) => {
		timer = setTimeout(() => resolve(fail(`no answer from ${server.host}:${server.port} within ${t / 1000} s`)), t);
	});
	const sending = transport
		.sendMail({ from: `Equilybrium <${from}>`, to: options.to, subject: message.title, text: message.body })
		.then((info): Delivery => ({ channel: 'email', ok: true, detail: `accepted by ${server.host}: ${String(info.response ?? '').slice(0, 120)}`.trim() }))
		.catch((error: unknown) => fail(smtpError(error)));
	try {
		return await Promise.race([sending, deadline]);
	} finally {
		clearTimeout(timer);
		transport.close();
	}
}

// --- internal ---

async function password(options: MailOptions): Promise<string | undefined> {
	const fromEnv = options.env[PASSWORD_ENV];
	if (fromEnv) return fromEnv;
	try {
		const text = await readFile(join(options.stateDir, PASSWORD_FILE), 'utf8');
		const line = text.replace(/\r?\n$/, '');
		return line === '' ? undefined : line;
	} catch {
		return undefined;
	}
}

function smtpError(error: unknown): string {
	const e = error as { response?: string; responseCode?: number; code?: string; message?: string };
	if (e?.responseCode) return `the server said ${e.response ?? e.responseCode}`.slice(0, 300);
	if (e?.code === 'EAUTH') return `login refused: ${e.message ?? ''}`.slice(0, 300);
	return describe(error);
}
