import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { runCgi } from './cgi.ts';
import type { Dsm } from './dsm.ts';

// A stand-in for DSM's web server in front of the installed package: the static files from
// target/ui, api.cgi run as a CGI (the same handler DSM runs), /webman/login.cgi handing out
// the SynoToken of the session in the cookie, as DSM does, and at / a stand-in for DSM's
// desktop (fixtures/dsm/desktop.html) that opens the package's app window from ui/config.

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.css': 'text/css', '.js': 'text/javascript', '.png': 'image/png', '': 'application/json' };

export interface Harness {
	url: string;
	/** DSM's desktop stand-in, when one was given. */
	desktop: string;
	close(): Promise<void>;
}

export interface HarnessOptions {
	/** DSM's desktop stand-in, served at /. */
	desktop?: string;
	/** What DSM's web server gives the CGI besides the request, e.g. the NAS's TZ. */
	cgiEnv?: Record<string, string>;
}

export function startHarness(dsm: Dsm, sessions: { id: string; token: string }[], options: HarnessOptions = {}): Promise<Harness> {
	const { desktop, cgiEnv = {} } = options;
	const prefix = '/webman/3rdparty/equilybrium/';
	const server: Server = createServer((req, res) => {
		const url = new URL(req.url ?? '/', 'http://localhost');
		const cookie = req.headers.cookie ?? '';
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', async () => {
			try {
				if (url.pathname === '/webman/login.cgi') {
					const session = sessions.find((s) => cookie.includes(`id=${s.id}`));
					res.writeHead(200, { 'content-type': 'application/json' });
					return res.end(JSON.stringify(session ? { SynoToken: session.token, result: 'success', success: true } : { result: 'error', success: false }));
				}
				if (url.pathname === '/' && desktop) {
					res.writeHead(200, { 'content-type': TYPES['.html']! });
					return res.end(readFileSync(desktop));
				}
				const file = url.pathname.startsWith(prefix) && url.pathname !== `${prefix}api.cgi` ? normalize(join(dsm.target, 'ui', url.pathname.slice(prefix.length))) : '';
				if (file && file.startsWith(join(dsm.target, 'ui')) && existsSync(file) && statSync(file).isFile()) {
					res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
					return res.end(readFileSync(file));
				}
				if (url.pathname === `${prefix}api.cgi`) {
					const body = Buffer.concat(chunks).toString('utf8');
					const env: Record<string, string> = {
						GATEWAY_INTERFACE: 'CGI/1.1',
						REQUEST_METHOD: req.method ?? 'GET',
						QUERY_STRING: url.search.slice(1),
						SCRIPT_NAME: `${prefix}api.cgi`,
						REMOTE_ADDR: '127.0.0.1',
						SERVER_ADDR: '127.0.0.1',
						HTTP_HOST: req.headers.host ?? '',
						HTTP_COOKIE: cookie,
					};
					if (req.headers['x-syno-token']) env.HTTP_X_SYNO_TOKEN = String(req.headers['x-syno-token']);
					if (req.headers.origin) env.HTTP_ORIGIN = req.headers.origin;
					if (body) {
						env.CONTENT_LENGTH = String(Buffer.byteLength(body));
						env.CONTENT_TYPE = req.headers['content-type'] ?? '';
					}
					const answer = await runCgi(dsm, { ...cgiEnv, ...env }, body);
					res.writeHead(answer.status, { 'content-type': answer.headers['content-type'] ?? 'text/plain' });
					return res.end(answer.raw.slice(answer.raw.indexOf('\r\n\r\n') + 4));
				}
				res.writeHead(404).end();
			} catch (error) {
				res.writeHead(500).end(String(error));
			}
		});
	});
	return new Promise((resolve) => {
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as AddressInfo;
			resolve({
				url: `http://127.0.0.1:${port}${prefix}index.html`,
				desktop: `http://127.0.0.1:${port}/`,
				close: () => new Promise<void>((done) => server.close(() => done())),
			});
		});
	});
}
