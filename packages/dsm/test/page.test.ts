import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, unlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type FrameLocator, type Page } from 'playwright-core';
import { dist, ensureSpk, root } from './util/build.ts';
import { ADMIN, makeDsm, processesUnder } from './util/dsm.ts';
import { startHarness, type Harness } from './util/harness.ts';
import { daemonStatus, nightlyHistory, progress, put, putHistory, record } from './util/records.ts';

// The page in a real browser (Debian's chromium), inside the package's own DSM window: a
// stand-in for DSM's desktop opens it from ui/config, as DSM 7.2 does, in front of the
// installed package's page and CGI. The NAS is in Tokyo, the browser in New York: the page
// must show the NAS's time. Every state is photographed at DSM's window sizes (the browser
// showing DSM at 1440×900 and at 960×600) into dist/test-output/, to be looked at.

const NAS_ZONE = 'Asia/Tokyo';
const BROWSER_ZONE = 'America/New_York';
const SIZES = [
	{ width: 1440, height: 900 },
	{ width: 960, height: 600 },
];
const HOUR = 3_600_000;
const shots = join(dist, 'test-output');
mkdirSync(shots, { recursive: true });

const dsm = makeDsm(ensureSpk());
const owner = { uid: dsm.uid, gid: dsm.gid };
const ini = join(dsm.configDir, 'equilybrium.config.ini');
const report = join(dsm.configDir, 'equilybrium.report.txt');
const statusFile = join(dsm.var, 'status.json');
const progressFile = join(dsm.var, 'progress.json');
put(join(dsm.var, 'config-folder'), '{"share":"Backup","subfolder":"Equilybrium"}\n', owner);
// "Send a test" runs the command line; until it has "notify --test", a stand-in does (see the file).
copyFileSync(join(root, 'fixtures/dsm/fake-cli-notify.cjs'), join(dsm.target, 'app/equilybrium.cjs'));
const originalIni = readFileSync(ini, 'utf8');

const now = Date.now();
/** A's run this morning, 03:10 on the NAS's clock (or yesterday's if that is still ahead). */
const aRunAt = (() => {
	const local = new Date(now + 9 * HOUR); // Tokyo has no summer time
	local.setUTCHours(3, 10, 0, 0);
	let at = local.getTime() - 9 * HOUR;
	if (at > now - HOUR) at -= 24 * HOUR;
	return at;
})();
/** B's nightly run: 03:00 on the NAS's clock (its schedule), 94 s long. */
const bRunAt = aRunAt - 10 * 60_000 + 94_000;
const nextRun = new Date(bRunAt - 94_000 + 24 * HOUR).toISOString();
const OK = 'BACKUP OK — all 12,034 files (45 GiB) on A have a correct copy on B.';
const AT_RISK = 'ACTION NEEDED — 4 files (18 MiB) at risk: 3 missing on B, 1 corrupted on B. See "What to do" below.';

/** As the page shows a time: its NAS-time and browser-time spellings, to tell them apart. */
function clockOf(at: number, zone: string): string {
	return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: zone }).format(new Date(at));
}

function sectionHeading(at: number): string {
	const iso = new Date(at).toISOString();
	return `=== Equilybrium report ${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC ===`;
}

/** The everyday state: the PC said "BACKUP OK" this morning, the NAS ran before it, 34 runs of history. */
function everyday(): void {
	put(report, `${sectionHeading(aRunAt - 24 * HOUR)}\n${AT_RISK}\nold section\n\n${sectionHeading(aRunAt)}\n${OK}\nA ran …\n`, owner);
	put(join(dsm.configDir, 'equilybrium.A.last-run.json'), record('A', aRunAt, { verdict: { status: 'ok', b: 'ok', counts: {}, atRisk: { files: 0, bytes: 0 }, headline: OK } }), owner);
	const history = nightlyHistory(34, bRunAt);
	putHistory(dsm.configDir, history, owner);
	put(join(dsm.configDir, 'equilybrium.B.last-run.json'), history.at(-1)!, owner);
	const last = history.at(-1)!;
	put(statusFile, daemonStatus(daemon.pid!, { nextRun, lastRun: { startedAt: last.startedAt, finishedAt: last.finishedAt, reason: 'scheduled', outcome: last.outcome, exitCode: last.exitCode, durationMs: last.durationMs, counts: {}, files: last.files, bytes: last.bytes } }), owner);
	rmSync(progressFile, { force: true });
	rmSync(join(dsm.var, 'run-now'), { force: true });
}

