import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, chownSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseConfig } from '@equilybrium/core';
import { ensureSpk, root } from './util/build.ts';
import { ADMIN, USER, makeDsm, processesUnder } from './util/dsm.ts';
import { callCgi } from './util/cgi.ts';
import { daemonStatus, put, record } from './util/records.ts';

// The settings page's CGI, installed from the .spk and run as DSM runs it, with a stand-in
// authenticate.cgi that knows one admin session and one ordinary user's session.

const dsm = makeDsm(ensureSpk());
const ini = join(dsm.configDir, 'equilybrium.config.ini');
writeFileSync(join(dsm.var, 'config-folder'), '{"share":"Backup","subfolder":"Equilybrium"}\n');
chownSync(join(dsm.var, 'config-folder'), dsm.uid, dsm.gid);
const music = join(dsm.root, 'volume1/music');
mkdirSync(music);
const original = readFileSync(ini, 'utf8');
const owner = { uid: dsm.uid, gid: dsm.gid };
// "Send a test" runs the command line; until it has "notify --test", a stand-in does (see the file).
copyFileSync(join(root, 'fixtures/dsm/fake-cli-notify.cjs'), join(dsm.target, 'app/equilybrium.cjs'));

const auth = suite('CGI authentication');
auth.after(() => {
	assert.equal(processesUnder(dsm.root), []);
});

auth('no session → 401', async () => {
	const r = await callCgi(dsm, { query: 'action=status' });
	assert.is(r.status, 401);
	assert.match(r.json.error, /not logged in/);
});

auth('a session cookie without its SynoToken → 401', async () => {
	const r = await callCgi(dsm, { query: 'action=status', session: ADMIN, tokenHeader: false });
	assert.is(r.status, 401);
});

auth('a wrong token → 401 (authenticate.cgi prints nothing)', async () => {
	const r = await callCgi(dsm, { query: 'action=status', session: { id: ADMIN.id, token: 'forged' } });
	assert.is(r.status, 401);
	assert.match(r.json.error, /expired|not logged in/);
});

auth('a logged-in user who is not an administrator → 403', async () => {
	const r = await callCgi(dsm, { query: 'action=settings', session: USER });
	assert.is(r.status, 403);
	assert.match(r.json.error, /"alice" is not an administrator/);
});

auth('the token may also come in the query string for reads', async () => {
	const r = await callCgi(dsm, { query: `action=status&SynoToken=${ADMIN.token}`, session: ADMIN, tokenHeader: false });
	assert.is(r.status, 200);
});

auth.run();

const read = suite('CGI reading, as an admin');

read('status: the verdict from the latest report section, B\'s run from its record, the daemon\'s status', async () => {
	writeFileSync(join(dsm.configDir, 'equilybrium.report.txt'), '=== Equilybrium report 2026-11-01 03:00:00 UTC ===\nACTION NEEDED — 1 file at risk\nold section\n\n=== Equilybrium report 2026-11-02 03:00:00.250 UTC ===\nBACKUP OK — all 12 files (1 KiB) on A have a correct copy on B.\nNewFile: photo/a.jpg\n');
	writeFileSync(join(dsm.var, 'status.json'), JSON.stringify({ state: 'idle', nextRun: '2026-11-03T03:00:00.000Z', problems: [] }));
	put(join(dsm.configDir, 'equilybrium.B.last-run.json'), record('B', Date.parse('2026-11-02T02:01:00Z'), { outcome: 'found', exitCode: 1, counts: { FileCorrupted: 1 } }));
	const r = await callCgi(dsm, { query: 'action=status', session: ADMIN });
	assert.is(r.status, 200);
	assert.is(r.headers['content-type'], 'application/json; charset=utf-8');
	assert.is(r.json.configDir, dsm.configDir);
	assert.equal(r.json.verdict, { headline: 'BACKUP OK — all 12 files (1 KiB) on A have a correct copy on B.', tone: 'ok', at: '2026-11-02T03:00:00.250Z' });
	assert.is(r.json.a.stale, true, 'A ran long before today');
	assert.is(r.json.a.staleAfterDays, 3);
	assert.is(r.json.b.lastRun.outcome, 'found');
	assert.equal(r.json.b.lastRun.counts, { FileCorrupted: 1 }, 'the events found, without the zeros');
	assert.is(r.json.daemon.nextRun, '2026-11-03T03:00:00.000Z');
	assert.is(r.json.daemon.alive, false, 'no daemon process: not taken for a running one');
	assert.equal(r.json.history, []);
	assert.match(r.json.report, /^=== Equilybrium report 2026-11-02 03:00:00\.250 UTC ===\nBACKUP OK/);
	assert.ok(typeof r.json.clock.offsetMinutes === 'number');
});

