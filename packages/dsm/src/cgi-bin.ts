import { authenticate, isAdministrator } from './auth.ts';
import { handle, type CgiRequest } from './cgi.ts';
import { dsmPaths } from './env.ts';
import { pcTaskCheck } from './pc-task.ts';

// The CGI entry DSM's web server runs for /webman/3rdparty/<package>/api.cgi (through the
// small shell wrapper that finds Synology's node): CGI variables in, one response out.
const REASONS: Record<number, string> = { 200: 'OK', 202: 'Accepted', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Payload Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway' };

async function main(): Promise<void> {
	const env = process.env;
	const paths = dsmPaths(env);
	const length = Math.min(Number(env.CONTENT_LENGTH) || 0, 1024 * 1024);
	const request: CgiRequest = {
		method: env.REQUEST_METHOD ?? 'GET',
		query: new URLSearchParams(env.QUERY_STRING ?? ''),
		headers: {
			'x-syno-token': env.HTTP_X_SYNO_TOKEN,
			origin: env.HTTP_ORIGIN,
			host: env.HTTP_HOST,
			'content-type': env.CONTENT_TYPE,
		},
		body: length > 0 ? await readBody(length) : '',
	};
	const response = await handle(request, {
		paths,
		authenticate: () => authenticate(paths.authenticateCgi, env),
		isAdmin: (user) => isAdministrator(paths.groupFile, user),
		pcCheck: pcTaskCheck,
		node: process.execPath,
	});
	const body = Buffer.from(response.body);
	process.stdout.write(
		`Status: ${response.status} ${REASONS[response.status] ?? ''}\r\nContent-Type: ${response.contentType ?? 'text/plain'}\r\n` +
			`Content-Length: ${body.length}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n\r\n`,
	);
	process.stdout.write(body);
}

function readBody(length: number): Promise<string> {
	return new Promise((resolve) => {
		const chunks: Buffer[] = [];
		let size = 0;
		process.stdin.on('data', (chunk: Buffer) => {
			chunks.push(chunk);
			size += chunk.length;
			if (size >= length) process.stdin.pause();
		});
		const done = () => resolve(Buffer.concat(chunks).subarray(0, length).toString('utf8'));
		process.stdin.on('end', done);
		process.stdin.on('pause', done);
	});
}

main().catch((error: unknown) => {
	process.stdout.write(`Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ error: String(error) })}`);
});
