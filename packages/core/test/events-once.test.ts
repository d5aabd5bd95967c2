import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventJournalName, eventLogName, loadConfig, openDb, runMonitor, dbFileName, type FileEvent } from '../src/index.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { runSide } from './util/run.ts';
import { host } from './util/host.ts';

const once = suite('each event is logged once, by the run that commits it');

/** A side with one file, after its first run: the run id its database was committed with. */
async function committedSide() {
	const dir = tempDir();
	const cfg = join(dir, 'cfg');
	writeTree(join(dir, 'docs'), { 'a.txt': 'a' });
	writeConfig(cfg, { b: [join(dir, 'docs')] });
	await runSide(cfg, 'B');
	return { dir, cfg, committed: (await openDb(join(cfg, dbFileName('B'))))!.run.startedAt };
}

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
		host,
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
	const { dir, cfg, committed } = await committedSide();
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

once('a replayed journal: each line to its type’s log, in order, across blocks, whatever is around it', async () => {
	const { dir, cfg, committed } = await committedSide();
	const types = ['NewFile', 'NewFile', 'FileModified', 'NewFile', 'FileCorrupted', 'FileCorrupted', 'FileNotFound'] as const;
	// more than a block (1 MiB) of lines, runs of one type and single ones, and non-ASCII keys
	const lines = Array.from({ length: 30_000 }, (_, i) => {
		const type = types[i % 7 === 0 ? (i >> 3) % 7 : i % 7]!;
		return `2024-06-01T00:00:${String(i % 60).padStart(2, '0')}.000Z\t${type}\tdocs/d${i >> 9}/é ✓ ${i}.bin${type === 'FileCorrupted' ? '\twas 1 bytes, now 2' : ''}`;
	});
	const journal = join(cfg, eventJournalName('B'));
	// an empty line, a line naming no type, and a last line cut short before its type ends
	writeFileSync(journal, `${committed}\n${lines.slice(0, 10).join('\n')}\n\nno tab here\n2024-06-01T00:00:00.000Z\tNotAType\tdocs/z\n${lines.slice(10).join('\n')}\n2024-06-01T00:00:01.000Z\tFileMod`);
	assert.ok(readFileSync(journal).length > 3 << 19, 'the journal spans blocks');
	await runSide(cfg, 'B');
	for (const type of new Set(types)) {
		const expected = lines.filter((line) => line.split('\t')[1] === type);
		const log = readFileSync(join(cfg, eventLogName('B', type)), 'utf8');
		const logged = type === 'NewFile' ? log.split('\n').filter((l) => !l.endsWith('\tNewFile\tdocs/a.txt')) : log.split('\n');
		assert.equal(logged, [...expected, ''], `the ${type} log: its lines, in order, each ending with a newline`);
	}
	assert.equal(readdirSync(cfg).filter((name) => name.includes('.Event.')).sort(), [...new Set(types)].map((t) => eventLogName('B', t)).sort(), 'no log for a line naming no type');
	assert.ok(!existsSync(journal));
	removeDir(dir);
});

once('a replayed journal whose last line lacks its newline: the line is logged with one', async () => {
	const { dir, cfg, committed } = await committedSide();
	const line = '2024-06-01T00:00:00.000Z\tFileNotFound\tdocs/gone.txt';
	writeFileSync(join(cfg, eventJournalName('B')), `${committed}\n${line}`);
	await runSide(cfg, 'B');
	assert.is(readFileSync(join(cfg, eventLogName('B', 'FileNotFound')), 'utf8'), line + '\n');
	removeDir(dir);
});

once('a run whose events are all of one type appends its journal to that log as it is, without the run’s line', async () => {
	const dir = tempDir();
	const cfg = join(dir, 'cfg');
	writeTree(join(dir, 'docs'), { 'a.txt': 'a', 'b/c.txt': 'c', 'é ✓.txt': 'e' });
	writeConfig(cfg, { b: [join(dir, 'docs')] });
	const earlier = '2024-06-01T00:00:00.000Z\tNewFile\tdocs/earlier.txt\n';
	writeFileSync(join(cfg, eventLogName('B', 'NewFile')), earlier);
	await runSide(cfg, 'B');
	const log = readFileSync(join(cfg, eventLogName('B', 'NewFile')), 'utf8');
	assert.ok(log.startsWith(earlier), 'what the log held is kept');
	const added = log.slice(earlier.length).split('\n');
	assert.is(added.pop(), '', 'the last line ends with a newline');
	assert.equal(added.map((line) => line.split('\t').slice(1).join(' ')), ['NewFile docs/a.txt', 'NewFile docs/b/c.txt', 'NewFile docs/é ✓.txt']);
	assert.ok(added.every((line) => /^\d{4}-\d\d-\d\dT[\d:.]+Z\t/.test(line)), 'every line is an event: the journal’s first line is not copied');
	assert.ok(!existsSync(join(cfg, eventJournalName('B'))));
	removeDir(dir);
});

once.run();