read('status: a torn or foreign run record and history lines are left out, not shown', async () => {
	writeFileSync(join(dsm.configDir, 'equilybrium.A.last-run.json'), '{"version":1,"role":"A","startedAt":');
	const good = record('B', Date.parse('2026-11-02T02:01:00Z'));
	writeFileSync(join(dsm.configDir, 'equilybrium.B.run-history.jsonl'), [JSON.stringify({ ...good, role: 'A' }), '{"torn', JSON.stringify({ ...good, outcome: 'splendid' }), JSON.stringify(good)].join('\n') + '\n');
	const r = await callCgi(dsm, { query: 'action=status', session: ADMIN });
	assert.is(r.status, 200);
	assert.is(r.json.a.outcome, null);
	assert.is(r.json.history.length, 1);
	assert.is(r.json.history[0].startedAt, good.startedAt);
	rmSync(join(dsm.configDir, 'equilybrium.A.last-run.json'));
	rmSync(join(dsm.configDir, 'equilybrium.B.run-history.jsonl'));
});

read('settings: B folders, both schedules, algorithm, excludes, filters, notifications, the shares, and a revision', async () => {
	const r = await callCgi(dsm, { query: 'action=settings', session: ADMIN });
	assert.is(r.status, 200);
	const filters = { minFileSize: 0, includeNoExtension: true, excludedExtensions: [], excludedFiles: [], avoidAtDirs: [] };
	assert.equal(r.json.settings, { folders: [{ label: 'photo', path: dsm.photo }], schedules: { A: '0 3 * * *', B: '0 3 * * *' }, algorithm: 'sha256', exclude: ['*.tmp'], filters });
	assert.equal(r.json.notifications, { notify: 'problems', remindOkEvery: 7, staleAfter: 3, webhook: '', email: [], smtp: '', desktop: true });
	assert.is(r.json.smtpPasswordSet, false);
	assert.equal(r.json.folder, { share: 'Backup', subfolder: 'Equilybrium' });
	assert.equal(r.json.shares.map((s: { name: string }) => s.name), ['Backup', 'music', 'photo']);
	assert.ok(r.json.algorithms.includes('blake2b'));
	assert.match(r.json.revision, /^[0-9a-f]{16}$/);
});

read.run();

const write = suite('CGI writing');
let revision = '';
write.before(async () => {
	revision = (await callCgi(dsm, { query: 'action=settings', session: ADMIN })).json.revision;
});
const good = () => ({ folders: [{ path: dsm.photo }, { label: 'Songs', path: music }], schedules: { A: '30 2 * * *', B: '30 2 * * *' }, algorithm: 'blake2b', exclude: ['*.tmp', 'cache/**'] });
const save = (settings: unknown, extra: Partial<Parameters<typeof callCgi>[1]> = {}) =>
	callCgi(dsm, { method: 'POST', query: 'action=save', session: ADMIN, body: { settings, revision }, ...extra });

write('a write without the token header is refused, even with the token in the query', async () => {
	const r = await save(good(), { tokenHeader: false, query: `action=save&SynoToken=${ADMIN.token}` });
	assert.is(r.status, 403);
	assert.match(r.json.error, /X-SYNO-TOKEN header/);
	assert.is(readFileSync(ini, 'utf8'), original);
});

write('a write from another site is refused', async () => {
	const r = await save(good(), { origin: 'https://evil.example' });
	assert.is(r.status, 403);
	assert.match(r.json.error, /cross-site request refused/);
});

write('a write that is not JSON (a plain HTML form) is refused', async () => {
	const r = await save(good(), { contentType: 'application/x-www-form-urlencoded' });
	assert.is(r.status, 403);
});