// The daemon's process, as the CGI checks it (alive, and named like the daemon).
let daemon: ChildProcess;

interface Ctx {
	harness: Harness;
	browser: Browser;
	context: BrowserContext;
	page: Page;
	hook: Server;
	hooked: { title: string; body: string }[];
}

const page = suite<Ctx>('the page in its DSM window, in Chromium');

page.before(async (ctx) => {
	try {
		daemon = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', join(dsm.target, 'app/equilybrium-dsm-daemon.cjs')], { stdio: 'ignore' });
		everyday();
		ctx.harness = await startHarness(dsm, [ADMIN], { desktop: join(root, 'fixtures/dsm/desktop.html'), cgiEnv: { TZ: NAS_ZONE } });
		ctx.browser = await chromium.launch({
			executablePath: '/usr/bin/chromium',
			timeout: 30_000,
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		});
		ctx.context = await ctx.browser.newContext({ timezoneId: BROWSER_ZONE, locale: 'en-GB', viewport: SIZES[0] });
		await ctx.context.addCookies([{ name: 'id', value: ADMIN.id, domain: '127.0.0.1', path: '/' }]);
		ctx.page = await ctx.context.newPage();
		ctx.page.setDefaultTimeout(20_000);
		ctx.hooked = [];
		ctx.hook = await webhookServer(ctx.hooked);
	} catch (error) {
		console.error(error); // uvu would only count the suite as failed, without saying why
		await cleanUp(ctx); // uvu skips "after" when "before" fails
		throw error;
	}
});

async function cleanUp(ctx: Partial<Ctx>): Promise<string[]> {
	await ctx.browser?.close();
	await ctx.harness?.close();
	await new Promise((resolve) => (ctx.hook ? ctx.hook.close(resolve) : resolve(undefined)));
	daemon?.kill('SIGKILL');
	await new Promise((resolve) => (daemon && daemon.exitCode === null && daemon.signalCode === null ? daemon.once('exit', resolve) : resolve(undefined)));
	const left = processesUnder(dsm.root).map(String);
	dsm.remove();
	return left;
}

page.after(async (ctx) => {
	assert.equal(await cleanUp(ctx), [], 'no CGI left running');
});

