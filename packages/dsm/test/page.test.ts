import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { dist, ensureSpk } from './util/build.ts';
import { ADMIN, makeDsm, processesUnder } from './util/dsm.ts';
import { startHarness, type Harness } from './util/harness.ts';

// The settings page in a real browser (Debian's chromium), served by a local stand-in for
// DSM's web server in front of the installed package's page and CGI.

const dsm = makeDsm(ensureSpk());
const ini = join(dsm.configDir, 'equilybrium.config.ini');
writeFileSync(join(dsm.var, 'config-folder'), '{"share":"Backup","subfolder":"Equilybrium"}\n');
chownSync(join(dsm.var, 'config-folder'), dsm.uid, dsm.gid);
writeFileSync(join(dsm.configDir, 'equilybrium.report.txt'), '=== Equilybrium report 2026-11-21 03:10:00 UTC ===\nold\n\n=== Equilybrium report 2026-11-22 03:10:00 UTC ===\nA: 1,204 files — all backed up on B\n');
writeFileSync(
	join(dsm.var, 'status.json'),
	JSON.stringify({
		state: 'idle',
		schedule: '0 3 * * *',
		nextRun: '2026-11-23T03:00:00.000Z',
		problems: [],
		lastRun: { startedAt: '2026-11-22T03:00:00.000Z', finishedAt: '2026-11-22T03:01:30.000Z', reason: 'scheduled', outcome: 'ok', exitCode: 0, summary: 'B: 1,204 files, 3.1 GB read in 1 min 30 s (sha256) — no changes', counts: {} },
	}),
);

const page = suite<{ harness: Harness; browser: BrowserContext; page: Page; profile: string }>('settings page in Chromium');

page.before(async (context) => {
	try {
		context.harness = await startHarness(dsm, [ADMIN]);
		context.profile = mkdtempSync(join(tmpdir(), 'eq-chromium-'));
		// A fresh profile each time (playwright passes it as --user-data-dir).
		context.browser = await chromium.launchPersistentContext(context.profile, {
			executablePath: '/usr/bin/chromium',
			timeout: 30_000,
			viewport: { width: 1000, height: 1100 },
			args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		});
		await context.browser.addCookies([{ name: 'id', value: ADMIN.id, domain: '127.0.0.1', path: '/' }]);
		context.page = await context.browser.newPage();
		context.page.setDefaultTimeout(15_000);
	} catch (error) {
		console.error(error); // uvu would only count the suite as failed, without saying why
		await cleanUp(context); // uvu skips "after" when "before" fails
		throw error;
	}
});

async function cleanUp(context: { harness?: Harness; browser?: BrowserContext; profile?: string }): Promise<string[]> {
	await context.browser?.close();
	await context.harness?.close();
	if (context.profile) rmSync(context.profile, { recursive: true, force: true });
	const left = processesUnder(dsm.root).map(String);
	dsm.remove();
	return left;
}

page.after(async (context) => {
	assert.equal(await cleanUp(context), [], 'no CGI left running');
});

page('shows the status, the next run and the latest report section', async ({ harness, page }) => {
	await page.goto(harness.url);
	await page.waitForFunction("document.getElementById('schedule').value !== ''");
	assert.match((await page.locator('#result').textContent()) ?? '', /^ok — B: 1,204 files/);
	assert.match((await page.locator('#nextRun').textContent()) ?? '', /0 3 \* \* \*/);
	assert.is(await page.locator('#configDir').textContent(), dsm.configDir);
	const report = (await page.locator('#report').textContent()) ?? '';
	assert.match(report, /^=== Equilybrium report 2026-11-22 03:10:00 UTC ===\nA: 1,204 files/);
	assert.not.match(report, /2026-11-21/);
	assert.is(await page.locator('#folders').inputValue(), dsm.photo);
});

page('shows a validation error next to the bad field and does not save', async ({ page }) => {
	await page.fill('#schedule', 'at three');
	await page.click('#save');
	await page.waitForFunction("document.getElementById('message').className === 'error'");
	assert.match((await page.locator('#message').textContent()) ?? '', /"at three" is not a schedule/);
	assert.match((await page.locator('#schedule').getAttribute('class')) ?? '', /invalid/);
	assert.match(readFileSync(ini, 'utf8'), /^Schedule = 0 3 \* \* \*$/m);
});

page('saves a change into the INI', async ({ page }) => {
	await page.fill('#schedule', '15 4 * * 1-5');
	await page.selectOption('#algorithm', 'sha512');
	await page.fill('#exclude', '*.tmp\n*.part');
	await page.click('#save');
	await page.waitForFunction("document.getElementById('message').className === 'success'");
	const text = readFileSync(ini, 'utf8');
	assert.match(text, /^Schedule = 15 4 \* \* 1-5$/m);
	assert.match(text, /^Hash algorithm = sha512$/m);
	assert.match(text, /"\*\.part"/);
	assert.match(text, /^# The PC's folders\.$/m);
	await page.screenshot({ path: join(dist, 'dsm-settings-page.png'), fullPage: true });
	assert.ok(readFileSync(join(dist, 'dsm-settings-page.png')).length > 10_000, 'a screenshot was written');
});

page('"Run now" leaves a request for the daemon', async ({ page }) => {
	await page.click('#runNow');
	await page.waitForFunction("document.getElementById('runMessage').textContent !== ''");
	assert.match((await page.locator('#runMessage').textContent()) ?? '', /a run starts within a few seconds/);
	assert.ok(readFileSync(join(dsm.var, 'run-now'), 'utf8').length > 0);
});

page.run();
