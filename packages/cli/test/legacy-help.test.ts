// Issue 19, SPEC §10: every command answers -h/--help with its own usage (exit 0), the new
// ones too: import-legacy, and run's --dry-run (--simulate) and --new-only (--differential-scan).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { cli } from './util/legacy.ts';

const test = suite('help for the new command and flags');

for (const args of [['import-legacy', '-h'], ['import-legacy', '--help'], ['help', 'import-legacy']]) {
	test(`${args.join(' ')}: exit 0, import-legacy's usage with FILE and --role A|B`, () => {
		const r = cli(args);
		assert.is(r.status, 0, r.all);
		assert.match(r.stdout, /equilybrium import-legacy\b.*FILE/);
		assert.match(r.stdout, /--role A\|B/);
	});
}

test('run -h: exit 0, names --dry-run, --simulate, --new-only and --differential-scan', () => {
	const r = cli(['run', '-h']);
	assert.is(r.status, 0, r.all);
	for (const flag of ['--dry-run', '--simulate', '--new-only', '--differential-scan']) assert.ok(r.stdout.includes(flag), `${flag} in:\n${r.stdout}`);
});

for (const flag of ['--dry-run', '--simulate', '--new-only', '--differential-scan']) {
	test(`run ${flag} -h: exit 0 with run's usage (this one passes today: -h is seen before any flag)`, () => {
		const r = cli(['run', flag, '-h']);
		assert.is(r.status, 0, r.all);
		assert.match(r.stdout, /equilybrium run\b/);
	});
}

test('the command list (equilybrium --help) names import-legacy', () => {
	const r = cli(['--help']);
	assert.is(r.status, 0, r.all);
	assert.match(r.stdout, /^\s+import-legacy\s/m);
});

test.run();
