import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LOW_MEMORY_FLAGS, ranOutOfHeap, readStatus, type LastRun } from '../src/index.ts';
import { root } from './util/build.ts';
import { waitFor } from './util/dsm.ts';
import { setupDaemon, teardownDaemon, type DaemonCtx } from './util/daemon.ts';

// The daemon starts B's runs within the low-memory heap limits, and runs once more with Node's
// default heap a run that died out of memory under them; a stand-in for the command line
// really exhausts its heap when started with the cap.

type Ctx = DaemonCtx;

interface Started {
	execArgv: string[];
	argv: string[];
}

const cli = join(root, 'fixtures/dsm/fake-cli-memory.cjs');
const RETRY_LINE = /the run ran out of memory within the low-memory heap limits \(--max-semi-space-size=1 --max-old-space-size=48\); running it once more with Node's default heap/;

function setup(ctx: Ctx): void {
	setupDaemon(ctx, cli, '0 3 1 1 *', 'eq-daemon-memory-');
}

async function teardown(ctx: Ctx): Promise<void> {
	delete process.env.FAKE_MEMORY;
	await teardownDaemon(ctx);
}

/** Starts one run now and waits for the status to record its end. */
async function runNow(ctx: Ctx, behaviour: 'normal' | 'exhaust' | 'exit2'): Promise<LastRun> {
	process.env.FAKE_MEMORY = behaviour;
	await ctx.daemon.start();
	assert.ok(ctx.daemon.trigger('manual'), 'the run starts');
	const status = await waitFor('the end of the run', async () => (await readStatus(ctx.statusFile))?.lastRun, 30_000);
	return status;
}

function started(ctx: Ctx): Started[] {
	const file = join(ctx.configDir, 'fake-memory-runs.jsonl');
	return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Started) : [];
}

const daemon = suite<Ctx>('daemon: low-memory heap limits');
daemon.before.each(setup);
daemon.after.each(teardown);

daemon('a run is started with the low-memory flags before the script', async (ctx) => {
	const run = await runNow(ctx, 'normal');
	assert.is(run.outcome, 'ok');
	const [only, ...more] = started(ctx);
	assert.equal(more, [], 'one run');
	assert.equal(only!.execArgv, ['--max-semi-space-size=1', '--max-old-space-size=48']);
	assert.equal(only!.argv, [cli, 'run', '--role', 'B', '--config', ctx.configDir, '--quiet', '--progress-file', join(ctx.base, 'var/progress.json')]);
	assert.not.ok(ctx.lines.some((l) => RETRY_LINE.test(l)), 'no retry');
});

daemon('a run that exhausts the capped heap is run once more with the default heap, and succeeds', async (ctx) => {
	const run = await runNow(ctx, 'exhaust');
	const runs = started(ctx);
	assert.is(runs.length, 2, 'run twice');
	assert.equal(runs[0]!.execArgv, [...LOW_MEMORY_FLAGS], 'first within the limits');
	assert.equal(runs[1]!.execArgv, [], 'then with Node\'s default heap');
	assert.equal(runs[1]!.argv, runs[0]!.argv, 'the same job');
	assert.ok(ctx.lines.some((l) => l.includes('JavaScript heap out of memory')), 'the first run really ran out of heap');
	assert.is(ctx.lines.filter((l) => RETRY_LINE.test(l)).length, 1, `one line says why:\n${ctx.lines.join('\n')}`);
	assert.is(run.outcome, 'ok');
	assert.is(run.exitCode, 0);
	assert.equal(run.counts, { NewFile: 3 });
	assert.is(run.message, undefined);
});

daemon('a run that fails otherwise (exit 2) is not run again', async (ctx) => {
	const run = await runNow(ctx, 'exit2');
	assert.is(started(ctx).length, 1, 'run once');
	assert.is(run.outcome, 'bad-config');
	assert.is(run.exitCode, 2);
	assert.match(run.message ?? '', /Workers: expected a number/);
	assert.not.ok(ctx.lines.some((l) => RETRY_LINE.test(l)), 'no retry');
});

daemon.run();

const oom = suite('recognising an out-of-memory abort');
const message = ['', 'FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory', ' 1: 0xb78db3 node::OOMErrorHandler'];
oom('V8 aborting with its message', () => {
	assert.ok(ranOutOfHeap({ code: null, signal: 'SIGABRT' }, message));
	assert.ok(ranOutOfHeap({ code: 134, signal: null }, message), 'as a shell reports it');
});
oom('not without the abort, nor without the message', () => {
	assert.not.ok(ranOutOfHeap({ code: 3, signal: null }, message), 'a run that exits on its own');
	assert.not.ok(ranOutOfHeap({ code: null, signal: 'SIGKILL' }, message));
	assert.not.ok(ranOutOfHeap({ code: null, signal: 'SIGABRT' }, ['Assertion failed']), 'another abort');
});
oom.run();
