// Real local servers for the notification tests: an HTTP server that records what it is sent,
// an SMTP server (smtp-server, with STARTTLS on a certificate made for the test), and servers
// that refuse or never answer. The CLI runs as a child process, asynchronously, so that these
// servers, in the test's own process, can answer it.
import { spawn, execFileSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { ensureBundle } from '../../../core/test/util/bundle.ts';

export interface Ran {
	status: number | null;
	stdout: string;
	stderr: string;
}

export function runCliAsync(args: string[], env: Record<string, string> = {}, timeoutMs = 60_000): Promise<Ran> {
	return new Promise((resolve) => {
		const child = spawn(process.execPath, [ensureBundle(), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d) => (stdout += d));
		child.stderr.on('data', (d) => (stderr += d));
		const guard = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
		child.on('close', (status) => {
			clearTimeout(guard);
			resolve({ status, stdout, stderr });
		});
	});
}

export interface Received {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	body: string;
}

export interface Webhook {
	url: string;
	received: Received[];
	close(): Promise<void>;
}

/** Answers `status` to every request, or never answers at all (`hang`). */
export async function startWebhook(options: { status?: number; hang?: boolean } = {}): Promise<Webhook> {
	const received: Received[] = [];
	const open = new Set<import('node:net').Socket>();
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			if (options.hang) return;
			res.writeHead(options.status ?? 200, { 'Content-Type': 'application/json' });
			res.end(options.status && options.status >= 400 ? '{"error":"topic is full"}' : '{"id":"x"}');
		});
	});
	server.on('connection', (s) => {
		open.add(s);
		s.on('close', () => open.delete(s));
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as AddressInfo;
	return {
		url: `http://127.0.0.1:${port}/backup-topic`,
		received,
		close: () =>
			new Promise((r) => {
				for (const s of open) s.destroy();
				server.close(() => r());
			}),
	};
}

/** A self-signed certificate for 127.0.0.1 and localhost, made by openssl for this test only. */
export function makeCertificate(dir: string): { key: Buffer; cert: Buffer; certFile: string } {
	const key = join(dir, 'key.pem');
	const certFile = join(dir, 'cert.pem');
	execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', certFile,
		'-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
	return { key: readFileSync(key), cert: readFileSync(certFile), certFile };
}

export interface Mail {
	from: string;
	to: string[];
	raw: string;
	/** The connection was encrypted (STARTTLS) when the mail was sent. */
	secure: boolean;
	user?: string;
}

export interface Smtp {
	port: number;
	mails: Mail[];
	logins: { user: string; pass: string; secure: boolean }[];
	close(): Promise<void>;
}

/** smtp-server: STARTTLS offered when given a certificate; AUTH checked against `password`; `refuse` answers 550 to RCPT TO. */
export async function startSmtp(options: { tls?: { key: Buffer; cert: Buffer }; password?: string; refuse?: boolean }): Promise<Smtp> {
	const mails: Mail[] = [];
	const logins: Smtp['logins'] = [];
	const config: SMTPServerOptions = {
		secure: false,
		logger: false,
		disabledCommands: options.password ? [] : ['AUTH'],
		authOptional: !options.password,
		...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : { hideSTARTTLS: true }),
		onAuth(auth, session, callback) {
			logins.push({ user: auth.username ?? '', pass: auth.password ?? '', secure: session.secure });
			if (auth.password === options.password) callback(null, { user: auth.username });
			else callback(new Error('Invalid username or password'));
		},
		onRcptTo(address, _session, callback) {
			if (options.refuse) {
				const error = new Error(`5.1.1 <${address.address}>: mailbox unavailable`) as Error & { responseCode: number };
				error.responseCode = 550;
				return callback(error);
			}
			callback();
		},
		onData(stream, session, callback) {
			const chunks: Buffer[] = [];
			stream.on('data', (c: Buffer) => chunks.push(c));
			stream.on('end', () => {
				mails.push({
					from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
					to: session.envelope.rcptTo.map((r) => r.address),
					raw: Buffer.concat(chunks).toString('utf8'),
					secure: session.secure,
					...(session.user ? { user: String(session.user) } : {}),
				});
				callback();
			});
		},
	};
	const server = new SMTPServer(config);
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	const { port } = server.server.address() as AddressInfo;
	return { port, mails, logins, close: () => new Promise((r) => server.close(() => r())) };
}

/** Accepts connections and never says a word: a server that hangs. */
export async function startSilent(): Promise<{ port: number; close(): Promise<void> }> {
	const sockets = new Set<Socket>();
	const server: NetServer = createNetServer((s) => {
		sockets.add(s);
		s.on('error', () => {});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as AddressInfo;
	return { port, close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }) };
}

/** A port nothing listens on (taken, then given back). */
export async function closedPort(): Promise<number> {
	const server = createNetServer();
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as AddressInfo;
	await new Promise((r) => server.close(r));
	return port;
}

/** A mail's header, unfolded. */
export function header(raw: string, name: string): string | undefined {
	const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
	return new RegExp(`^${name}: (.*)$`, 'im').exec(head)?.[1];
}
