import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBundle } from '../../core/test/util/bundle.ts';
import { removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';

const stop = suite('a stopped run (SIGTERM, as DSM and Ctrl+C send)');

/** Runs the CLI, sends SIGTERM once it is reading `big`, and measures how long it takes to go. */
function runAndStop(cfg: string): Promise<{ code: number | null; stoppedInMs: number; stdout: string }> {
	return new Promise((resolve, reject) => {
		const child = spawn(process.execPath, [ensureBundle(), 'run', '--role', 'B', '--config', cfg], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		child.stdout.on('data', (d) => (stdout += d));
		let sentAt = 0;
		const timer = setTimeout(() => {
			sentAt = Date.now();
			child.kill('SIGTERM');
		}, 1500);
		const guard = setTimeout(() => {
			child.kill('SIGKILL');
			reject(new Error('the run did not stop within 30 s of SIGTERM'));
		}, 31_500);
		child.on('close', (code) => {
			clearTimeout(timer);
			clearTimeout(guard);
			resolve({ code, stoppedInMs: Date.now() - sentAt, stdout });
		});
	});
}

for (const workers of ['1', '2']) {
	stop(`stops within seconds, even in the middle of a large file (${workers} worker${workers === '1' ? '' : 's'}), and leaves nothing torn`, async () => {
		const dir = tempDir();
		writeTree(join(dir, 'data'), { 'small.txt': 'small' });
		const cfg = join(dir, 'cfg');
		writeConfig(cfg, { b: [join(dir, 'data')], algorithm: 'sha3_512', extra: `Workers = ${workers}` });
		const first = await runAndStop(cfg).catch(() => undefined); // tiny tree: finishes before the signal
		assert.ok(first && first.code === 0, 'the first, small run completes');
		const db = readFileSync(join(cfg, 'equilybrium.B.DB.json'), 'utf8');
		// a sparse 6 GiB file: slow to hash with sha3_512, quick to make
		writeTree(join(dir, 'data'), { 'big.bin': '' });
		truncateSync(join(dir, 'data/big.bin'), 6 * 2 ** 30);
		const r = await runAndStop(cfg);
		assert.is(r.code, 3, `exit 3: the run did not finish (stdout: ${r.stdout})`);
		assert.ok(r.stoppedInMs < 5000, `stopped ${r.stoppedInMs} ms after SIGTERM`);
		assert.is(readFileSync(join(cfg, 'equilybrium.B.DB.json'), 'utf8'), db, 'the database is as it was');
		const left = readdirSync(cfg).filter((n) => /\.(new|tmp)$|\.lock$/.test(n));
		assert.equal(left, [], 'no temporary file or lock left behind');
		assert.ok(!existsSync(join(cfg, 'equilybrium.B.DB.json.new')));
		removeDir(dir);
	});
}

stop.run();
