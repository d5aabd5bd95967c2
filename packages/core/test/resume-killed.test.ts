// A run killed with SIGKILL (no handler, no cleanup: what a crash or an OOM kill does)
// part-way through: the next run takes what the checkpoint holds and hashes only the rest.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { digestOf, loadConfig, openDb, runMonitor } from '../src/index.ts';
import { checkpointFile } from '../src/config/folder.ts';
import { host } from './util/host.ts';

const FILES = 3000;
const child = fileURLToPath(new URL('./util/resume-child.ts', import.meta.url));

const killed = suite('resume after SIGKILL');

killed('nothing checkpointed is hashed again, nothing is lost', async () => {
	const dir = mkdtempSync(join(tmpdir(), 'eq-killed-'));
	try {
		const data = join(dir, 'data');
		mkdirSync(data);
		const contents = new Map<string, Buffer>();
		for (let i = 0; i < FILES; i++) {
			const name = `f${String(i).padStart(4, '0')}.bin`;
			const body = Buffer.from(`file ${i} `.repeat(1 + (i % 50)));
			writeFileSync(join(data, name), body);
			contents.set(`data/${name}`, body);
		}
		writeFileSync(
			join(dir, 'equilybrium.config.ini'),
			`[Settings]\nID method = hostname\nA = test-a\nWorkers = 0\n[Monitored Directories]\nA = ${JSON.stringify({ data })}\n`,
		);
		const proc = fork(child, [dir, '200'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
		const exited = new Promise((r) => proc.on('exit', r));
		const outcome = await new Promise<string>((resolve) => {
			proc.on('message', (m: { hashed?: number; finished?: boolean }) => {
				if (m.hashed !== undefined) {
					proc.kill('SIGKILL');
					resolve('killed');
				} else if (m.finished) resolve('finished before the kill');
			});
			proc.on('exit', () => resolve('exited'));
		});
		await exited;
		assert.is(outcome, 'killed');
		assert.not.ok(existsSync(join(dir, 'equilybrium.A.DB.json')), 'the killed first run wrote no database');
		const journal = join(dir, checkpointFile('A') + '.next');
		const saved = readFileSync(journal, 'utf8').split('\n').filter((l) => l.startsWith('[')).length;
		assert.ok(saved >= 150 && saved < FILES, `checkpointed ${saved}`);

		const config = await loadConfig(dir);
		const next = await runMonitor({ host, config, role: 'A', toolVersion: 'test' });
		assert.ok(next.resumedFiles >= saved - 1, `resumed ${next.resumedFiles} of ${saved}`);
		assert.is(next.resumedFiles + next.hashedFiles, FILES, 'each file hashed once, or taken from the checkpoint');
		const db = await openDb(join(dir, 'equilybrium.A.DB.json'));
		let n = 0;
		for await (const e of db!.entries()) {
			assert.is(e.hash, digestOf('sha256', contents.get(e.key)!), e.key);
			n++;
		}
		assert.is(n, FILES);
		assert.not.ok(existsSync(journal));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

killed.run();
