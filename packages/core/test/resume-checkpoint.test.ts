import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestOf, loadConfig, openDb, runMonitor, type DbEntry, type RunResult } from '../src/index.ts';
import { checkpointFile } from '../src/config/folder.ts';
import { host } from './util/host.ts';

const FILES = 40;
/** With workers the window is 1024 files deep: a bigger tree, so a stop leaves work to do. */
const MANY = 2500;
const T0 = Date.parse('2025-03-01T03:00:00Z');

function setup(workers: number, files = FILES): { dir: string; data: string; contents: Map<string, Buffer> } {
	const dir = mkdtempSync(join(tmpdir(), 'eq-resume-'));
	const data = join(dir, 'data');
	mkdirSync(data);
	const contents = new Map<string, Buffer>();
	const mtime = new Date(T0 - 86_400_000);
	for (let i = 0; i < files; i++) {
		const name = `f${String(i).padStart(3, '0')}.bin`;
		const body = Buffer.alloc(1000 + (i % 100) * 37, i);
		writeFileSync(join(data, name), body);
		utimesSync(join(data, name), mtime, mtime);
		contents.set(`data/${name}`, body);
	}
	writeFileSync(
		join(dir, 'equilybrium.config.ini'),
		`[Settings]\nID method = hostname\nA = test-a\nHash algorithm = sha256\nWorkers = ${workers}\n[Monitored Directories]\nA = ${JSON.stringify({ data })}\n`,
	);
	return { dir, data, contents };
}

/** A run stopped (as SIGTERM does, through the signal) once `after` files are hashed. */
async function stoppedRun(dir: string, after: number, at = T0): Promise<RunResult> {
	const config = await loadConfig(dir);
	const controller = new AbortController();
	return runMonitor({
		host,
		config,
		role: 'A',
		toolVersion: 'test',
		now: () => at,
		signal: controller.signal,
		onProgress: (p) => {
			if (p.hashedFiles >= after) controller.abort();
		},
	});
}

async function fullRun(dir: string, at = T0 + 1000): Promise<RunResult> {
	const config = await loadConfig(dir);
	return runMonitor({ host, config, role: 'A', toolVersion: 'test', now: () => at });
}

const journal = (dir: string, suffix = '') => join(dir, checkpointFile('A') + suffix);
const journalLines = (dir: string, suffix = '') => readFileSync(journal(dir, suffix), 'utf8').split('\n').filter(Boolean).length - 1;

async function dbEntries(dir: string): Promise<DbEntry[]> {
	const db = await openDb(join(dir, 'equilybrium.A.DB.json'));
	const out: DbEntry[] = [];
	for await (const e of db!.entries()) out.push(e);
	return out;
}

function assertComplete(entries: DbEntry[], contents: Map<string, Buffer>): void {
	assert.is(entries.length, contents.size);
	for (const e of entries) assert.is(e.hash, digestOf('sha256', contents.get(e.key)!), e.key);
}

const resume = suite('checkpoint and resume');

for (const workers of [0, 2]) {
	resume(`workers=${workers}: a stopped run keeps its digests; the next run hashes only the rest`, async () => {
		const files = workers ? MANY : FILES;
		const { dir, contents } = setup(workers, files);
		try {
			const stopped = await stoppedRun(dir, 10);
			assert.ok(stopped.aborted);
			assert.not.ok(existsSync(join(dir, 'equilybrium.A.DB.json')), 'no database from a stopped first run');
			const saved = journalLines(dir, '.next');
			assert.ok(saved >= 10 && saved < files, `checkpointed ${saved}`);
			// every file the stopped run read is in the checkpoint: nothing computed was lost
			assert.is(saved, stopped.hashedFiles);

			const resumed = await fullRun(dir);
			assert.not.ok(resumed.aborted);
			assert.is(resumed.resumedFiles, saved, 'everything checkpointed is taken, not read again');
			assert.is(resumed.hashedFiles, files - saved, 'only the rest is read');
			assert.is(resumed.counts.NewFile, files);
			assertComplete(await dbEntries(dir), contents);
			// a committed run leaves no checkpoint behind
			assert.not.ok(existsSync(journal(dir)));
			assert.not.ok(existsSync(journal(dir, '.next')));
			// checkpointed files keep the time they were verified at
			const entries = await dbEntries(dir);
			assert.is(entries.filter((e) => e.verifiedAt === T0).length, saved);
		} finally {
			rmSync(dir, { recursive: true, force: true });
		}
	});
}

