// One run per role at a time (SPEC §13's lock points): never an empty lock, never two runs
// taking over the same stale lock. The contenders are real CLI runs started at once, each
// held after it has the lock (fault.cjs's sleep) so that they overlap.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireLock, lockFileName } from '../src/index.ts';
import { ensureBundle } from './util/bundle.ts';
import { dropWorld, makeWorld, runSide, type World } from './util/crash.ts';

const FAULT = fileURLToPath(new URL('./util/fault.cjs', import.meta.url));
const bundle = () => process.env.EQ_BUNDLE ?? ensureBundle();
const DEAD_PID = 2 ** 22 + 7;

/** `n` runs of B started together, each sleeping 1.5 s once it holds the lock; their exit codes and errors. */
async function race(world: World, n: number): Promise<{ code: number | null; err: string }[]> {
	const hold = JSON.stringify({ op: 'open', path: 'equilybrium\\.B\\.events\\.tmp$', action: 'sleep', ms: 1500 });
	return Promise.all(
		Array.from({ length: n }, () => new Promise<{ code: number | null; err: string }>((resolve) => {
			const child = spawn(process.execPath, ['--require', FAULT, bundle(), 'run', '--role', 'B', '--config', world.cfg, '--quiet'], { env: { ...process.env, EQ_FAULT: hold }, stdio: ['ignore', 'ignore', 'pipe'] });
			let err = '';
			child.stderr.on('data', (d) => (err += d));
			child.on('close', (code) => resolve({ code, err }));
		})),
	);
}

/** The error `action` is refused with (fails the test if it is not). */
async function refused(action: () => Promise<unknown>): Promise<Error> {
	try {
		await action();
	} catch (error) {
		return error as Error;
	}
	throw new Error('expected a refusal');
}

const test = suite('the lock');
let world: World;
test.before(() => {
	ensureBundle();
	world = makeWorld();
	assert.is(runSide(world, 'B').status, 0);
});
test.after(() => dropWorld(world));

test('eight runs racing for a stale lock: exactly one takes it, each time', async () => {
	const lock = join(world.cfg, lockFileName('B'));
	for (let round = 0; round < 4; round++) {
		writeFileSync(lock, JSON.stringify({ pid: DEAD_PID, host: hostname(), startedAt: new Date().toISOString() }) + '\n');
		const results = await race(world, 8);
		const ran = results.filter((r) => r.code === 0);
		assert.is(ran.length, 1, `round ${round}: ${ran.length} runs took the lock\n${results.map((r) => `${r.code} ${r.err.trim()}`).join('\n')}`);
		for (const r of results.filter((r) => r.code !== 0)) {
			assert.is(r.code, 3);
			assert.match(r.err, /another B run is (going on|starting|taking over)/);
		}
		assert.not.ok(existsSync(lock), 'released');
		assert.equal(readdirSync(world.cfg).filter((n) => n.includes('.lock')), [], 'no lock files left');
	}
});

test('a run that found the lock stale, then paused, cannot take it from the run that took it meanwhile', async () => {
	// the interleaving of the race, forced: X reads the stale lock and pauses 2 s; meanwhile
	// Y takes it over and holds it 4 s; then X goes on with what it read
	const lock = join(world.cfg, lockFileName('B'));
	writeFileSync(lock, JSON.stringify({ pid: DEAD_PID, host: hostname(), startedAt: new Date().toISOString() }) + '\n');
	const start = (faults: object[]) => {
		const child = spawn(process.execPath, ['--require', FAULT, bundle(), 'run', '--role', 'B', '--config', world.cfg, '--quiet'], { env: { ...process.env, EQ_FAULT: JSON.stringify(faults) }, stdio: ['ignore', 'ignore', 'pipe'] });
		let err = '';
		child.stderr.on('data', (d) => (err += d));
		return { child, err: () => err, done: new Promise<number | null>((resolve) => child.on('close', resolve)) };
	};
	const x = start([{ op: 'read', path: 'equilybrium\\.B\\.lock$', when: 'after', action: 'sleep', ms: 2000 }]);
	for (let i = 0; i < 200 && !x.err().includes('EQ_FAULT: read'); i++) await new Promise((r) => setTimeout(r, 25));
	assert.ok(x.err().includes('EQ_FAULT: read'), 'X read the stale lock');
	const y = start([{ op: 'open', path: 'equilybrium\\.B\\.events\\.tmp$', action: 'sleep', ms: 4000 }]);
	const [xCode, yCode] = await Promise.all([x.done, y.done]);
	assert.is(yCode, 0, `Y took the stale lock and ran: ${y.err()}`);
	assert.is(xCode, 3, `X must not take Y's lock: ${x.err()}`);
	assert.match(x.err(), /another B run is going on/);
});

test('an empty lock (a run killed while writing one, by an older version) is taken over once it is old, refused while new', async () => {
	const lock = join(world.cfg, lockFileName('B'));
	writeFileSync(lock, '');
	assert.match((await refused(() => acquireLock(world.cfg, 'B'))).message, /another B run is starting/);
	const old = new Date(Date.now() - 60_000);
	utimesSync(lock, old, old);
	const taken = await acquireLock(world.cfg, 'B');
	assert.is(taken.tookOverFrom, undefined, 'no owner to name');
	await taken.release();
	assert.not.ok(existsSync(lock));
});

test('a live owner keeps its lock; a dead one is named when taken over', async () => {
	const lock = join(world.cfg, lockFileName('B'));
	writeFileSync(lock, JSON.stringify({ pid: process.pid === 1 ? 2 : 1, host: hostname(), startedAt: '2024-01-01T00:00:00.000Z' }));
	assert.match((await refused(() => acquireLock(world.cfg, 'B'))).message, /another B run is going on \(pid \d+/);
	writeFileSync(lock, JSON.stringify({ pid: DEAD_PID, host: hostname(), startedAt: '2024-01-01T00:00:00.000Z' }));
	const taken = await acquireLock(world.cfg, 'B');
	assert.is(taken.tookOverFrom?.pid, DEAD_PID);
	await taken.release();
});

test.run();
