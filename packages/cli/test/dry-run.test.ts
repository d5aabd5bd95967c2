// run --dry-run beyond legacy-dry-run.test.ts: how it behaves with the lock, where its own
// files go, a side with no folders, and --json. Nothing is ever left in the config folder.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { cli, filler, removeDir, snapshot, tempDir, writeConfig, writeFiles } from './util/legacy.ts';
import { runCliAsync, startWebhook } from './util/servers.ts';

const test = suite('run --dry-run: the lock, its temporary folder, no folders, --json');
let dir = '';
let cfg = '';
let tmp = '';
test.before.each(() => {
	dir = tempDir();
	cfg = join(dir, 'cfg');
	tmp = join(dir, 'tmp');
	mkdirSync(tmp);
	writeFiles(join(dir, 'pc'), { 'a.txt': filler('a.txt', 100) });
	writeConfig(cfg, `[Settings]
ID method = hostname
A = test-machine-a
B = test-machine-b

[Monitored Directories]
A = {"Docs": "${join(dir, 'pc')}"}
B = []
`);
});
test.after.each(() => removeDir(dir));

/** The CLI with its temporary folder in the test's (TMPDIR), to see what a dry run leaves there. */
const dry = (args: string[]) => cli(['run', '--config', cfg, ...args], { env: { TMPDIR: tmp } });

test("a dry run takes the side's lock like a run: another run holding it refuses it (exit 3), the folder unchanged", () => {
	writeFileSync(join(cfg, 'equilybrium.A.lock'), JSON.stringify({ pid: process.pid, host: hostname(), startedAt: new Date().toISOString() }));
	const before = snapshot(cfg);
	const r = dry(['--role', 'A', '--dry-run']);
	assert.is(r.status, 3, r.all);
	assert.match(r.stderr, /lock|another A run/i);
	assert.equal(snapshot(cfg), before);
	assert.equal(readdirSync(tmp), [], 'no temporary folder left');
});

test('a dry run leaves no lock and removes its temporary folder (its database and logs)', () => {
	const before = snapshot(cfg);
	const r = dry(['--role', 'A', '--simulate']);
	assert.is(r.status, 1, `B never ran: NOT VERIFIED\n${r.all}`);
	assert.match(r.stdout, /NewFile\s+Docs\/a\.txt/);
	assert.match(r.stdout, /^NOT VERIFIED/m);
	assert.match(r.stdout, /^Dry run: nothing was written/m);
	assert.equal(snapshot(cfg), before);
	assert.equal(readdirSync(tmp), []);
});

test('B with no folders: NOTHING CHECKED and exit 2, as a run, but no file written (a run of A would append to the report)', () => {
	const before = snapshot(cfg);
	const b = dry(['--role', 'B', '--dry-run']);
	assert.is(b.status, 2, b.all);
	assert.match(b.stdout, /NOTHING CHECKED/);
	assert.equal(snapshot(cfg), before);
	writeConfig(cfg, `[Settings]\nID method = hostname\nA = x\nB = y\n\n[Monitored Directories]\nA = []\nB = []\n`);
	const emptyA = snapshot(cfg);
	const a = dry(['--role', 'A', '--dry-run']);
	assert.is(a.status, 2, a.all);
	assert.equal(snapshot(cfg), emptyA, 'no report section appended');
});

test('--dry-run --json prints the record it would write, and writes none', () => {
	const before = snapshot(cfg);
	const r = dry(['--role', 'A', '--dry-run', '--json']);
	assert.is(r.status, 1, r.all);
	const record = JSON.parse(r.stdout) as { role: string; counts: Record<string, number>; verdict?: { status: string } };
	assert.equal([record.role, record.counts.NewFile, record.verdict?.status], ['A', 1, 'not-verified']);
	assert.equal(snapshot(cfg), before);
});

test('Notify = always with a Webhook (a real local server): the dry run posts nothing, the real run after it does', async () => {
	const server = await startWebhook();
	try {
		writeFileSync(join(cfg, 'equilybrium.config.ini'), readFileSync(join(cfg, 'equilybrium.config.ini'), 'utf8') + `\n[Notifications]\nNotify = always\nWebhook = ${server.url}\n`);
		const env = { TMPDIR: tmp, EQUILYBRIUM_DESKTOP: 'none' };
		const before = snapshot(cfg);
		const r = await runCliAsync(['run', '--config', cfg, '--role', 'A', '--dry-run'], env);
		assert.is(r.status, 1, r.stdout + r.stderr);
		assert.is(server.received.length, 0, 'no notification from a dry run');
		assert.equal(snapshot(cfg), before, 'no notify state either');
		const real = await runCliAsync(['run', '--config', cfg, '--role', 'A'], env);
		assert.is(real.status, 1, real.stdout + real.stderr);
		assert.is(server.received.length, 1, 'the real run notifies: the server would have heard a dry run');
	} finally {
		await server.close();
	}
});

test.run();
