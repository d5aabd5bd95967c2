import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chownSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '@equilybrium/core';
import { ensureSpk, root } from './util/build.ts';
import { ADMIN, USER, makeDsm, processesUnder } from './util/dsm.ts';
import { callCgi } from './util/cgi.ts';

// The settings page's CGI, installed from the .spk and run as DSM runs it, with a stand-in
// authenticate.cgi that knows one admin session and one ordinary user's session.

const dsm = makeDsm(ensureSpk());
const ini = join(dsm.configDir, 'equilybrium.config.ini');
writeFileSync(join(dsm.var, 'config-folder'), '{"share":"Backup","subfolder":"Equilybrium"}\n');
chownSync(join(dsm.var, 'config-folder'), dsm.uid, dsm.gid);
const music = join(dsm.root, 'volume1/music');
mkdirSync(music);
const original = readFileSync(ini, 'utf8');

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

read('status: config folder, daemon status, the latest report section', async () => {
	writeFileSync(join(dsm.configDir, 'equilybrium.report.txt'), '=== Equilybrium report 2026-11-01 03:00:00 UTC ===\nold section\n\n=== Equilybrium report 2026-11-02 03:00:00 UTC ===\nFiles: 12\nNewFile: photo/a.jpg\n');
	writeFileSync(join(dsm.var, 'status.json'), JSON.stringify({ state: 'idle', nextRun: '2026-11-03T03:00:00.000Z', problems: [], lastRun: { outcome: 'ok', summary: 'B: 2 files' } }));
	const r = await callCgi(dsm, { query: 'action=status', session: ADMIN });
	assert.is(r.status, 200);
	assert.is(r.headers['content-type'], 'application/json; charset=utf-8');
	assert.is(r.json.configDir, dsm.configDir);
	assert.is(r.json.daemon.nextRun, '2026-11-03T03:00:00.000Z');
	assert.is(r.json.report, '=== Equilybrium report 2026-11-02 03:00:00 UTC ===\nFiles: 12\nNewFile: photo/a.jpg');
});

read('settings: B folders, schedule, algorithm, excludes and a revision', async () => {
	const r = await callCgi(dsm, { query: 'action=settings', session: ADMIN });
	assert.is(r.status, 200);
	assert.equal(r.json.settings, { folders: [{ label: 'photo', path: dsm.photo }], schedule: '0 3 * * *', algorithm: 'sha256', exclude: ['*.tmp'] });
	assert.ok(r.json.algorithms.includes('blake2b'));
	assert.match(r.json.revision, /^[0-9a-f]{16}$/);
});

read.run();

const write = suite('CGI writing');
let revision = '';
write.before(async () => {
	revision = (await callCgi(dsm, { query: 'action=settings', session: ADMIN })).json.revision;
});
const good = () => ({ folders: [{ path: dsm.photo }, { label: 'Songs', path: music }], schedule: '30 2 * * *', algorithm: 'blake2b', exclude: ['*.tmp', 'cache/**'] });
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

write('bad values are refused with clear messages', async () => {
	const schedule = await save({ ...good(), schedule: 'every night' });
	assert.is(schedule.status, 400);
	assert.is(schedule.json.field, 'schedule');
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
	assert.is(config.schedule, '30 2 * * *');
	assert.is(config.algorithm, 'blake2b');
	assert.equal(config.exclude, ['*.tmp', 'cache/**']);
	assert.is(config.ids.A, 'my-pc');
	const again = await callCgi(dsm, { query: 'action=settings', session: ADMIN });
	assert.is(again.json.revision, r.json.revision);
});

write('a save based on an old revision is refused (the file changed meanwhile)', async () => {
	const r = await save({ ...good(), schedule: '0 4 * * *' });
	assert.is(r.status, 409);
	assert.match(r.json.error, /changed meanwhile/);
});

write('"run now" leaves a request for the daemon', async () => {
	const r = await callCgi(dsm, { method: 'POST', query: 'action=run', session: ADMIN, body: {} });
	assert.is(r.status, 202);
	assert.ok(existsSync(join(dsm.var, 'run-now')));
	const status = await callCgi(dsm, { query: 'action=status', session: ADMIN });
	assert.is(status.json.runRequested, true);
});

write('a non-admin cannot save', async () => {
	const r = await callCgi(dsm, { method: 'POST', query: 'action=save', session: USER, body: { settings: good(), revision } });
	assert.is(r.status, 403);
});

write.after(() => dsm.remove());
write.run();
void root;
