import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { createCipheriv } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDigest, digestOf, FAST_ALGORITHMS, hashFile, isAlgorithm, parseConfig, prepareAlgorithm } from '../src/index.ts';
import { runCli } from './util/bundle.ts';

const dir = mkdtempSync(join(tmpdir(), 'eq-fast-'));
const noise = (n: number) => createCipheriv('aes-128-ctr', Buffer.alloc(16, 1), Buffer.alloc(16)).update(Buffer.alloc(n));
const samples: Record<string, Buffer> = {
	empty: Buffer.alloc(0),
	one: Buffer.from('a'),
	hello: Buffer.from('hello, world\n'),
	// around the algorithms' internal block/chunk sizes (xxh128: 240 B stripes; blake3: 1 KiB chunks)
	b240: noise(240),
	b1025: noise(1025),
	mib: noise((1 << 20) + 77),
	big: noise(5 * (1 << 20) + 3),
};
for (const [name, data] of Object.entries(samples)) writeFileSync(join(dir, name), data);

/** The Debian tool's digest of a file, or undefined when the tool is not installed. */
function tool(cmd: string, args: string[], file: string): string | undefined {
	try {
		return execFileSync(cmd, [...args, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split(/\s+/)[0];
	} catch {
		return undefined;
	}
}

const fast = suite('xxh128 and blake3');

fast.before(async () => {
	for (const a of FAST_ALGORITHMS) await prepareAlgorithm(a);
});
fast.after(() => rmSync(dir, { recursive: true, force: true }));

fast('known digests of "hello, world\\n" (from xxhsum 0.8.1 -H2 and b3sum)', () => {
	assert.is(digestOf('xxh128', samples.hello!), 'aef7d73364a11a632fc4faefcc422cb8');
	assert.is(digestOf('blake3', samples.hello!), '623a5460d841b6d1c13d080e85500e0043fd4ba4a8ba9c1aa9b4f6e0d212276c');
});

fast('every sample equals Debian xxhsum -H2 and b3sum (when installed)', async () => {
	let checked = 0;
	for (const name of Object.keys(samples)) {
		const path = join(dir, name);
		const xxh = tool('xxhsum', ['-H2'], path);
		const b3 = tool('b3sum', ['--no-names'], path);
		for (const [algorithm, expected] of [['xxh128', xxh], ['blake3', b3]] as const) {
			if (expected === undefined) continue;
			checked++;
			assert.is(digestOf(algorithm, samples[name]!), expected, `${algorithm} ${name} in memory`);
			const streamed = await hashFile(path, { algorithm, blockSize: 4096 });
			assert.is(streamed.hash, expected, `${algorithm} ${name} streamed in 4 KiB blocks`);
		}
	}
	if (checked === 0) console.warn('xxhsum and b3sum are not installed: only the fixed vectors were checked');
});

fast('digests in flight at once do not mix (one WebAssembly instance, a state each)', () => {
	for (const algorithm of FAST_ALGORITHMS) {
		const a = createDigest(algorithm);
		const b = createDigest(algorithm);
		const data = samples.mib!;
		for (let at = 0; at < data.length; at += 65536) {
			a.update(data.subarray(at, at + 65536));
			b.update(samples.b1025!.subarray(0, at === 0 ? 1025 : 0));
		}
		const first = a.digest();
		assert.is(b.digest(), digestOf(algorithm, samples.b1025!));
		assert.is(first, digestOf(algorithm, data));
		// and a digest after another finished
		const c = createDigest(algorithm);
		c.update(samples.hello!);
		assert.is(c.digest(), digestOf(algorithm, samples.hello!));
	}
});

fast('the config accepts them', () => {
	assert.ok(isAlgorithm('xxh128') && isAlgorithm('blake3'));
	const config = parseConfig('[Settings]\nHash algorithm = BLAKE3\n[Monitored Directories]\nA = ["/x"]\n', 'equilybrium.config.ini');
	assert.is(config.algorithm, 'blake3');
});

fast('the built CLI hashes with them too (its bundle keeps only the WebAssembly it uses)', () => {
	for (const algorithm of FAST_ALGORITHMS) {
		const cfg = mkdtempSync(join(tmpdir(), 'eq-fast-cli-'));
		try {
			writeFileSync(join(cfg, 'equilybrium.config.ini'), `[Settings]\nID method = hostname\nB = b\nHash algorithm = ${algorithm}\n[Monitored Directories]\nB = ${JSON.stringify({ samples: dir })}\n`);
			const run = runCli(['run', '--role', 'B', '--quiet', '--config', cfg]);
			assert.is(run.status, 0, run.stderr);
			const db = readFileSync(join(cfg, 'equilybrium.B.DB.json'), 'utf8');
			for (const [name, data] of Object.entries(samples)) assert.ok(db.includes(`["samples/${name}",${data.length},"${digestOf(algorithm, data)}"]`), `${algorithm} ${name}`);
		} finally {
			rmSync(cfg, { recursive: true, force: true });
		}
	}
});

fast.run();