resume('stopped twice: the two checkpoints merge, and the third run finishes the work', async () => {
	const { dir, contents } = setup(0);
	try {
		const first = await stoppedRun(dir, 8);
		const second = await stoppedRun(dir, 20, T0 + 500);
		assert.ok(first.aborted && second.aborted);
		assert.is(second.resumedFiles, first.hashedFiles);
		const third = await fullRun(dir);
		assert.is(first.hashedFiles + second.hashedFiles + third.hashedFiles, FILES, 'no file read twice');
		assert.is(third.resumedFiles, first.hashedFiles + second.hashedFiles);
		assertComplete(await dbEntries(dir), contents);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

resume('a crash mid-write (torn last line, garbage after it) keeps the clean prefix', async () => {
	const { dir, contents } = setup(0);
	try {
		const stopped = await stoppedRun(dir, 12);
		const text = readFileSync(journal(dir, '.next'), 'utf8');
		const lines = text.split('\n').filter(Boolean);
		// what a power cut can leave: the last line cut short, then zeros
		const torn = lines.slice(0, -1).join('\n') + '\n' + lines.at(-1)!.slice(0, 20);
		writeFileSync(journal(dir, '.next'), torn);
		appendFileSync(journal(dir, '.next'), Buffer.alloc(64));
		const resumed = await fullRun(dir);
		assert.is(resumed.resumedFiles, stopped.hashedFiles - 1);
		assert.is(resumed.hashedFiles, FILES - stopped.hashedFiles + 1);
		assertComplete(await dbEntries(dir), contents);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

resume('a file changed since it was checkpointed is read again; another algorithm ignores the checkpoint', async () => {
	const { dir, data, contents } = setup(0);
	try {
		await stoppedRun(dir, 10);
		const changed = Buffer.from('changed after the stop');
		writeFileSync(join(data, 'f000.bin'), changed);
		contents.set('data/f000.bin', changed);
		const saved = journalLines(dir, '.next');
		const resumed = await fullRun(dir);
		assert.is(resumed.resumedFiles, saved - 1);
		assertComplete(await dbEntries(dir), contents);

		const other = setup(0);
		try {
			await stoppedRun(other.dir, 10);
			const ini = join(other.dir, 'equilybrium.config.ini');
			writeFileSync(ini, readFileSync(ini, 'utf8').replace('sha256', 'sha1'));
			const again = await fullRun(other.dir);
			assert.is(again.resumedFiles, 0);
			assert.is(again.hashedFiles, FILES);
		} finally {
			rmSync(other.dir, { recursive: true, force: true });
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

resume('after a database exists: a stopped re-verification resumes without re-reading', async () => {
	const { dir } = setup(2, MANY);
	try {
		await fullRun(dir, T0);
		// Verify = full re-reads everything each run; stop one part-way
		const stopped = await stoppedRun(dir, 15, T0 + 10_000);
		assert.ok(stopped.aborted);
		assert.ok(stopped.hashedFiles < MANY);
		const next = await fullRun(dir, T0 + 20_000);
		assert.is(next.resumedFiles + next.hashedFiles, MANY);
		assert.is(next.resumedFiles, stopped.hashedFiles);
		assert.is(next.counts.FileCorrupted + next.counts.FileModified + next.counts.NewFile + next.counts.FileNotFound, 0);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
});

resume.run();
