import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { flag, has, parseArgs } from '../src/args.ts';

const spec = { values: ['config', 'role'], booleans: ['differential-scan', 'dry-run'] };

test("the original Equilybrium's underscore flags are its hyphen flags: --differential_scan is --differential-scan", () => {
	const args = parseArgs(['run', '--differential_scan', '--dry_run', '--config=/c'], spec);
	assert.ok(has(args, 'differential-scan'));
	assert.ok(has(args, 'dry-run'));
	assert.is(flag(args, 'config'), '/c');
});

test('an underscore in a value is kept; an unknown flag is still refused', () => {
	assert.is(flag(parseArgs(['run', '--config', '/my_cfg'], spec), 'config'), '/my_cfg');
	assert.is(flag(parseArgs(['run', '--config=/my_cfg'], spec), 'config'), '/my_cfg');
	assert.throws(() => parseArgs(['run', '--no_such'], spec), /unknown option --no-such/);
});

test.run();
