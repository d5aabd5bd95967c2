// SPEC §13, by injecting the crash: a run of the built CLI is killed (SIGKILL) or meets a full
// disk (ENOSPC) at each step of its commit, then the next run goes on. After each: the
// database is the old one or the new one, sealed; the next run completes; the logs hold
// every event of the committed run exactly once (the same lines as a run that was not
// disturbed); A's report covers them; nothing is left behind.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { changeTree, copyWorld, dropWorld, leftovers, loggedEvents, makeWorld, reportedAEventKeys, runSide, sealedRun, type Fault, type World } from './util/crash.ts';
import { ensureBundle } from './util/bundle.ts';
import { corruptInPlace, writeTree } from './util/tree.ts';
import type { Role } from '../src/index.ts';

ensureBundle();

/** Each step of a run's end, as fault rules (the file names are the role's own). */
function commitSteps(role: Role): [string, Fault][] {
	const r = `equilybrium\\.${role}`;
	const steps: [string, Fault][] = [
		['the journal write', { op: 'write', path: `${r}\\.events\\.tmp$`, when: 'half', action: 'enospc', sticky: true }],
		['the journal fsync (kill)', { op: 'sync', path: `${r}\\.events\\.tmp$`, action: 'kill' }],
		['the journal fsync (ENOSPC)', { op: 'sync', path: `${r}\\.events\\.tmp$`, action: 'enospc' }],
		['the database write (ENOSPC)', { op: 'write', path: `${r}\\.DB\\.json\\.new$`, when: 'half', action: 'enospc', sticky: true }],
		['the .bak link', { op: 'link', path: `${r}\\.DB\\.json -> `, action: 'kill' }],
		['before the commit rename', { op: 'rename', path: `${r}\\.DB\\.json\\.new -> `, action: 'kill' }],
		['after the commit rename', { op: 'rename', path: `${r}\\.DB\\.json\\.new -> `, when: 'after', action: 'kill' }],
		['the checkpoint removal', { op: 'unlink', path: `${r}\\.checkpoint\\.next$`, action: 'kill' }],
		['the plan write', { op: 'rename', path: `${r}\\.events\\.plan\\.tmp -> `, action: 'kill' }],
		['the first log append (kill)', { op: 'write', path: `${r}\\.Event\\.`, action: 'kill' }],
		['after the first log append', { op: 'write', path: `${r}\\.Event\\.`, when: 'after', action: 'kill' }],
		['the third log append', { op: 'write', path: `${r}\\.Event\\.`, nth: 3, when: 'after', action: 'kill' }],
		['a log append (ENOSPC, half written)', { op: 'write', path: `${r}\\.Event\\.`, nth: 2, when: 'half', action: 'enospc' }],
		['the logs fsync', { op: 'sync', path: `${r}\\.Event\\.`, nth: 2, action: 'kill' }],
		['the journal removal (before)', { op: 'unlink', path: `${r}\\.events\\.tmp$`, action: 'kill' }],
		['the journal removal (after)', { op: 'unlink', path: `${r}\\.events\\.tmp$`, when: 'after', action: 'kill' }],
		['the plan removal', { op: 'unlink', path: `${r}\\.events\\.plan$`, action: 'kill' }],
		['the lock write (kill)', { op: 'write', path: `${r}\\.lock`, action: 'kill' }],
		['the lock write (ENOSPC)', { op: 'write', path: `${r}\\.lock`, when: 'half', action: 'enospc' }],
		['the lock removal', { op: 'unlink', path: `${r}\\.lock$`, action: 'kill' }],
	];
	if (role === 'A') {
		steps.push(
			['the report append (kill)', { op: 'append', path: 'equilybrium\\.report\\.txt$', action: 'kill' }],
			['after the report append', { op: 'append', path: 'equilybrium\\.report\\.txt$', when: 'after', action: 'kill' }],
			['the report append (ENOSPC, half written)', { op: 'append', path: 'equilybrium\\.report\\.txt$', when: 'half', action: 'enospc' }],
		);
	}
	return steps;
}

interface Phase {
	/** The world before the disturbed run. */
	before: World;
	/** The logs (and report keys) of an undisturbed run from there. */
	expected: string[];
	expectedReport: string[];
	sections: number;
}

