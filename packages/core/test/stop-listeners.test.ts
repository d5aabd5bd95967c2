import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { getEventListeners } from 'node:events';
import { join } from 'node:path';
import { loadConfig, runMonitor } from '../src/index.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';
import { host } from './util/host.ts';

const listeners = suite('the stop signal');

listeners('a run keeps no more than one listener on the stop signal, however many files', async () => {
	const dir = tempDir();
	writeTree(join(dir, 'docs'), Object.fromEntries(Array.from({ length: 600 }, (_, i) => [`d${i % 7}/f${i}.txt`, `content ${i}`])));
	writeConfig(join(dir, 'cfg'), { b: [join(dir, 'docs')] });
	const stop = new AbortController();
	let most = 0;
	let samples = 0;
	const result = await runMonitor({
		host,
		config: await loadConfig(join(dir, 'cfg')),
		role: 'B',
		toolVersion: 'test',
		signal: stop.signal,
		onProgress: () => {
			samples++;
			most = Math.max(most, getEventListeners(stop.signal, 'abort').length);
		},
	});
	assert.is(result.files, 600);
	assert.ok(samples >= 600, 'sampled at every file');
	// a listener (or any reaction) kept per file grows with the tree: 1M files cost ~700 MB once
	assert.ok(most <= 1, `at most ${most} listeners at once`);
	removeDir(dir);
});

listeners.run();
