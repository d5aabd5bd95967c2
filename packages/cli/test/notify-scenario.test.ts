// The scenario, day by day, with the real command line on both sides (EQUILYBRIUM_NOW
// moves their clock) and a real webhook server: what reaches the person, and when.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { corruptInPlace, removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';
import { runCliAsync, startWebhook, type Webhook } from './util/servers.ts';

// times in messages are local with their offset: this file reads them in UTC
process.env.TZ = 'UTC';

const FILES = { 'taxes/2023.txt': 'income', 'photos/beach.jpg': 'sand and sea', 'todo.txt': 'milk' };
const day = (n: number, hour: number) => new Date(Date.UTC(2026, 0, n, hour)).toISOString();

let dir = '';
let cfg = '';
let server: Webhook;
const scenario = suite('a week and more of a person told only what is new');
scenario.before.each(async () => {
	server = await startWebhook();
	dir = tempDir();
	cfg = join(dir, 'cfg');
	writeTree(join(dir, 'pc'), FILES);
	writeTree(join(dir, 'nas'), FILES);
	writeConfig(cfg, { a: { Docs: join(dir, 'pc') }, b: { Docs: join(dir, 'nas') } });
	writeFileSync(join(cfg, 'equilybrium.config.ini'), readFileSync(join(cfg, 'equilybrium.config.ini'), 'utf8') + `\n[Notifications]\nWebhook = ${server.url}\n`);
});
scenario.after.each(async () => {
	await server.close();
	removeDir(dir);
});

/** B runs at 02:00, A at 03:00; returns the titles the webhook received meanwhile. */
async function run(role: 'A' | 'B', n: number): Promise<string[]> {
	const before = server.received.length;
	const r = await runCliAsync(['run', '--config', cfg, '--role', role, '--quiet'], { EQUILYBRIUM_NOW: day(n, role === 'B' ? 2 : 3), EQUILYBRIUM_DESKTOP: 'none' });
	assert.ok(r.status === 0 || r.status === 1, `day ${n} ${role}: exit ${r.status}: ${r.stderr}`);
	return server.received.slice(before).map((m) => `day ${n} ${role}: ${m.headers.title}`);
}

scenario('all OK, then a file rots on B: one message naming it, silence, one reminder by day 8', async () => {
	const heard: string[] = [];
	heard.push(...(await run('B', 1)), ...(await run('A', 1)));
	assert.equal(heard, [], 'day 1, all OK: nothing');

	corruptInPlace(join(dir, 'nas/taxes/2023.txt'), 'incomf');
	heard.push(...(await run('B', 2)), ...(await run('A', 2)));
	assert.equal(heard, ['day 2 B: Equilybrium: 1 file corrupted on B'], 'one message, from B; A knows it was told');
	assert.match(server.received[0]!.body, /\n {6}Docs\/taxes\/2023\.txt\n/);

	for (let n = 3; n <= 9; n++) heard.push(...(await run('B', n)), ...(await run('A', n)));
	assert.equal(heard, ['day 2 B: Equilybrium: 1 file corrupted on B', 'day 8 A: Equilybrium: still: 1 file corrupted on B']);
	const reminder = server.received[1]!.body;
	assert.match(reminder, /copy it to B again[\s\S]*Docs\/taxes\/2023\.txt/);
	assert.match(reminder, /A versus B: ACTION NEEDED/);
	assert.match(reminder, new RegExp(`More: ${join(cfg, 'equilybrium.report.txt').replace(/[.\\/]/g, '\\$&')}`));
});

scenario('B stops running: A says "B has not run for 3 days" on day 4, once; B, when A stops, on day 5', async () => {
	const heard: string[] = [];
	heard.push(...(await run('B', 1)), ...(await run('A', 1)));
	for (let n = 2; n <= 6; n++) heard.push(...(await run('A', n)));
	assert.equal(heard, ['day 4 A: Equilybrium: B has not run for 3 days']);
	assert.match(server.received[0]!.body, /its last run ended 2026-01-01 02:00 \+00:00\. Is the NAS on/);

	// now B runs again (the stale message is answered: all is well again) and A stops after day 7
	const later: string[] = [];
	later.push(...(await run('B', 7)), ...(await run('A', 7)));
	for (let n = 8; n <= 11; n++) later.push(...(await run('B', n)));
	assert.equal(later, ['day 7 A: Equilybrium: all is well again - BACKUP OK - all 3 files (22 B) on A have a correct copy on B', 'day 11 B: Equilybrium: A has not run for 3 days']);
});

scenario.run();