write('path traversal and folders outside the shared folders are refused with clear messages', async () => {
	const traversal = await save({ ...good(), folders: [{ path: `${dsm.photo}/../../../etc` }] });
	assert.is(traversal.status, 400);
	assert.is(traversal.json.field, 'folders');
	assert.match(traversal.json.error, /contains "\." or "\.\." parts/);
	const outside = await save({ ...good(), folders: [{ path: '/etc' }] });
	assert.is(outside.status, 400);
	assert.match(outside.json.error, /"\/etc" is not inside a shared folder/);
	const relative = await save({ ...good(), folders: [{ path: 'photo' }] });
	assert.match(relative.json.error, /"photo" is not an absolute path/);
	symlinkSync('/etc', join(dsm.root, 'volume1/photo/etc-link'));
	const link = await save({ ...good(), folders: [{ path: join(dsm.photo, 'etc-link') }] });
	assert.match(link.json.error, /leads to \/etc \(a link\), which is not inside a shared folder/);
	const missing = await save({ ...good(), folders: [{ path: join(dsm.root, 'volume1/nothing') }] });
	assert.match(missing.json.error, /does not exist on the NAS/);
	assert.is(readFileSync(ini, 'utf8'), original);
});

write('a link out of the shares inside a folder the package user cannot enter is refused, not waved through', async () => {
	const locked = join(dsm.root, 'volume1/photo/locked');
	mkdirSync(locked);
	symlinkSync('/etc', join(locked, 'etc-link'));
	chownSync(locked, 0, 0);
	chmodSync(locked, 0o700);
	try {
		const r = await save({ ...good(), folders: [{ path: join(locked, 'etc-link') }] });
		assert.is(r.status, 400, JSON.stringify(r.json));
		assert.is(r.json.field, 'folders');
		assert.match(r.json.error, /cannot be checked: the package user "equilybrium" may not enter a folder on the way\. Give it Read only on the shared folder/);
		assert.is(readFileSync(ini, 'utf8'), original);
	} finally {
		chmodSync(locked, 0o755);
		rmSync(locked, { recursive: true });
	}
});

write('a shared folder the package user may not enter yet is accepted: the status says which permission to grant', async () => {
	const closed = join(dsm.root, 'volume1/closed');
	mkdirSync(closed, { mode: 0o700 });
	chownSync(closed, 0, 0);
	const r = await save({ ...good(), folders: [{ path: closed }] });
	assert.is(r.status, 200, JSON.stringify(r.json));
	revision = r.json.revision;
	const back = await save(good());
	assert.is(back.status, 200);
	revision = back.json.revision;
	writeFileSync(ini, original);
	chownSync(ini, dsm.uid, dsm.gid);
	rmSync(closed, { recursive: true });
	revision = (await callCgi(dsm, { query: 'action=settings', session: ADMIN })).json.revision;
});

write('a body of null (or a list) is answered 400 with what is expected, not a 500 with a JavaScript message', async () => {
	for (const body of ['null', '[1]']) {
		const r = await callCgi(dsm, { method: 'POST', query: 'action=save', session: ADMIN, body });
		assert.is(r.status, 400, r.raw);
		assert.match(r.json.error, /^the request must be a JSON object/);
		assert.not.match(r.raw, /Cannot read properties|TypeError/);
	}
});

write('bad values are refused with clear messages', async () => {
	const schedule = await save({ ...good(), schedules: { A: '0 3 * * *', B: 'every night' } });
	assert.is(schedule.status, 400);
	assert.is(schedule.json.field, 'scheduleB');
	assert.match(schedule.json.error, /"every night" is not a schedule: give 5 cron fields/);
	const algorithm = await save({ ...good(), algorithm: 'sha257' });
	assert.is(algorithm.json.field, 'algorithm');
	assert.match(algorithm.json.error, /"sha257" is not a hash algorithm; choose one of md5/);
	const none = await save({ ...good(), folders: [] });
	assert.match(none.json.error, /at least one folder/);
	const twins = await save({ ...good(), folders: [{ path: dsm.photo }, { label: 'photo', path: music }] });
	assert.match(twins.json.error, /both labelled "photo"/);
	assert.is(readFileSync(ini, 'utf8'), original);
});

