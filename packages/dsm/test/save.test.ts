import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dsmPaths, handle, withSaveLock, type CgiDeps, type CgiRequest } from '../src/index.ts';

// The settings page's handler in-process, over a temporary /volume1: what a save does when
// another save, on the same revision, is made at the same moment; what A's schedule check
// refuses; what a request that is not an object gets.

interface Ctx {
	base: string;
	ini: string;
	deps: CgiDeps;
}

function setup(ctx: Ctx): void {
	ctx.base = mkdtempSync(join(tmpdir(), 'eq-save-'));
	const configDir = join(ctx.base, 'volume1/Backup/Eq');
	mkdirSync(configDir, { recursive: true });
	mkdirSync(join(ctx.base, 'volume1/photo'));
	mkdirSync(join(ctx.base, 'volume1/music'));
	const paths = dsmPaths({ EQUILYBRIUM_DSM_ROOT: ctx.base, SYNOPKG_PKGVAR: join(ctx.base, 'var') });
	mkdirSync(paths.pkgVar);
	writeFileSync(paths.folderFile, '{"share":"Backup","subfolder":"Eq"}');
	ctx.ini = join(configDir, 'equilybrium.config.ini');
	writeFileSync(ctx.ini, `[Settings]\n# kept\nSchedule = 0 3 * * *\n\n[Monitored Directories]\nA = ["C:/Photos"]\nB = ["${join(ctx.base, 'volume1/photo')}"]\n`);
	ctx.deps = { paths, authenticate: async () => 'admin', isAdmin: async () => true, pcCheck: () => undefined, node: process.execPath };
}

const request = (action: string, body?: unknown): CgiRequest => ({
	method: body === undefined ? 'GET' : 'POST',
	query: new URLSearchParams({ action }),
	headers: { 'x-syno-token': 't', host: 'nas:5000', 'content-type': 'application/json' },
	body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
});

async function current(ctx: Ctx) {
	const r = await handle(request('settings'), ctx.deps);
	return JSON.parse(r.body) as { revision: string; settings: { folders: { path: string }[]; schedules: { A: string; B: string }; algorithm: string; exclude: string[] } };
}

const race = suite<Ctx>('two saves on the same revision');
race.before.each(setup);
race.after.each((ctx) => rmSync(ctx.base, { recursive: true, force: true }));

