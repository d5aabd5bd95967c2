import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { main, type Io } from '../src/index.ts';

function io(): Io & { lines: string[] } {
	const lines: string[] = [];
	return {
		lines,
		out: (line: string) => void lines.push(line),
		err: (line: string) => void lines.push(line),
		cwd: process.cwd(),
		env: {},
		machine: () => ({ hostname: 'test', interfaces: {} }),
		version: 'test',
	} as unknown as Io & { lines: string[] };
}

const bench = suite('equilybrium bench-algorithms');

bench('measures every algorithm and the block sizes, then recommends', async () => {
	const out = io();
	const code = await main(['bench-algorithms', '--seconds', '0.01', '--workers', '2'], out);
	assert.is(code, 0);
	const text = out.lines.join('\n');
	for (const algorithm of ['md5', 'sha256', 'sha3_512', 'crc32', 'adler32', 'xxh128', 'blake3']) {
		assert.match(text, new RegExp(`\\n  ${algorithm} +\\d+ +\\d+ `), algorithm);
	}
	for (const power of [14, 16, 18, 20, 22]) assert.match(text, new RegExp(`Block size = 2 \\*\\* ${power} +\\d+ MiB/s`));
	const algorithm = /\n  Hash algorithm = (\w+)/.exec(text)?.[1];
	assert.ok(algorithm && !['crc32', 'adler32'].includes(algorithm), `recommends ${algorithm}: never a 32-bit checksum`);
	assert.match(text, /\n  Block size = 2 \*\* \d+\n/);
});

bench('bad --seconds is a usage error', async () => {
	const out = io();
	assert.is(await main(['bench-algorithms', '--seconds', 'soon'], out), 2);
});

bench.run();