write('an admin saves; the INI keeps its comments and A\'s settings', async () => {
	const r = await save(good());
	assert.is(r.status, 200, JSON.stringify(r.json));
	const text = readFileSync(ini, 'utf8');
	for (const line of original.split('\n').filter((l) => l.startsWith('#'))) assert.ok(text.includes(line), `comment kept: ${line}`);
	assert.ok(text.includes('A = my-pc\nB = my-nas\n'));
	assert.ok(text.includes('A = ["C:/Users/me/Pictures",\n     "D:/Music"]\n'), 'A\'s folders untouched, byte for byte');
	assert.ok(text.includes('Block size = 2 ** 18\n') && text.includes('Verify = full\n'));
	const config = parseConfig(text, ini, dsm.configDir);
	assert.equal(config.roots.B, [{ label: 'photo', path: dsm.photo }, { label: 'Songs', path: music }]);
	assert.equal(config.roots.A!.map((r) => r.path), ['C:/Users/me/Pictures', 'D:/Music']);
	assert.match(text, /^Schedule = 30 2 \* \* \*$/m, 'the same time for both sides: one Schedule');
	assert.is(config.algorithm, 'blake2b');
	assert.equal(config.exclude, ['*.tmp', 'cache/**']);
	assert.is(config.ids.A, 'my-pc');
	const again = await callCgi(dsm, { query: 'action=settings', session: ADMIN });
	assert.is(again.json.revision, r.json.revision);
});

write('a save based on an old revision is refused (the file changed meanwhile)', async () => {
	const r = await save({ ...good(), schedules: { A: '0 4 * * *', B: '0 4 * * *' } });
	assert.is(r.status, 409);
	assert.match(r.json.error, /changed meanwhile/);
});

write('two saves on the same revision at the same moment, each its own CGI: one is saved, the other refused', async () => {
	const { revision: base } = (await callCgi(dsm, { query: 'action=settings', session: ADMIN })).json;
	const body = (algorithm: string) => ({ settings: { ...good(), algorithm }, revision: base });
	const answers = await Promise.all(['sha512', 'md5'].map((a) => callCgi(dsm, { method: 'POST', query: 'action=save', session: ADMIN, body: body(a) })));
	assert.equal(answers.map((a) => a.status).sort(), [200, 409], answers.map((a) => a.raw).join('\n'));
	const won = answers.find((a) => a.status === 200)!.json.settings.algorithm;
	assert.match(readFileSync(ini, 'utf8'), new RegExp(`^Hash algorithm = ${won}$`, 'm'));
	revision = answers.find((a) => a.status === 200)!.json.revision;
});

write('notifications are saved into [Notifications]; the SMTP password only into the var folder, readable by the package alone', async () => {
	const notifications = { notify: 'always', remindOkEvery: 14, staleAfter: 2, webhook: 'https://ntfy.sh/my-nas', email: ['me@example.com', 'you@example.org'], smtp: 'smtps://me@mail.example.com:465', desktop: false };
	const r = await callCgi(dsm, { method: 'POST', query: 'action=save', session: ADMIN, body: { settings: good(), notifications, revision, smtpPassword: 'p4ss "word"' } });
	assert.is(r.status, 200, r.raw);
	revision = r.json.revision;
	const text = readFileSync(ini, 'utf8');
	assert.match(text, /\[Notifications\]\nNotify = always\nRemind OK every = 14\nStale after = 2\nWebhook = https:\/\/ntfy\.sh\/my-nas\nEmail = \["me@example\.com","you@example\.org"\]\nSMTP = smtps:\/\/me@mail\.example\.com:465\nDesktop = no\n/);
	assert.not.match(text, /p4ss/);
	const file = join(dsm.var, 'smtp-password');
	assert.is(readFileSync(file, 'utf8'), 'p4ss "word"');
	assert.is(statSync(file).mode & 0o777, 0o600);
	const again = await callCgi(dsm, { query: 'action=settings', session: ADMIN });
	assert.equal(again.json.notifications, notifications);
	assert.is(again.json.smtpPasswordSet, true);
	assert.not.match(again.raw, /p4ss/, 'the page never gets the password back');
	const forget = await callCgi(dsm, { method: 'POST', query: 'action=save', session: ADMIN, body: { settings: good(), notifications, revision, smtpPassword: null } });
	assert.is(forget.status, 200);
	revision = forget.json.revision;
	assert.not.ok(existsSync(file), 'forgotten');
});

