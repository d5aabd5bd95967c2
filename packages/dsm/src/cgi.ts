import { readFile, rename, stat, writeFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_ALGORITHMS, CONFIG_FILE, parseConfig, isCoreError } from '@equilybrium/core';
import type { DsmPaths } from './env.ts';
import { checkShare, checkSubfolder, listShares, readAnswer, resolveConfigFolder, writeAnswer } from './folder.ts';
import { permissionHint } from './hints.ts';
import { applyNotifications, hasSmtpPassword, notificationsOf, storeSmtpPassword, validateNotifications } from './notifications.ts';
import { sendTestNotification } from './notify-test.ts';
import type { ScheduleCheck } from './pc-task.ts';
import { LockBusy, withSaveLock } from './save-lock.ts';
import { applySettings, InvalidInput, revisionOf, settingsOf, validateSettings } from './settings.ts';
import { daemonAlive, readStatus } from './status.ts';
import { statusView } from './view.ts';

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
	/** Why the PC's scheduled task cannot run at a cron expression, or undefined when it can. */
	pcCheck: ScheduleCheck;
	/** The node that runs the command line for "send a test". */
	node: string;
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
		if (request.body.length > MAX_BODY) return error(413, 'request too large');
		const body = parseBody(request.body);
		if (typeof body === 'string') return error(400, body, 'body');
		if (action === 'save') return await save(deps, body);
		if (action === 'run') return await runNow(deps.paths);
		if (action === 'notify-test') return await notifyTest(deps);
		if (action === 'folder') return await changeFolder(deps.paths, body);
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

/** Every change is a JSON object; anything else (null, a list, a number) is answered here, plainly. */
function parseBody(text: string): Record<string, unknown> | string {
	let value: unknown;
	try {
		value = JSON.parse(text || '{}');
	} catch {
		return 'the request is not JSON';
	}
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'the request must be a JSON object, e.g. {"settings": {...}, "revision": "..."}';
	return value as Record<string, unknown>;
}

async function readSettings(paths: DsmPaths): Promise<CgiResponse> {
	const shares = await listShares(paths);
	const folder = (await readAnswer(paths)) ?? null;
	const loaded = await loadIni(paths);
	if ('problem' in loaded) return json(409, { error: loaded.problem, folder, shares });
	try {
		const config = parseConfig(loaded.text, loaded.file, loaded.dir);
		return json(200, {
			settings: settingsOf(config),
			notifications: notificationsOf(loaded.text),
			smtpPasswordSet: await hasSmtpPassword(paths.smtpPasswordFile),
			revision: revisionOf(loaded.text),
			algorithms: ALL_ALGORITHMS,
			configDir: loaded.dir,
			folder,
			shares,
		});
	} catch (caught) {
		if (isCoreError(caught)) return json(409, { error: `${caught.message} — fix the file by hand, then reload`, folder, shares });
		throw caught;
	}
}

/**
 * Compare and write under one lock: of two saves made on the same revision, the second
 * finds the file changed and is refused, instead of both passing and one change lost.
 */
async function save(deps: CgiDeps, input: Record<string, unknown>): Promise<CgiResponse> {
	const { paths } = deps;
	try {
		const settings = await validateSettings(input.settings, paths.volumesRoot, deps.pcCheck, paths.pkgName);
		const notifications = input.notifications === undefined ? undefined : validateNotifications(input.notifications);
		const password = input.smtpPassword;
		if (password !== undefined && password !== null && typeof password !== 'string') throw new InvalidInput('smtpPassword', 'the SMTP password must be text');
		const saved = await withSaveLock(paths.settingsLock, async () => {
			const loaded = await loadIni(paths);
			if ('problem' in loaded) return error(409, loaded.problem);
			if (input.revision !== revisionOf(loaded.text)) {
				return error(409, `${CONFIG_FILE} was changed meanwhile (perhaps by the PC through your sync tool); reload the page and make the change again`, 'revision');
			}
			let text = notifications ? applyNotifications(loaded.text, notifications) : loaded.text;
			text = applySettings(text, loaded.file, loaded.dir, settings);
			await replace(loaded.file, text);
			return json(200, { saved: true, settings, notifications: notificationsOf(text), revision: revisionOf(text) });
		});
		if (saved.status === 200 && (password === null || (typeof password === 'string' && password !== ''))) {
			await storeSmtpPassword(paths.smtpPasswordFile, password);
		}
		return saved;
	} catch (caught) {
		if (caught instanceof InvalidInput) return error(400, caught.message, caught.field);
		if (caught instanceof LockBusy) return error(409, 'another change is being saved right now; reload the page and make the change again', 'revision');
		throw caught;
	}
}

