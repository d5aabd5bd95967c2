import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readStatus, type Status } from '../src/index.ts';
import { root } from './util/build.ts';
import { waitFor } from './util/dsm.ts';
import { setupDaemon, teardownDaemon, writeIni, type DaemonCtx } from './util/daemon.ts';

// The daemon in-process, with a stand-in for the command line whose runs take a known time.

type Ctx = DaemonCtx;

function setup(ctx: Ctx, schedule: string, runMs: number): void {
	process.env.FAKE_RUN_MS = String(runMs);
	setupDaemon(ctx, join(root, 'fixtures/dsm/fake-cli.cjs'), schedule, 'eq-daemon-');
}

const runs = (ctx: Ctx) => {
	const file = join(ctx.configDir, 'fake-runs.log');
	return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(' ')) : [];
};
const status = (ctx: Ctx) => readStatus(ctx.statusFile);

const teardown = teardownDaemon;

const schedule = suite<Ctx>('daemon scheduling');
schedule.before.each((ctx) => setup(ctx, '* * * * * *', 2500));
schedule.after.each(teardown);

schedule('runs on schedule, one run at a time; overlapping ticks are skipped', async (ctx) => {
	await ctx.daemon.start();
	await waitFor('a finished run', () => runs(ctx).some((r) => r[0] === 'end'), 10_000);
	const log = runs(ctx);
	assert.equal(log[0]!.slice(3), ['run', '--role', 'B', '--config', ctx.configDir, '--quiet', '--progress-file', join(ctx.base, 'var/progress.json')]);
	let going = 0;
	for (const [what] of log) {
		if (what === 'start') going++;
		if (what === 'end') going--;
		assert.ok(going <= 1, 'never two runs at once');
	}
	assert.ok(ctx.lines.some((l) => /a run is still going on .* the scheduled run is skipped/.test(l)), 'ticks during a run are skipped');
	const s = await waitFor('status of the last run', async () => ((await status(ctx))?.lastRun ? status(ctx) : undefined), 5000);
	assert.is(s.lastRun?.outcome, 'found');
	assert.is(s.lastRun?.exitCode, 1);
	assert.equal(s.lastRun?.counts, { NewFile: 2, FileCorrupted: 1 }, 'the counts come from the run record');
	assert.is(s.lastRun?.files, 2);
	assert.is(s.lastRun?.bytes, 25);
	assert.ok(!existsSync(join(ctx.base, 'var/progress.json')), 'the progress file is gone after the run');
	assert.is(s.schedule, '* * * * * *');
	assert.ok(s.nextRun, 'the next run is known');
});

schedule('picks up a config change without a restart', async (ctx) => {
	await ctx.daemon.start();
	assert.is((await status(ctx))?.schedule, '* * * * * *');
	writeIni(ctx, '0 4 * * *');
	const s = await waitFor('the new schedule', async () => ((await status(ctx))?.schedule === '0 4 * * *' ? status(ctx) : undefined), 5000);
	assert.is(new Date(s!.nextRun!).getMinutes(), 0);
	assert.is(new Date(s!.nextRun!).getHours(), 4);
	writeIni(ctx, 'whenever');
	await waitFor('the problem', async () => ((await status(ctx))?.problems.length ? true : undefined), 5000);
	const broken = (await status(ctx))!;
	assert.match(broken.problems.join('\n'), /Schedule: "whenever" is not a cron expression/);
	assert.is(broken.nextRun, undefined, 'nothing is scheduled on a broken config');
});

schedule.run();

const manual = suite<Ctx>('daemon "run now" and stopping');
manual.before.each((ctx) => setup(ctx, '0 3 1 1 *', 20_000));
manual.after.each(teardown);

manual('a run-now request starts a run; SIGTERM-style stop checkpoints it and waits for it', async (ctx) => {
	await ctx.daemon.start();
	writeFileSync(join(ctx.base, 'var/run-now'), 'now');
	await waitFor('the manual run', () => runs(ctx).some((r) => r[0] === 'start'), 5000);
	assert.not.ok(existsSync(join(ctx.base, 'var/run-now')), 'the request is taken');
	assert.is((await status(ctx))?.state, 'running');
	const started = Date.now();
	await ctx.daemon.stop();
	assert.ok(Date.now() - started < 5000, 'stops promptly');
	assert.equal(runs(ctx).map((r) => r[0]), ['start', 'checkpoint']);
	const s: Status = (await status(ctx))!;
	assert.is(s.state, 'stopped');
	assert.is(s.lastRun?.outcome, 'stopped');
	assert.is(s.lastRun?.reason, 'manual');
	assert.match(s.lastRun?.message ?? '', /database is left as it was/);
});

manual('says what is wrong when the config folder or its INI is missing', async (ctx) => {
	rmSync(join(ctx.configDir, 'equilybrium.config.ini'));
	await ctx.daemon.start();
	assert.match((await status(ctx))!.problems.join('\n'), /there is no equilybrium\.config\.ini in .* yet/);
	writeFileSync(join(ctx.base, 'var/config-folder'), '{"share":"Nope","subfolder":""}');
	await waitFor('the folder problem', async () => ((await status(ctx))?.problems.join('').includes('"Nope" was not found') ? true : undefined), 5000);
});

