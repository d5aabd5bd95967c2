import { readFile, rename, stat, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_ALGORITHMS, CONFIG_FILE, latestReportSection, parseConfig, isCoreError } from '@equilybrium/core';
import type { DsmPaths } from './env.ts';
import { resolveConfigFolder } from './folder.ts';
import { applySettings, InvalidInput, revisionOf, settingsOf, validateSettings } from './settings.ts';
import { readStatus } from './status.ts';

// The settings page's API, as a pure request → response function: the CGI entry (cgi-bin.ts)
// feeds it what DSM's web server gives, the tests feed it directly. Every request must come
// from a logged-in DSM administrator (authenticate.cgi + SynoToken); writes must also carry
// the token in the X-SYNO-TOKEN header, which a cross-site form or image cannot send.

export interface CgiRequest {
	method: string;
	query: URLSearchParams;
	/** Lower-case header names: x-syno-token, origin, host, content-type. */
	headers: Record<string, string | undefined>;
	body: string;
}

export interface CgiResponse {
	status: number;
	body: string;
	contentType?: string;
}

export interface CgiDeps {
	paths: DsmPaths;
	/** The logged-in DSM user, or undefined. */
	authenticate(): Promise<string | undefined>;
	isAdmin(user: string): Promise<boolean>;
}

const MAX_BODY = 64 * 1024;

export async function handle(request: CgiRequest, deps: CgiDeps): Promise<CgiResponse> {
	try {
		const action = request.query.get('action') ?? 'status';
		const token = request.headers['x-syno-token'] || request.query.get('SynoToken');
		if (!token) return error(401, 'not logged in to DSM (no SynoToken); open Equilybrium from the DSM main menu');
		const user = await deps.authenticate();
		if (!user) return error(401, 'not logged in to DSM, or the session has expired; log in again');
		if (!(await deps.isAdmin(user))) return error(403, `"${user}" is not an administrator; only administrators can see and change Equilybrium's settings`);
		if (request.method === 'GET') {
			if (action === 'status') return json(200, await statusView(deps.paths));
			if (action === 'settings') return await readSettings(deps.paths);
			return error(404, `unknown action "${action}"`);
		}
		if (request.method !== 'POST') return error(405, `${request.method} is not supported`);
		const refused = checkWrite(request);
		if (refused) return error(403, refused);
		if (action === 'save') return await save(deps.paths, request.body);
		if (action === 'run') return await runNow(deps.paths);
		return error(404, `unknown action "${action}"`);
	} catch (caught) {
		return error(500, `the settings page failed: ${(caught as Error).message ?? String(caught)}`);
	}
}

/** Why a write is refused as possibly cross-site, or undefined when it is fine. */
function checkWrite(request: CgiRequest): string | undefined {
	if (!request.headers['x-syno-token']) return 'a change must carry the SynoToken in the X-SYNO-TOKEN header; reload the page';
	if (!(request.headers['content-type'] ?? '').startsWith('application/json')) return 'a change must be sent as application/json';
	const origin = request.headers.origin;
	if (origin && origin !== 'null') {
		let host: string;
		try {
			host = new URL(origin).host;
		} catch {
			return `bad Origin "${origin}"`;
		}
		if (host !== request.headers.host) return `cross-site request refused (from ${origin})`;
	}
	return undefined;
}

async function statusView(paths: DsmPaths) {
	const status = await readStatus(paths.statusFile);
	const folder = await resolveConfigFolder(paths);
	const report = folder.ok ? (await latestReportSection(folder.dir))?.text.trimEnd() : undefined;
	return {
		daemon: status ?? null,
		configDir: folder.ok ? folder.dir : null,
		folderProblem: folder.ok ? null : folder.problem,
		report: report ?? null,
		runRequested: await exists(paths.runNowFile),
	};
}

async function readSettings(paths: DsmPaths): Promise<CgiResponse> {
	const loaded = await loadIni(paths);
	if ('problem' in loaded) return error(409, loaded.problem);
	try {
		const config = parseConfig(loaded.text, loaded.file, loaded.dir);
		return json(200, { settings: settingsOf(config), revision: revisionOf(loaded.text), algorithms: ALL_ALGORITHMS, configDir: loaded.dir });
	} catch (caught) {
		if (isCoreError(caught)) return error(409, `${caught.message} — fix the file by hand, then reload`);
		throw caught;
	}
}

async function save(paths: DsmPaths, body: string): Promise<CgiResponse> {
	if (body.length > MAX_BODY) return error(413, 'request too large');
	let input: { settings?: unknown; revision?: unknown };
	try {
		input = JSON.parse(body) as typeof input;
	} catch {
		return error(400, 'the request is not JSON');
	}
	const loaded = await loadIni(paths);
	if ('problem' in loaded) return error(409, loaded.problem);
	if (input.revision !== revisionOf(loaded.text)) {
		return error(409, `${CONFIG_FILE} was changed meanwhile (perhaps by the PC through your sync tool); reload the page and make the change again`, 'revision');
	}
	try {
		const settings = await validateSettings(input.settings, paths.volumesRoot);
		const text = applySettings(loaded.text, loaded.file, loaded.dir, settings);
		const tmp = `${loaded.file}.${process.pid}.tmp`;
		await writeFile(tmp, text);
		await rename(tmp, loaded.file).catch(async (caught: unknown) => {
			await unlink(tmp).catch(() => {});
			throw caught;
		});
		return json(200, { saved: true, settings, revision: revisionOf(text) });
	} catch (caught) {
		if (caught instanceof InvalidInput) return error(400, caught.message, caught.field);
		throw caught;
	}
}

async function runNow(paths: DsmPaths): Promise<CgiResponse> {
	await writeFile(paths.runNowFile, new Date().toISOString() + '\n');
	return json(202, { requested: true, message: 'a run starts within a few seconds (unless one is going on)' });
}

async function loadIni(paths: DsmPaths): Promise<{ text: string; file: string; dir: string } | { problem: string }> {
	const folder = await resolveConfigFolder(paths);
	if (!folder.ok) return { problem: folder.problem };
	const file = join(folder.dir, CONFIG_FILE);
	try {
		return { text: await readFile(file, 'utf8'), file, dir: folder.dir };
	} catch (caught) {
		const code = (caught as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return { problem: `there is no ${CONFIG_FILE} in ${folder.dir} yet: let your sync tool bring it from the PC, or run "equilybrium init" there` };
		return { problem: `cannot read ${file} (${code}); check the shared folder's permissions for the system internal user "${paths.pkgName}"` };
	}
}

async function exists(file: string): Promise<boolean> {
	try {
		await stat(file);
		return true;
	} catch {
		return false;
	}
}

function json(status: number, value: unknown): CgiResponse {
	return { status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8' };
}

function error(status: number, message: string, field?: string): CgiResponse {
	return json(status, field ? { error: message, field } : { error: message });
}
