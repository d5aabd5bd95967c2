import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventJournalName, eventLogName, loadConfig, openDb, runMonitor, dbFileName, type FileEvent } from '../src/index.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { runSide } from './util/run.ts';

const once = suite('each event is logged once, by the run that commits it');

once('a run stopped after finding a change logs nothing; the next run logs it once', async () => {
	const dir = tempDir();
	const docs = join(dir, 'docs');
	const cfg = join(dir, 'cfg');
	writeTree(docs, Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${String(i).padStart(2, '0')}.txt`, `file ${i}`])));
	writeConfig(cfg, { b: [docs], extra: 'Workers = 0' });
	await runSide(cfg, 'B');
	writeTree(docs, { 'f00.txt': 'edited' }, new Date('2024-05-02T00:00:00Z'));
	const stop = new AbortController();
	const seen: FileEvent[] = [];
	const config = await loadConfig(cfg);
	const stopped = await runMonitor({
		config,
		role: 'B',
		toolVersion: 'test',
		signal: stop.signal,
		concurrency: 1,
		onEvent: (e) => {
			seen.push(e);
			stop.abort();
		},
	});
	assert.ok(stopped.aborted, 'the run was stopped');
	assert.equal(seen.map((e) => e.type), ['FileModified'], 'the change was found (and shown) before the stop');
	const log = join(cfg, eventLogName('B', 'FileModified'));
	assert.ok(!existsSync(log), 'but not logged: the database was not committed');
	assert.ok(!existsSync(join(cfg, eventJournalName('B'))), 'no journal left');
	const next = await runSide(cfg, 'B');
	assert.equal(next.lines, ['FileModified docs/f00.txt']);
	assert.is(readFileSync(log, 'utf8').trim().split('\n').length, 1);
	removeDir(dir);
});

once('a journal left by a run that committed its database is replayed; any other is dropped', async () => {
	const dir = tempDir();
	const cfg = join(dir, 'cfg');
	writeTree(join(dir, 'docs'), { 'a.txt': 'a' });
	writeConfig(cfg, { b: [join(dir, 'docs')] });
	await runSide(cfg, 'B');
	const committed = (await openDb(join(cfg, dbFileName('B'))))!.run.startedAt;
	const journal = join(cfg, eventJournalName('B'));
	const line = '2024-06-01T00:00:00.000Z\tFileCorrupted\tdocs/x.bin\tdied before logging';
	writeFileSync(journal, `${committed}\n${line}\n`);
	await runSide(cfg, 'B');
	assert.is(readFileSync(join(cfg, eventLogName('B', 'FileCorrupted')), 'utf8'), line + '\n');
	writeFileSync(journal, `1999-01-01T00:00:00.000Z\n${line.replace('x.bin', 'y.bin')}\n`);
	await runSide(cfg, 'B');
	assert.is(readFileSync(join(cfg, eventLogName('B', 'FileCorrupted')), 'utf8'), line + '\n', 'a stopped run’s journal adds nothing');
	assert.ok(!existsSync(journal));
	removeDir(dir);
});

once.run();