write('bad notification settings are refused at their field: a password in the SMTP address, a webhook that is not http(s), mail without a server', async () => {
	const base = { notify: 'problems', remindOkEvery: 7, staleAfter: 3, webhook: '', email: [], smtp: '', desktop: true };
	const cases: [object, string, RegExp][] = [
		[{ smtp: 'smtp://me:secret@mail.example.com:587', email: ['me@example.com'] }, 'smtp', /the SMTP password is never written into the shared config/],
		[{ webhook: 'file:///etc/passwd' }, 'webhook', /a webhook is an http:\/\/ or https:\/\/ address/],
		[{ email: ['me@example.com'] }, 'smtp', /give the SMTP server that sends the mail/],
		[{ email: ['not an address'], smtp: 'smtp://me@mail.example.com' }, 'email', /"not an address" is not an e-mail address/],
		[{ notify: 'sometimes' }, 'notify', /"sometimes" is not a choice for "Notify"/],
		[{ staleAfter: 0 }, 'staleAfter', /"Stale after" is a whole number of days from 1 to 365/],
	];
	for (const [change, field, message] of cases) {
		const r = await callCgi(dsm, { method: 'POST', query: 'action=save', session: ADMIN, body: { settings: good(), notifications: { ...base, ...change }, revision } });
		assert.is(r.status, 400, JSON.stringify(change));
		assert.is(r.json.field, field);
		assert.match(r.json.error, message);
	}
	assert.not.match(readFileSync(ini, 'utf8'), /secret/);
});