/** The world ready for `role`'s run (first or later), and what an undisturbed run logs. */
function phase(role: Role, later: boolean): Phase {
	const before = makeWorld();
	if (later) {
		assert.is(runSide(before, 'B').status, 0);
		assert.is(runSide(before, 'A').status, 0);
		changeTree(role === 'A' ? before.pc : before.nas);
	} else if (role === 'A') {
		assert.is(runSide(before, 'B').status, 0); // A compares with B's database
	}
	const sections = later ? 1 : 0;
	const reference = copyWorld(before);
	const run = runSide(reference, role);
	assert.ok(run.status === 0 || run.status === 1, run.stderr);
	const expected = loggedEvents(reference, role);
	assert.ok(expected.length >= (later ? 6 : 12), `the reference run logged ${expected.length} events`);
	const expectedReport = role === 'A' ? reportedAEventKeys(reference, sections) : [];
	dropWorld(reference);
	return { before, expected, expectedReport, sections };
}

function check(p: Phase, role: Role, step: string, fault: Fault): void {
	const world = copyWorld(p.before);
	try {
		const disturbed = runSide(world, role, [fault]);
		assert.match(disturbed.stderr, /EQ_FAULT: /, `${step}: the fault point was reached`);
		const died = disturbed.signal === 'SIGKILL';
		if (!died) {
			assert.not.match(disturbed.stderr, /\n\s+at /, `${step}: no stack trace`);
			assert.ok(disturbed.status !== null && disturbed.status <= 3, `${step}: exit ${disturbed.status}`);
		}
		const next = runSide(world, role);
		assert.ok(next.status === 0 || next.status === 1, `${step}: the next run completes (exit ${next.status}): ${next.stderr}`);
		assert.equal(loggedEvents(world, role), p.expected, `${step}: every event once`);
		if (role === 'A') assert.equal(reportedAEventKeys(world, p.sections), p.expectedReport, `${step}: the report covers them`);
		assert.equal(leftovers(world), [], `${step}: nothing left behind`);
		assert.ok(existsSync(join(world.cfg, `equilybrium.${role}.DB.json`)));
	} finally {
		dropWorld(world);
	}
}

for (const role of ['A', 'B'] as Role[]) {
	for (const later of [true, false]) {
		const test = suite(`${role}'s ${later ? 'later' : 'first'} run, disturbed at each step of its commit`);
		let p: Phase;
		test.before(() => {
			p = phase(role, later);
		});
		test.after(() => dropWorld(p.before));
		for (const [step, rule] of commitSteps(role)) {
			// a first run has no .bak to link, and one log to append to (NewFile)
			if (!later && step === 'the .bak link') continue;
			const fault = !later && /Event/.test(rule.path) ? { ...rule, nth: 1 } : rule;
			test(step, () => check(p, role, step, fault));
		}
		test('the database is sealed after a kill at any step', async () => {
			for (const [step, fault] of commitSteps(role).filter(([, f]) => f.action === 'kill')) {
				const world = copyWorld(p.before);
				try {
					runSide(world, role, [fault]);
					const before = await sealedRun(p.before, role);
					const after = await sealedRun(world, role); // throws if torn or unsealed
					assert.ok(after === before || (after !== undefined && (before === undefined || after > before)), `${step}: old or new`);
				} finally {
					dropWorld(world);
				}
			}
		});
		test.run();
	}
}

const checkpoint = suite('a checkpoint left by a run that committed');

checkpoint('is not taken by the next run: Verify = full reads every file again, and finds bit rot since', () => {
	const world = makeWorld();
	try {
		// enough files for the run to hand part of its checkpoint to the disk (a chunk of 1 MiB)
		writeTree(world.nas, Object.fromEntries(Array.from({ length: 12_000 }, (_, i) => [`d0/bulk/${String(i).padStart(5, '0')}.txt`, `bulk ${i}`])));
		assert.is(runSide(world, 'B').status, 0);
		// killed after its commit, before it removed its checkpoint: every digest of the run is in it
		const killed = runSide(world, 'B', [{ op: 'unlink', path: 'equilybrium\\.B\\.checkpoint\\.next$', action: 'kill' }]);
		assert.is(killed.signal, 'SIGKILL');
		assert.ok(existsSync(join(world.cfg, 'equilybrium.B.checkpoint.next')), 'the checkpoint was left');
		// bit rot after that run: same size, same mtime, other bytes
		const victim = join(world.nas, 'd0/bulk/00042.txt');
		corruptInPlace(victim, readFileSync(victim, 'utf8').replace('bulk', 'BULK'));
		const next = runSide(world, 'B');
		assert.is(next.status, 1, next.stdout + next.stderr);
		assert.ok(loggedEvents(world, 'B').some((line) => line.startsWith('FileCorrupted\tDocs/d0/bulk/00042.txt')), 'found by reading the file');
	} finally {
		dropWorld(world);
	}
});

checkpoint.run();
