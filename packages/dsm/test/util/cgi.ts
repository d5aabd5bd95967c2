import { join } from 'node:path';
import { runAs, type Dsm } from './dsm.ts';

// Calls the installed api.cgi the way DSM's web server does: CGI variables in the
// environment, the body on stdin, as the package user.

export interface CgiCall {
	method?: string;
	query?: string;
	session?: { id: string; token: string };
	/** Send the session's token in the X-SYNO-TOKEN header (default) or not at all. */
	tokenHeader?: boolean;
	origin?: string;
	body?: unknown;
	contentType?: string;
}

export interface CgiAnswer {
	status: number;
	headers: Record<string, string>;
	json: any;
	raw: string;
}

export async function callCgi(dsm: Dsm, call: CgiCall): Promise<CgiAnswer> {
	const body = call.body === undefined ? '' : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
	const env: Record<string, string> = {
		PATH: '/usr/bin:/bin',
		GATEWAY_INTERFACE: 'CGI/1.1',
		SERVER_SOFTWARE: 'nginx',
		REQUEST_METHOD: call.method ?? 'GET',
		QUERY_STRING: call.query ?? '',
		SCRIPT_NAME: '/webman/3rdparty/equilybrium/api.cgi',
		REMOTE_ADDR: '192.168.1.20',
		SERVER_ADDR: '192.168.1.2',
		HTTP_HOST: 'nas.local:5000',
		EQUILYBRIUM_DSM_ROOT: dsm.root,
	};
	if (call.session) env.HTTP_COOKIE = `id=${call.session.id}; smid=x`;
	if (call.session && call.tokenHeader !== false) env.HTTP_X_SYNO_TOKEN = call.session.token;
	if (call.origin) env.HTTP_ORIGIN = call.origin;
	if (body) {
		env.CONTENT_LENGTH = String(Buffer.byteLength(body));
		env.CONTENT_TYPE = call.contentType ?? 'application/json';
	}
	return runCgi(dsm, env, body);
}

/** Runs the installed api.cgi with these CGI variables and body. */
export async function runCgi(dsm: Dsm, env: Record<string, string>, body: string): Promise<CgiAnswer> {
	const ran = await runAs(dsm, join(dsm.target, 'ui/api.cgi'), [], { PATH: '/usr/bin:/bin', EQUILYBRIUM_DSM_ROOT: dsm.root, ...env }, { input: body, timeoutMs: 20_000 });
	return parse(ran.stdout);
}

export function parse(raw: string): CgiAnswer {
	const at = raw.indexOf('\r\n\r\n');
	const head = at < 0 ? raw : raw.slice(0, at);
	const headers: Record<string, string> = {};
	for (const line of head.split('\r\n')) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
	}
	const text = at < 0 ? '' : raw.slice(at + 4);
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: Number(/^(\d{3})/.exec(headers.status ?? '200')?.[1]), headers, json, raw };
}
