// What the command line tells a run about this machine (RunHost): probed here, never in the core.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskOf, physicalCores } from '../src/machine.ts';

const machinePath = fileURLToPath(new URL('../src/machine.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eq-machine-'));

const machine = suite('machine');

machine.after(() => rmSync(dir, { recursive: true, force: true }));

machine('physical cores: at least one', () => {
	assert.ok(physicalCores() >= 1);
});

machine('a process started with the launchers’ small heap knows it (one thread, short read-ahead)', () => {
	const ask = (flags: string[]) =>
		execFileSync(process.execPath, [...flags, '--import', 'tsx', '--input-type=module', '-e', `import { lowMemory } from ${JSON.stringify(machinePath)}; console.log(lowMemory())`], { encoding: 'utf8' }).trim();
	assert.is(ask(['--max-semi-space-size=1', '--max-old-space-size=48']), 'true');
	assert.is(ask([]), 'false');
});

machine('a folder has a device; rotational is a boolean or unknown', async () => {
	const disk = await diskOf(dir);
	assert.type(disk.device, 'string');
	assert.ok(disk.rotational === undefined || typeof disk.rotational === 'boolean');
});

machine.run();
