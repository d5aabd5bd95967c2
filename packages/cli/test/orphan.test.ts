// A run whose starter dies (the NAS daemon killed with -9) stops within seconds and frees its
// lock, instead of going on orphaned while every later run fails "another B run is going on".
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBundle } from '../../core/test/util/bundle.ts';
import { removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';

const FAULT = fileURLToPath(new URL('../../core/test/util/fault.cjs', import.meta.url));
const test = suite('a run whose daemon died');
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('stops and frees its lock; the next run goes on', async () => {
	const dir = tempDir();
	try {
		const data = join(dir, 'data');
		writeTree(data, Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`f${i}.txt`, `file ${i}`])));
		const cfg = join(dir, 'cfg');
		writeConfig(cfg, { b: [data], extra: 'Workers = 0' });
		// each file read takes 250 ms: the run lasts 20 s unless it stops
		const slow = JSON.stringify({ op: 'open', path: '/data/f\\d+\\.txt$', action: 'sleep', ms: 250, sticky: true });
		const daemon = join(dir, 'daemon.cjs');
		writeFileSync(daemon, `const { spawn } = require('child_process');
const child = spawn(process.execPath, ['--require', ${JSON.stringify(FAULT)}, ${JSON.stringify(ensureBundle())}, 'run', '--role', 'B', '--config', ${JSON.stringify(cfg)}, '--quiet'],
  { stdio: 'ignore', env: { ...process.env, EQ_FAULT: ${JSON.stringify(slow)}, EQUILYBRIUM_STOP_WITH_PARENT: '1' } });
require('fs').writeFileSync(${JSON.stringify(join(dir, 'child.pid'))}, String(child.pid));
setInterval(() => {}, 1000);
`);
		const parent = spawn(process.execPath, [daemon], { stdio: 'ignore' });
		const lock = join(cfg, 'equilybrium.B.lock');
		for (let i = 0; i < 100 && !existsSync(lock); i++) await wait(100);
		assert.ok(existsSync(lock), 'the run holds the lock');
		const child = Number(readFileSync(join(dir, 'child.pid'), 'utf8'));
		parent.kill('SIGKILL');
		let gone = false;
		for (let i = 0; i < 80 && !gone; i++) {
			await wait(100);
			gone = !existsSync(lock);
		}
		assert.ok(gone, 'the lock is freed within 8 s of the daemon\'s death (the run alone would last 20 s)');
		let alive = true;
		for (let i = 0; i < 50 && alive; i++) {
			await wait(100);
			try {
				process.kill(child, 0);
			} catch {
				alive = false;
			}
		}
		assert.not.ok(alive, 'the run has ended');
		const next = spawn(process.execPath, [ensureBundle(), 'run', '--role', 'B', '--config', cfg, '--quiet'], { stdio: 'ignore' });
		assert.is(await new Promise((r) => next.on('close', r)), 0, 'the next run goes on');
	} finally {
		removeDir(dir);
	}
});

test.run();
