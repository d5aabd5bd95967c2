// A run with no folders to monitor is never a quiet night (issue 18): it says so in its output,
// the run record, A's report, and a notification to the person.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { removeDir, tempDir, writeConfig } from '../../core/test/util/tree.ts';
import { runCliAsync, startWebhook } from './util/servers.ts';

const test = suite('a run with no folders');

test('NOTHING CHECKED: output, run record (bad-config, 0 folders), report section, and a webhook message', async () => {
	const dir = tempDir();
	const hook = await startWebhook();
	try {
		const cfg = join(dir, 'cfg');
		writeConfig(cfg, { a: [], extra: `\n[Notifications]\nWebhook = ${hook.url}\nDesktop = no` });
		const r = await runCliAsync(['run', '--role', 'A', '--config', cfg]);
		assert.is(r.status, 2, r.stdout + r.stderr);
		assert.match(r.stdout, /^NOTHING CHECKED — no folders to monitor on A$/m);
		const record = JSON.parse(readFileSync(join(cfg, 'equilybrium.A.last-run.json'), 'utf8'));
		assert.equal([record.outcome, record.exitCode, record.folders, record.error?.code], ['bad-config', 2, 0, 'E_CONFIG']);
		assert.match(record.error.message, /no folders to monitor on A, so nothing was checked/);
		assert.match(readFileSync(join(cfg, 'equilybrium.report.txt'), 'utf8'), /^NOTHING CHECKED — no folders to monitor on A$/m);
		assert.is(hook.received.length, 1, 'one message');
		assert.match(hook.received[0]!.body, /no folders to monitor on A/);
		assert.equal(record.notifications?.map((n: { channel: string; ok: boolean }) => [n.channel, n.ok]), [['webhook', true]]);
	} finally {
		await hook.close();
		removeDir(dir);
	}
});

test.run();
