// Exclude patterns: the wildcard matcher (patterns with several stars) says what the
// regular expressions say, and a pattern of many stars no longer hangs a run.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { globTester, globToRegExp } from '../src/scan/glob.ts';
import { ensureBundle } from './util/bundle.ts';
import { removeDir, tempDir, writeConfig, writeTree } from './util/tree.ts';

const test = suite('exclude patterns');

test('the wildcard matcher agrees with the regular expressions', () => {
	const patterns = ['*.tmp*', '*a*b', 'x*y*z', '*[ab]*c?', 'docs/**/*.log*', '**/cache/*x*', 'a/*/b/*c*', '*.*', '**/x*y', 'Photos/**/*raw*'];
	const texts = ['a.tmp', 'a.tmp.bak', 'ab', 'aXb', 'b', 'xyz', 'x1y2z', 'xy', 'qacx', 'qac', 'docs/a/b/c.log', 'docs/c.log.1', 'docs/c.txt', 'cache/ax', 'p/cache/bxb', 'p/cache/q/x', 'a/q/b/xcx', 'a/q/r/b/c', 'noext', 'a.b', 'x/y', 'dir/x1y', 'PHOTOS/2024/IMG_RAW.cr2', 'Photos/a.jpg'];
	for (const pattern of patterns) {
		const regexp = globToRegExp(pattern);
		const tester = globTester(undefined, [pattern])!;
		for (const text of texts) assert.is(tester.test(text), regexp.test(text), `${pattern} on ${text}`);
	}
});

test('an Exclude of many stars: the run ends, and excludes what it should', () => {
	const dir = tempDir();
	try {
		const name = 'a'.repeat(60);
		writeTree(join(dir, 'docs'), { [name]: 'x', [`${name}b`]: 'y' });
		const stars = JSON.stringify(['*a'.repeat(25) + '*b']);
		writeConfig(join(dir, 'cfg'), { b: [join(dir, 'docs')], extra: `Exclude = ${stars}` });
		const r = spawnSync(process.execPath, [process.env.EQ_BUNDLE ?? ensureBundle(), 'run', '--role', 'B', '--config', join(dir, 'cfg')], { encoding: 'utf8', timeout: 30_000, killSignal: 'SIGKILL' });
		assert.is(r.signal, null, 'the run did not hang');
		assert.is(r.status, 0, r.stdout + r.stderr);
		assert.match(r.stdout, /B: 1 file,/, 'the name ending in b is excluded, the other is not');
	} finally {
		removeDir(dir);
	}
});

test.run();