function webhookServer(received: { title: string; body: string }[]): Promise<Server> {
	const server = createServer((req, res) => {
		let body = '';
		req.on('data', (c) => (body += c));
		req.on('end', () => {
			received.push({ title: String(req.headers.title ?? ''), body });
			res.writeHead(200).end('ok');
		});
	});
	return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Opens DSM's desktop at this size and Equilybrium's window in it, as from the main menu. */
async function openWindow(ctx: Ctx, size = SIZES[0]!): Promise<FrameLocator> {
	await ctx.page.setViewportSize(size);
	await ctx.page.goto(`${ctx.harness.desktop}?app=SYNO.SDS.Equilybrium.Application`);
	const frame = ctx.page.frameLocator('.equilybrium-win iframe');
	await frame.locator('body[data-ready="true"]').waitFor();
	return frame;
}

async function shoot(ctx: Ctx, name: string, prepare?: (frame: FrameLocator) => Promise<void>): Promise<void> {
	for (const size of SIZES) {
		const frame = await openWindow(ctx, size);
		if (prepare) await prepare(frame);
		const file = join(shots, `dsm-page-${name}-${size.width}x${size.height}.png`);
		await ctx.page.screenshot({ path: file });
		assert.ok(readFileSync(file).length > 10_000, `a screenshot was written: ${file}`);
	}
}

const text = async (frame: FrameLocator, selector: string) => ((await frame.locator(selector).textContent()) ?? '').trim();

page('the window opens from ui/config at a size that fits the screen, with the page in it', async (ctx) => {
	for (const size of SIZES) {
		await openWindow(ctx, size);
		const box = (await ctx.page.locator('.equilybrium-win').boundingBox())!;
		assert.ok(box.width <= size.width && box.height <= size.height - 40, `the window fits ${size.width}×${size.height}: ${box.width}×${box.height}`);
		assert.ok(box.width >= 640, 'and is not smaller than its minimum');
	}
	assert.is(await ctx.page.locator('.x-window-header span').first().textContent(), 'Equilybrium');
});

page('the verdict first, in the report\'s words, with its date in the NAS\'s time; then B\'s last run; then the last 30 runs', async (ctx) => {
	const frame = await openWindow(ctx);
	assert.is(await text(frame, '#verdictHeadline'), OK);
	assert.match((await frame.locator('#verdict').getAttribute('class'))!, /\bok\b/);
	const when = await text(frame, '#verdictWhen');
	assert.ok(when.includes(clockOf(aRunAt, NAS_ZONE)), `the NAS's time ${clockOf(aRunAt, NAS_ZONE)}: ${when}`);
	assert.not.ok(when.includes(clockOf(aRunAt, BROWSER_ZONE)), `not the browser's: ${when}`);
	assert.match(when, /hours? ago/);
	assert.ok(await frame.locator('#staleNote').isHidden(), 'A ran this morning: not stale');
	// "first": the verdict stands above everything else on the overview
	const order = await frame.locator('#overview').evaluate((panel) => Array.from(panel.querySelectorAll('#verdict, .card, table.history, details.report'), (e) => e.id || e.className));
	assert.equal(order[0], 'verdict');
	assert.match(await text(frame, '#lastRun'), new RegExp(`${clockOf(bRunAt - 94_000, NAS_ZONE)}.*took 1 min 34 s · on schedule$`));
	assert.match(await text(frame, '#lastResult'), /^OK 12,034 files \(45 GiB\)/);
	assert.match(await text(frame, '#nextRun'), /03:00 \(0 3 \* \* \*\)$/, 'the next run at the schedule\'s time on the NAS\'s clock');
	const rows = frame.locator('#history tr');
	assert.is(await rows.count(), 30, 'the last 30 of 34 runs');
	const first = await rows.first().locator('td').allTextContents();
	assert.ok(first[0]!.includes(clockOf(bRunAt - 94_000, NAS_ZONE)), `newest first: ${first.join(' | ')}`);
	assert.equal(first.slice(1), ['1 min 34 s', '12,034', '45 GiB', 'no changes', 'OK']);
	const failed = await frame.locator('#history tr', { hasText: 'Failed' }).first().locator('td').allTextContents();
	assert.match(failed[4]!, /cannot read \/volume1\/photo: EIO/);
	assert.equal(failed.slice(2, 4), ['—', '—'], 'a run that failed before listing counts no files');
	const found = await frame.locator('#history tr', { hasText: 'Found problems' }).first().locator('td').allTextContents();
	assert.is(found[4], '3 new, 1 corrupted');
	assert.match(await text(frame, '#clockNote'), /this NAS's local time \(Asia\/Tokyo\)/);
	await shoot(ctx, 'verdict-ok');
});

page('a newer report section saying ACTION NEEDED wins over an older run record; B\'s findings in red', async (ctx) => {
	put(report, `${sectionHeading(aRunAt)}\n${OK}\n\n${sectionHeading(aRunAt + 60_000)}\n${AT_RISK}\n`, owner);
	const found = record('B', bRunAt, { outcome: 'found', exitCode: 1, counts: { FileCorrupted: 1, NewFile: 2 } });
	put(join(dsm.configDir, 'equilybrium.B.last-run.json'), found, owner);
	put(statusFile, daemonStatus(daemon.pid!, { nextRun }), owner);
	try {
		const frame = await openWindow(ctx);
		assert.is(await text(frame, '#verdictHeadline'), AT_RISK);
		assert.match((await frame.locator('#verdict').getAttribute('class'))!, /\brisk\b/);
		assert.ok((await text(frame, '#verdictWhen')).includes(clockOf(aRunAt + 60_000, NAS_ZONE)));
		assert.match(await text(frame, '#lastResult'), /^Found problems 12,034 files \(45 GiB\) · 2 new, 1 corrupted$/);
		assert.match(await text(frame, '#lastRun'), /took 1 min 34 s$/, 'a run the daemon did not start (by hand on the NAS) has no reason');
		await shoot(ctx, 'verdict-at-risk');
	} finally {
		everyday();
	}
});

page('A\'s last run older than "Stale after": the page says the verdict may be out of date', async (ctx) => {
	const old = now - 5 * 24 * HOUR;
	put(report, `${sectionHeading(old)}\n${OK}\n`, owner);
	put(join(dsm.configDir, 'equilybrium.A.last-run.json'), record('A', old, { verdict: { status: 'ok', b: 'ok', counts: {}, atRisk: { files: 0, bytes: 0 }, headline: OK } }), owner);
	try {
		let frame = await openWindow(ctx);
		assert.ok(await frame.locator('#staleNote').isVisible());
		assert.match(await text(frame, '#staleNote'), /^The PC has not run for 5 days, longer than "Stale after" \(3 days\): this verdict may be out of date/);
		assert.match((await frame.locator('#verdict').getAttribute('class'))!, /\bwarn\b/, 'an old BACKUP OK is shown in amber');
		await shoot(ctx, 'verdict-stale');
		put(ini, originalIni + '\n[Notifications]\nStale after = 7\n', owner);
		frame = await openWindow(ctx);
		assert.ok(await frame.locator('#staleNote').isHidden(), 'Stale after = 7 in [Notifications]: 5 days is not stale');
	} finally {
		put(ini, originalIni, owner);
		everyday();
	}
});

page('a run going on: its progress (files and bytes of the total, rate, time left), and "Run now" says it is running', async (ctx) => {
	const startedAt = now - 3 * 60_000;
	put(statusFile, daemonStatus(daemon.pid!, { state: 'running', nextRun, running: { startedAt: new Date(startedAt).toISOString(), reason: 'manual' } }), owner);
	put(progressFile, progress(startedAt), owner);
	try {
		const frame = await openWindow(ctx);
		assert.is(await text(frame, '#state'), 'Checking');
		assert.is(await text(frame, '#progressPhase'), 'Reading and hashing');
		assert.is(await text(frame, '#progressPercent'), '43 %');
		assert.is(await text(frame, '#progressFiles'), '5,210 of 12,034 files');
		assert.is(await text(frame, '#progressBytes'), '20 GiB of 45 GiB');
		assert.is(await text(frame, '#progressRate'), '113 MiB/s');
		assert.is(await text(frame, '#progressEta'), 'about 3 min 51 s left');
		assert.match(await text(frame, '#progressStarted'), new RegExp(`^Started ${clockOf(startedAt, NAS_ZONE)} by hand\\.$`));
		assert.ok(await frame.locator('#runNow').isDisabled());
		assert.is(await text(frame, '#runNow'), 'Running…');
		const width = await frame.locator('#progressFill').evaluate((e) => (e as HTMLElement).style.width);
		assert.is(width, '43.3%');
		await shoot(ctx, 'progress');
		// a first run knows no total yet: it counts, without a percentage
		put(progressFile, progress(startedAt, { totalFiles: null, totalBytes: null, etaSeconds: null }), owner);
		const first = await openWindow(ctx);
		assert.is(await text(first, '#progressFiles'), '5,210 files so far (first run: no total yet)');
		assert.is(await text(first, '#progressPercent'), '');
		assert.match((await first.locator('#progressBar').getAttribute('class'))!, /indeterminate/);
		// a progress file left by an older run is not this run's
		put(progressFile, progress(startedAt, { updatedAt: new Date(startedAt - 60_000).toISOString() }), owner);
		const stale = await openWindow(ctx);
		assert.is(await text(stale, '#progressPhase'), 'Starting…');
	} finally {
		everyday();
	}
});

page('"Run now" tells the truth: a run already going on is not started twice; a stopped package says so; else it is asked for', async (ctx) => {
	const frame = await openWindow(ctx);
	assert.is(await text(frame, '#runNow'), 'Run now');
	// the run starts after the page last looked: the click finds it going on
	const startedAt = now - 60_000;
	put(statusFile, daemonStatus(daemon.pid!, { state: 'running', nextRun, running: { startedAt: new Date(startedAt).toISOString(), reason: 'scheduled' } }), owner);
	await frame.locator('#runNow').click();
	await frame.locator('#runNow', { hasText: 'Running…' }).waitFor();
	assert.is(await text(frame, '#runMessage'), `A run is already going on (started ${clockOf(startedAt, NAS_ZONE)}): no second one was started.`);
	assert.is(await text(frame, '#state'), 'Checking', 'and the page now shows it');
	assert.not.ok(existsSync(join(dsm.var, 'run-now')), 'no request was left');
	await shoot(ctx, 'run-now-running', async (f) => {
		put(statusFile, daemonStatus(daemon.pid!), owner);
		await f.locator('#runNow:not([disabled])').waitFor();
		put(statusFile, daemonStatus(daemon.pid!, { state: 'running', nextRun, running: { startedAt: new Date(startedAt).toISOString(), reason: 'scheduled' } }), owner);
		await f.locator('#runNow').click();
		await f.locator('#runNow', { hasText: 'Running…' }).waitFor();
	});
	// the package is stopped in Package Center
	put(statusFile, daemonStatus(daemon.pid!, { state: 'stopped' }), owner);
	const stopped = await openWindow(ctx);
	assert.is(await text(stopped, '#state'), 'Stopped');
	await stopped.locator('#runNow').click();
	await stopped.locator('#runMessage.error').waitFor();
	assert.match(await text(stopped, '#runMessage'), /^Equilybrium is stopped on this NAS: start it in Package Center/);
	assert.not.ok(existsSync(join(dsm.var, 'run-now')));
	// waiting: the run is asked for, and the button says so until it starts
	everyday();
	const idle = await openWindow(ctx);
	await idle.locator('#runNow').click();
	await idle.locator('#runMessage.success').waitFor();
	assert.is(await text(idle, '#runMessage'), 'Asked for: the run starts within a few seconds.');
	assert.ok(existsSync(join(dsm.var, 'run-now')), 'the request is left for the daemon');
	await idle.locator('#runNow[disabled]').waitFor();
	await shoot(ctx, 'run-now-asked');
	unlinkSync(join(dsm.var, 'run-now'));
});

page('Settings: a bad PC schedule is refused at its field; both schedules and the folders are saved into the INI', async (ctx) => {
	const frame = await openWindow(ctx);
	await frame.locator('#tab-settings').click();
	assert.is(await frame.locator('#folders').inputValue(), dsm.photo);
	assert.is(await frame.locator('#scheduleB').inputValue(), '0 3 * * *');
	assert.is(await frame.locator('#scheduleA').inputValue(), '0 3 * * *');
	assert.is(await frame.locator('#folderShare').inputValue(), 'Backup');
	assert.is(await frame.locator('#folderSubfolder').inputValue(), 'Equilybrium');
	await frame.locator('#scheduleA').fill('*/2 * * * * *');
	await frame.locator('#save').click();
	await frame.locator('#message.error').waitFor();
	assert.match(await text(frame, '#message'), /"\*\/2 \* \* \* \* \*" is not a schedule/);
	assert.match((await frame.locator('#scheduleA').getAttribute('class')) ?? '', /invalid/);
	assert.is(readFileSync(ini, 'utf8'), originalIni);
	await frame.locator('#scheduleA').fill('30 2 * * 1-5');
	await frame.locator('#scheduleB').fill('15 4 * * *');
	await frame.locator('#save').click();
	await frame.locator('#message.success').waitFor();
	const saved = readFileSync(ini, 'utf8');
	assert.match(saved, /^Schedule A = 30 2 \* \* 1-5$/m);
	assert.match(saved, /^Schedule B = 15 4 \* \* \*$/m);
	assert.not.match(saved, /^Schedule =/m, 'no plain Schedule beside the per-side keys');
	assert.match(saved, /^# The PC's folders\.$/m);
	await shoot(ctx, 'settings', async (f) => {
		await f.locator('#tab-settings').click();
	});
	put(ini, originalIni, owner);
});

page("Settings: the original Equilybrium's filters are shown as the config spells them, and saved into the INI", async (ctx) => {
	put(ini, originalIni.replace('[Settings]\n', '[Settings]\nMin_file_size = 100\nExcluded_extensions = log, .tmp\nAvoid_at_dirs = B\n'), owner);
	try {
		const frame = await openWindow(ctx);
		await frame.locator('#tab-settings').click();
		assert.is(await frame.locator('#minFileSize').inputValue(), '100');
		assert.ok(await frame.locator('#includeNoExtension').isChecked(), 'absent: files without an extension are monitored');
		assert.is(await frame.locator('#excludedExtensions').inputValue(), '.log, .tmp');
		assert.is(await frame.locator('#excludedFiles').inputValue(), '');
		assert.ok(await frame.locator('#avoidAtB').isChecked());
		assert.not.ok(await frame.locator('#avoidAtA').isChecked());
		await frame.locator('#excludedFiles').fill('Thumbs.db, sub/x');
		await frame.locator('#save').click();
		await frame.locator('#message.error').waitFor();
		assert.match(await text(frame, '#message'), /"sub\/x" is not a file name/);
		assert.match((await frame.locator('#excludedFiles').getAttribute('class')) ?? '', /invalid/);
		await frame.locator('#minFileSize').fill('4096');
		await frame.locator('#includeNoExtension').uncheck();
		await frame.locator('#excludedExtensions').fill('LOG, tmp, .bak');
		await frame.locator('#excludedFiles').fill('Thumbs.db, desktop.ini');
		await frame.locator('#avoidAtA').check();
		await frame.locator('#save').click();
		await frame.locator('#message.success').waitFor();
		const saved = readFileSync(ini, 'utf8');
		assert.match(saved, /^Min_file_size = 4096$/m, 'the original spelling of the key is kept');
		assert.match(saved, /^Excluded_extensions = \.log, \.tmp, \.bak$/m);
		assert.match(saved, /^Avoid_at_dirs = A, B$/m);
		assert.match(saved, /^Include files with no extension = False$/m);
		assert.match(saved, /^Excluded files = Thumbs\.db, desktop\.ini$/m);
		assert.is(await frame.locator('#excludedExtensions').inputValue(), '.log, .tmp, .bak', 'shown again as saved');
		await shoot(ctx, 'settings-filters', async (f) => {
			await f.locator('#tab-settings').click();
			await f.locator('#avoidAtA').scrollIntoViewIfNeeded();
		});
	} finally {
		put(ini, originalIni, owner);
	}
});

page('Notifications: shown and saved; the password stays on the NAS; "Send a test" reaches the webhook', async (ctx) => {
	const hook = `http://127.0.0.1:${(ctx.hook.address() as AddressInfo).port}/equilybrium`;
	const frame = await openWindow(ctx);
	await frame.locator('#tab-notifications').click();
	assert.is(await frame.locator('#notify').inputValue(), 'problems');
	assert.is(await frame.locator('#remindOkEvery').inputValue(), '7');
	assert.is(await frame.locator('#staleAfter').inputValue(), '3');
	assert.ok(await frame.locator('#desktop').isChecked());
	await frame.locator('#webhook').fill(hook);
	await frame.locator('#email').fill('me@example.com');
	await frame.locator('#smtp').fill('smtp://me@mail.example.com:587');
	await frame.locator('#smtpPassword').fill('hunter2 secret');
	assert.ok(await frame.locator('#testNotify').isDisabled(), 'the test uses the saved settings: save first');
	await frame.locator('#saveNotify').click();
	await frame.locator('#notifyMessage.success').waitFor();
	const saved = readFileSync(ini, 'utf8');
	assert.match(saved, /^\[Notifications\]$/m);
	assert.match(saved, new RegExp(`^Webhook = ${hook.replace(/[.]/g, '\\.')}$`, 'm'));
	assert.match(saved, /^Email = me@example\.com$/m);
	assert.match(saved, /^SMTP = smtp:\/\/me@mail\.example\.com:587$/m);
	assert.not.match(saved, /hunter2/, 'never the password in the shared INI');
	assert.is(readFileSync(join(dsm.var, 'smtp-password'), 'utf8'), 'hunter2 secret');
	assert.match(await frame.locator('#smtpPassword').getAttribute('placeholder') ?? '', /stored on this NAS/);
	await frame.locator('#testNotify:not([disabled])').click();
	await frame.locator('#channels li').first().waitFor();
	assert.equal(await frame.locator('#channels li').allTextContents(), ['webhook: delivered (HTTP 200)', 'email: failed (cannot reach mail.example.com:587)']);
	assert.is(await text(frame, '#notifyMessage'), 'Not every channel delivered:');
	assert.is(ctx.hooked.length, 1, 'the webhook got one test message');
	assert.is(ctx.hooked[0]!.title, 'Equilybrium test from B');
	const ran = JSON.parse(readFileSync(join(dsm.configDir, 'fake-notify-env.json'), 'utf8'));
	assert.equal(ran.argv, ['notify', '--test', '--role', 'B', '--config', dsm.configDir, '--json']);
	assert.is(ran.env.EQUILYBRIUM_SMTP_PASSWORD, 'hunter2 secret', 'the test gets the password as runs do');
	assert.is(ran.env.EQUILYBRIUM_DESKTOP, 'dsm');
	assert.is(ran.env.HTTP_COOKIE, undefined, 'nothing of the web request');
	await shoot(ctx, 'notifications', async (f) => {
		await f.locator('#tab-notifications').click();
		await f.locator('#testNotify:not([disabled])').click();
		await f.locator('#channels li').first().waitFor();
	});
	put(ini, originalIni, owner);
});

page('opened on its own (not in DSM), the page gets its token from DSM\'s login and works', async (ctx) => {
	await ctx.page.setViewportSize(SIZES[0]!);
	await ctx.page.goto(ctx.harness.url);
	await ctx.page.locator('body[data-ready="true"]').waitFor();
	assert.is(await ctx.page.locator('#verdictHeadline').textContent(), OK);
	await ctx.page.screenshot({ path: join(shots, 'dsm-page-standalone-full.png'), fullPage: true });
});

page.run();