race('one is saved, the other is refused as "changed meanwhile": no change is lost unseen', async (ctx) => {
	const { revision, settings } = await current(ctx);
	const photo = { ...settings, folders: [{ path: join(ctx.base, 'volume1/photo') }, { path: join(ctx.base, 'volume1/music') }] };
	const night = { ...settings, schedules: { A: '0 3 * * *', B: '30 1 * * *' } };
	const answers = await Promise.all([handle(request('save', { settings: photo, revision }), ctx.deps), handle(request('save', { settings: night, revision }), ctx.deps)]);
	assert.equal(answers.map((a) => a.status).sort(), [200, 409], answers.map((a) => a.body).join('\n'));
	const refused = JSON.parse(answers.find((a) => a.status === 409)!.body);
	assert.match(refused.error, /changed meanwhile/);
	const text = readFileSync(ctx.ini, 'utf8');
	const winner = answers[0]!.status === 200 ? 'folders' : 'schedule';
	if (winner === 'folders') assert.match(text, /volume1\/music/);
	else assert.match(text, /^Schedule B = 30 1 \* \* \*$/m);
	assert.match(text, /^# kept$/m);
	assert.equal(readdirSync(join(ctx.base, 'var')).filter((n) => n.includes('lock')), [], 'the lock is released');
	assert.equal(readdirSync(join(ctx.base, 'volume1/Backup/Eq')), ['equilybrium.config.ini'], 'no temporary file left');
});

race('a lock left by a save that was killed is taken over', async (ctx) => {
	writeFileSync(join(ctx.base, 'var/settings.lock'), '999999999 0 dead');
	const { revision, settings } = await current(ctx);
	const r = await handle(request('save', { settings: { ...settings, algorithm: 'blake2b' }, revision }), ctx.deps);
	assert.is(r.status, 200, r.body);
	assert.match(readFileSync(ctx.ini, 'utf8'), /^Hash algorithm = blake2b$/m);
});

race('a live lock makes the other save wait for it, then compare', async (ctx) => {
	const paths = ctx.deps.paths;
	const { revision, settings } = await current(ctx);
	let inside = false;
	const holder = withSaveLock(paths.settingsLock, async () => {
		inside = true;
		await new Promise((r) => setTimeout(r, 300));
		writeFileSync(ctx.ini, readFileSync(ctx.ini, 'utf8').replace('# kept', '# kept, changed by the other'));
		inside = false;
	});
	await new Promise((r) => setTimeout(r, 50));
	assert.ok(inside, 'the other holds the lock');
	const r = await handle(request('save', { settings, revision }), ctx.deps);
	await holder;
	assert.is(r.status, 409, 'it waited, then found the file changed');
	assert.match(readFileSync(ctx.ini, 'utf8'), /changed by the other/);
});

race.run();

const input = suite<Ctx>('what a save refuses');
input.before.each(setup);
input.after.each((ctx) => rmSync(ctx.base, { recursive: true, force: true }));

input('a body that is not an object (null, a list, a number) gets 400 and says what is expected', async (ctx) => {
	for (const body of ['null', '[]', '42', '"text"']) {
		const r = await handle(request('save', body), ctx.deps);
		assert.is(r.status, 400, `${body}: ${r.body}`);
		assert.match(JSON.parse(r.body).error, /^the request must be a JSON object/);
	}
	const notJson = await handle(request('save', '{'), ctx.deps);
	assert.is(notJson.status, 400);
	assert.match(JSON.parse(notJson.body).error, /not JSON/);
	const nullSettings = await handle(request('save', { settings: null, revision: 'x' }), ctx.deps);
	assert.is(nullSettings.status, 400);
	assert.match(JSON.parse(nullSettings.body).error, /expected a JSON object with folders/);
});

input('a PC schedule the PC\'s task cannot express is refused at its field, with the reason', async (ctx) => {
	ctx.deps.pcCheck = (cron) => (cron.split(' ')[0]!.includes('/') ? 'the task starts at one time of day, not every few minutes' : undefined);
	const { revision, settings } = await current(ctx);
	const r = await handle(request('save', { settings: { ...settings, schedules: { A: '*/15 * * * *', B: '0 3 * * *' } }, revision }), ctx.deps);
	assert.is(r.status, 400);
	assert.equal(JSON.parse(r.body), { error: 'the PC\'s scheduled task cannot run at "*/15 * * * *": the task starts at one time of day, not every few minutes', field: 'scheduleA' });
	const b = await handle(request('save', { settings: { ...settings, schedules: { A: '0 3 * * *', B: '*/15 * * * *' } }, revision }), ctx.deps);
	assert.is(b.status, 200, 'the NAS\'s own schedule is the daemon\'s: any cron');
});

input('the real check (core\'s taskCanExpress, as the CGI entry plugs it in): weekdays at 04:15 is kept, every 15 minutes refused', async (ctx) => {
	const { pcTaskCheck } = await import('../src/pc-task.ts');
	ctx.deps.pcCheck = pcTaskCheck;
	let { revision, settings } = await current(ctx);
	const every = await handle(request('save', { settings: { ...settings, schedules: { A: '*/15 * * * *', B: '0 3 * * *' } }, revision }), ctx.deps);
	assert.is(every.status, 400, every.body);
	assert.is(JSON.parse(every.body).field, 'scheduleA');
	({ revision, settings } = await current(ctx));
	const weekdays = await handle(request('save', { settings: { ...settings, schedules: { A: '15 4 * * 1-5', B: '0 3 * * *' } }, revision }), ctx.deps);
	assert.is(weekdays.status, 200, weekdays.body);
});

input('the same time for both sides is one Schedule; different times are Schedule A and Schedule B, never beside a Schedule', async (ctx) => {
	let { revision, settings } = await current(ctx);
	let r = await handle(request('save', { settings: { ...settings, schedules: { A: '0 20 * * 1-5', B: '0 3 * * *' } }, revision }), ctx.deps);
	assert.is(r.status, 200, r.body);
	let text = readFileSync(ctx.ini, 'utf8');
	assert.match(text, /^Schedule A = 0 20 \* \* 1-5$/m);
	assert.match(text, /^Schedule B = 0 3 \* \* \*$/m);
	assert.not.match(text, /^Schedule =/m);
	({ revision, settings } = await current(ctx));
	r = await handle(request('save', { settings: { ...settings, schedules: { A: '15 4 * * *', B: '15 4 * * *' } }, revision }), ctx.deps);
	assert.is(r.status, 200, r.body);
	text = readFileSync(ctx.ini, 'utf8');
	assert.match(text, /^Schedule = 15 4 \* \* \*$/m);
	assert.not.match(text, /^Schedule [AB] =/m);
});

input('bad filters are refused at their field, and the INI is left as it was', async (ctx) => {
	const { revision, settings } = await current(ctx);
	const before = readFileSync(ctx.ini, 'utf8');
	const filters = { minFileSize: 0, includeNoExtension: true, excludedExtensions: [], excludedFiles: [], avoidAtDirs: [] };
	const cases: [Record<string, unknown>, string, RegExp][] = [
		[{ minFileSize: -1 }, 'minFileSize', /"-1" is not a size/],
		[{ minFileSize: 'lots' }, 'minFileSize', /"lots" is not a size/],
		[{ includeNoExtension: 'yes' }, 'includeNoExtension', /true or false/],
		[{ excludedExtensions: ['log', 'a/b'] }, 'excludedExtensions', /"a\/b" is not an extension/],
		[{ excludedFiles: ['sub/Thumbs.db'] }, 'excludedFiles', /"sub\/Thumbs\.db" is not a file name/],
		[{ avoidAtDirs: ['C'] }, 'avoidAtB', /"A" and "B"/],
	];
	for (const [change, field, message] of cases) {
		const r = await handle(request('save', { settings: { ...settings, filters: { ...filters, ...change } }, revision }), ctx.deps);
		assert.is(r.status, 400, r.body);
		assert.is(JSON.parse(r.body).field, field);
		assert.match(JSON.parse(r.body).error, message);
	}
	assert.is(readFileSync(ctx.ini, 'utf8'), before);
});

input.run();

const filters = suite<Ctx>("the original Equilybrium's filters");
filters.before.each(setup);
filters.after.each((ctx) => rmSync(ctx.base, { recursive: true, force: true }));

filters('shown as the config has them, the original spellings too; saved into the INI as the runs read them', async (ctx) => {
	const text = readFileSync(ctx.ini, 'utf8').replace('# kept\n', '# kept\nMin_file_size = 100\nExcluded_extensions = log, .tmp\n');
	writeFileSync(ctx.ini, text);
	let { revision, settings } = await current(ctx);
	assert.equal((settings as Record<string, unknown>).filters, { minFileSize: 100, includeNoExtension: true, excludedExtensions: ['.log', '.tmp'], excludedFiles: [], avoidAtDirs: [] });
	const wanted = { minFileSize: '4096', includeNoExtension: false, excludedExtensions: ['*.LOG', 'tmp', 'bak'], excludedFiles: ['Thumbs.db', 'private notes.txt'], avoidAtDirs: ['B'] };
	const r = await handle(request('save', { settings: { ...settings, filters: wanted }, revision }), ctx.deps);
	assert.is(r.status, 200, r.body);
	const saved = readFileSync(ctx.ini, 'utf8');
	assert.match(saved, /^Min_file_size = 4096$/m, 'the key keeps its spelling');
	assert.match(saved, /^Excluded_extensions = \.log, \.tmp, \.bak$/m);
	assert.match(saved, /^Include files with no extension = False$/m);
	assert.match(saved, /^Excluded files = Thumbs\.db, private notes\.txt$/m);
	assert.match(saved, /^Avoid at dirs = B$/m);
	({ revision, settings } = await current(ctx));
	assert.equal((settings as Record<string, unknown>).filters, { minFileSize: 4096, includeNoExtension: false, excludedExtensions: ['.log', '.tmp', '.bak'], excludedFiles: ['Thumbs.db', 'private notes.txt'], avoidAtDirs: ['B'] });
});

filters('a save that leaves the filters as they were changes none of their lines; a page that sends none leaves them too', async (ctx) => {
	const text = readFileSync(ctx.ini, 'utf8').replace('# kept\n', '# kept\nExcluded_extensions = LOG,tmp\nAvoid_at_dirs = b\n');
	writeFileSync(ctx.ini, text);
	let { revision, settings } = await current(ctx);
	let r = await handle(request('save', { settings: { ...settings, algorithm: 'blake2b' }, revision }), ctx.deps);
	assert.is(r.status, 200, r.body);
	let saved = readFileSync(ctx.ini, 'utf8');
	assert.ok(saved.includes('\nExcluded_extensions = LOG,tmp\nAvoid_at_dirs = b\n'), saved);
	assert.not.match(saved, /Min file size|Include files with no extension|Excluded files/, 'no default written that was not there');
	({ revision, settings } = await current(ctx));
	const { filters: _, ...without } = settings as Record<string, unknown>;
	r = await handle(request('save', { settings: { ...without, algorithm: 'sha256' }, revision }), ctx.deps);
	assert.is(r.status, 200, r.body);
	saved = readFileSync(ctx.ini, 'utf8');
	assert.ok(saved.includes('\nExcluded_extensions = LOG,tmp\nAvoid_at_dirs = b\n'), saved);
});

filters.run();