manual('notices a fixed folder without a config change (e.g. a permission granted in DSM)', async (ctx) => {
	const later = join(ctx.base, 'volume1/later');
	writeFileSync(join(ctx.configDir, 'equilybrium.config.ini'), `[Settings]\nSchedule = 0 3 * * *\n\n[Monitored Directories]\nB = ["${later}"]\n`);
	await ctx.daemon.start();
	assert.match((await status(ctx))!.problems.join('\n'), /volume1\/later does not exist/);
	mkdirSync(later);
	await waitFor('the problem to clear', async () => ((await status(ctx))?.problems.length === 0 ? true : undefined), 5000);
	assert.is(ctx.lines.filter((l) => l.includes('does not exist')).length, 1, 'the problem is logged once, not at every poll');
});

manual.run();

const record = suite<Ctx>('daemon and the run record');
record.before.each((ctx) => setup(ctx, '0 3 1 1 *', 300));
record.after.each((ctx) => {
	delete process.env.FAKE_NO_RECORD;
	return teardown(ctx);
});

const manualRun = async (ctx: Ctx) => {
	await ctx.daemon.start();
	writeFileSync(join(ctx.base, 'var/run-now'), 'now');
	return waitFor('the manual run to end', async () => ((await status(ctx))?.lastRun?.reason === 'manual' ? status(ctx) : undefined), 10_000);
};

record('a run that leaves no record: the outcome from its exit code, the message from its error output; an older record is not taken for it', async (ctx) => {
	const old = { version: 1, role: 'B', toolVersion: 'x', startedAt: '2026-01-01T03:00:00.000Z', finishedAt: '2026-01-01T03:01:00.000Z', durationMs: 60000, exitCode: 0, outcome: 'ok', folders: 1, files: 99, bytes: 1, hashedFiles: 0, hashedBytes: 0, firstRun: false, counts: { NewFile: 7 } };
	writeFileSync(join(ctx.configDir, 'equilybrium.B.last-run.json'), JSON.stringify(old));
	process.env.FAKE_NO_RECORD = '1';
	const s = (await manualRun(ctx))!;
	assert.is(s.lastRun?.outcome, 'failed');
	assert.is(s.lastRun?.exitCode, 3);
	assert.equal(s.lastRun?.counts, {});
	assert.is(s.lastRun?.files, undefined, 'not the 99 files of the older record');
	assert.match(s.lastRun?.message ?? '', /cannot write the run record: EROFS/);
});

record('runs get EQUILYBRIUM_DESKTOP=dsm, the SMTP password stored on this NAS, and stop with the daemon', async (ctx) => {
	writeFileSync(join(ctx.base, 'var/smtp-password'), 's3cret pass');
	await manualRun(ctx);
	const env = JSON.parse(readFileSync(join(ctx.configDir, 'fake-env.json'), 'utf8'));
	assert.is(env.EQUILYBRIUM_DESKTOP, 'dsm');
	assert.is(env.EQUILYBRIUM_SMTP_PASSWORD, 's3cret pass');
	assert.is(env.EQUILYBRIUM_STOP_WITH_PARENT, '1', 'a daemon killed with -9 leaves no run holding the lock');
	assert.is(env.EQUILYBRIUM_STATE_DIR, join(ctx.base, 'var'), 'the CLI finds this NAS\'s own files (smtp-password) there');
});

record('a progress file left by a killed run is removed before the next run', async (ctx) => {
	writeFileSync(join(ctx.base, 'var/progress.json'), '{"phase":"hashing"}');
	await manualRun(ctx);
	assert.ok(!existsSync(join(ctx.base, 'var/progress.json')));
	const args = runs(ctx)[0]!;
	assert.ok(args.includes('--progress-file'), 'the run was given the progress file');
});

record.run();

const request = suite<Ctx>('"run now" while a run goes on');
request.before.each((ctx) => setup(ctx, '0 3 1 1 *', 1500));
request.after.each(teardown);

request('a request made during a run waits for it, then starts one run', async (ctx) => {
	await ctx.daemon.start();
	writeFileSync(join(ctx.base, 'var/run-now'), 'first');
	await waitFor('the first run', () => runs(ctx).some((r) => r[0] === 'start'), 5000);
	writeFileSync(join(ctx.base, 'var/run-now'), 'second');
	await new Promise((r) => setTimeout(r, 500));
	assert.ok(existsSync(join(ctx.base, 'var/run-now')), 'the request waits while the run goes on');
	await waitFor('the second run', () => runs(ctx).filter((r) => r[0] === 'start').length === 2, 10_000);
	assert.ok(!existsSync(join(ctx.base, 'var/run-now')));
	await waitFor('both ended', () => runs(ctx).filter((r) => r[0] === 'end').length === 2, 10_000);
});

request.run();