write('"Send a test" runs "notify --test --role B --json" and reports each channel; none set → what to set', async () => {
	const received: string[] = [];
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			received.push(`${req.headers.title}: ${body}`);
			res.writeHead(200).end();
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	try {
		const base = { notify: 'problems', remindOkEvery: 7, staleAfter: 3, email: [], smtp: '', desktop: true };
		let r = await callCgi(dsm, { method: 'POST', query: 'action=save', session: ADMIN, body: { settings: good(), notifications: { ...base, webhook: '' }, revision } });
		revision = r.json.revision;
		const none = await callCgi(dsm, { method: 'POST', query: 'action=notify-test', session: ADMIN, body: {} });
		assert.is(none.status, 409);
		assert.match(none.json.error, /^no notification channel is set in \[Notifications\]/);
		const hook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/test`;
		r = await callCgi(dsm, { method: 'POST', query: 'action=save', session: ADMIN, body: { settings: good(), notifications: { ...base, webhook: hook }, revision } });
		revision = r.json.revision;
		const sent = await callCgi(dsm, { method: 'POST', query: 'action=notify-test', session: ADMIN, body: {} });
		assert.is(sent.status, 200, sent.raw);
		assert.equal(sent.json, { delivered: true, channels: [{ channel: 'webhook', ok: true, detail: 'HTTP 200' }] });
		assert.equal(received, ['Equilybrium test from B: This is a test message from Equilybrium on the NAS (B).\n']);
		const ran = JSON.parse(readFileSync(join(dsm.configDir, 'fake-notify-env.json'), 'utf8'));
		assert.is(ran.env.HTTP_COOKIE, undefined, 'nothing of the web request reaches the command line');
		assert.is(ran.env.HTTP_X_SYNO_TOKEN, undefined);
		assert.is(ran.env.EQUILYBRIUM_DESKTOP, 'dsm');
		const notAdmin = await callCgi(dsm, { method: 'POST', query: 'action=notify-test', session: USER, body: {} });
		assert.is(notAdmin.status, 403);
		const crossSite = await callCgi(dsm, { method: 'POST', query: 'action=notify-test', session: ADMIN, body: {}, origin: 'https://evil.example' });
		assert.is(crossSite.status, 403);
		assert.is(received.length, 1, 'neither sent anything');
	} finally {
		server.close();
	}
});

write('the config folder can be changed: to a folder that exists in a share; a missing one or a bad name is refused', async () => {
	const moved = join(dsm.root, 'volume1/music/Eq');
	const r0 = await callCgi(dsm, { method: 'POST', query: 'action=folder', session: ADMIN, body: { share: 'music', subfolder: 'Eq' } });
	assert.is(r0.status, 400);
	assert.is(r0.json.field, 'subfolder');
	assert.match(r0.json.error, /"Eq" does not exist in "music"/);
	const bad = await callCgi(dsm, { method: 'POST', query: 'action=folder', session: ADMIN, body: { share: 'music', subfolder: '../../etc' } });
	assert.is(bad.status, 400);
	assert.match(bad.json.error, /must not contain "\.\."/);
	const nope = await callCgi(dsm, { method: 'POST', query: 'action=folder', session: ADMIN, body: { share: 'Nope', subfolder: '' } });
	assert.match(nope.json.error, /there is no shared folder "Nope"/);
	mkdirSync(moved);
	chownSync(moved, dsm.uid, dsm.gid);
	const r = await callCgi(dsm, { method: 'POST', query: 'action=folder', session: ADMIN, body: { share: 'music', subfolder: 'Eq' } });
	assert.is(r.status, 200, r.raw);
	assert.is(r.json.configDir, moved);
	assert.equal(JSON.parse(readFileSync(join(dsm.var, 'config-folder'), 'utf8')), { share: 'music', subfolder: 'Eq' });
	const status = await callCgi(dsm, { query: 'action=status', session: ADMIN });
	assert.is(status.json.configDir, moved);
	const back = await callCgi(dsm, { method: 'POST', query: 'action=folder', session: ADMIN, body: { share: 'Backup', subfolder: 'Equilybrium' } });
	assert.is(back.status, 200);
	rmSync(moved, { recursive: true });
});

write('"run now": refused while a run goes on and while the package is stopped; else a request for the daemon', async () => {
	const stopped = await callCgi(dsm, { method: 'POST', query: 'action=run', session: ADMIN, body: {} });
	assert.is(stopped.status, 409, 'no daemon is running');
	assert.is(stopped.json.state, 'stopped');
	assert.match(stopped.json.error, /Equilybrium is stopped on this NAS: start it in Package Center/);
	const daemon = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', join(dsm.target, 'app/equilybrium-dsm-daemon.cjs')], { stdio: 'ignore' });
	try {
		put(join(dsm.var, 'status.json'), daemonStatus(daemon.pid!, { state: 'running', running: { startedAt: '2026-11-02T03:00:00.000Z', reason: 'scheduled' } }), owner);
		const running = await callCgi(dsm, { method: 'POST', query: 'action=run', session: ADMIN, body: {} });
		assert.is(running.status, 409);
		assert.equal([running.json.state, running.json.startedAt], ['running', '2026-11-02T03:00:00.000Z']);
		assert.not.ok(existsSync(join(dsm.var, 'run-now')), 'no second run asked for');
		put(join(dsm.var, 'status.json'), daemonStatus(daemon.pid!), owner);
		const r = await callCgi(dsm, { method: 'POST', query: 'action=run', session: ADMIN, body: {} });
		assert.is(r.status, 202);
		assert.ok(existsSync(join(dsm.var, 'run-now')));
		const twice = await callCgi(dsm, { method: 'POST', query: 'action=run', session: ADMIN, body: {} });
		assert.equal([twice.status, twice.json.message], [202, 'a run was already asked for; it starts within a few seconds']);
		const status = await callCgi(dsm, { query: 'action=status', session: ADMIN });
		assert.is(status.json.runRequested, true);
		assert.is(status.json.daemon.alive, true);
	} finally {
		daemon.kill('SIGKILL');
		await new Promise((resolve) => daemon.once('exit', resolve));
	}
});

write('a non-admin cannot save', async () => {
	const r = await callCgi(dsm, { method: 'POST', query: 'action=save', session: USER, body: { settings: good(), revision } });
	assert.is(r.status, 403);
});

write.after(() => dsm.remove());
write.run();
void root;