/** "Run now" says what will happen: a run that is already going on is not started twice. */
async function runNow(paths: DsmPaths): Promise<CgiResponse> {
	const status = await readStatus(paths.statusFile);
	if (!(await daemonAlive(status))) {
		return json(409, { error: 'Equilybrium is stopped on this NAS: start it in Package Center (Installed ▸ Equilybrium ▸ Run), then try again', state: 'stopped' });
	}
	if (status?.state === 'running' && status.running) {
		return json(409, { error: `a run is already going on (started ${status.running.startedAt}); no second one is started`, state: 'running', startedAt: status.running.startedAt });
	}
	if (await exists(paths.runNowFile)) return json(202, { requested: true, message: 'a run was already asked for; it starts within a few seconds' });
	await writeFile(paths.runNowFile, new Date().toISOString() + '\n');
	return json(202, { requested: true, message: 'a run starts within a few seconds' });
}

async function notifyTest(deps: CgiDeps): Promise<CgiResponse> {
	const folder = await resolveConfigFolder(deps.paths);
	if (!folder.ok) return error(409, folder.problem);
	const result = await sendTestNotification(deps.paths, deps.node, folder.dir);
	if (!result.ran) return error(502, result.message);
	if (result.exitCode === 2) return error(409, result.message || 'no notification channel is set: give a webhook, an e-mail address or turn on DSM notifications, save, then test');
	return json(200, { delivered: result.exitCode === 0, channels: result.channels });
}

/** The config folder, changed after install: a shared folder and a subfolder in it that exists. */
async function changeFolder(paths: DsmPaths, input: Record<string, unknown>): Promise<CgiResponse> {
	const share = typeof input.share === 'string' ? input.share.trim() : '';
	const subfolder = typeof input.subfolder === 'string' ? input.subfolder.trim().replace(/^\/+|\/+$/g, '') : '';
	const bad = checkShare(share);
	if (bad) return error(400, bad, 'share');
	const badSub = checkSubfolder(subfolder);
	if (badSub) return error(400, badSub, 'subfolder');
	const target = (await listShares(paths)).find((s) => s.name === share);
	if (!target) return error(400, `there is no shared folder "${share}" on this NAS`, 'share');
	const dir = subfolder ? join(target.path, subfolder) : target.path;
	const found = await stat(dir).catch((caught: NodeJS.ErrnoException) => caught.code ?? 'error');
	if (found === 'ENOENT') return error(400, `"${subfolder}" does not exist in "${share}": create it (or let your sync tool create it), then choose it`, 'subfolder');
	if (typeof found === 'object' && !found.isDirectory()) return error(400, `"${subfolder}" in "${share}" is a file, not a folder`, 'subfolder');
	await writeAnswer(paths, { share, subfolder });
	const hint = await permissionHint(dir, paths.pkgName, 'read and write');
	return json(200, { saved: true, configDir: dir, ...(hint ? { warning: hint } : {}) });
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

/** Written beside and renamed over: the sync tool and the daemon never see half a file. */
async function replace(file: string, text: string): Promise<void> {
	const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
	await writeFile(tmp, text);
	await rename(tmp, file).catch(async (caught: unknown) => {
		await unlink(tmp).catch(() => {});
		throw caught;
	});
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
