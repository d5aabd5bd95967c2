import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../../core/test/util/bundle.ts';

// What a person meets at the command line, held to what chkbit, rclone check and restic do:
// help everywhere.

const help = suite('-h and --help, for every command, whatever else is on the line');

/** The commands the top-level usage lists. */
function commands(): string[] {
	const r = runCli(['--help']);
	assert.is(r.status, 0);
	const list = r.stdout.split('Commands:\n')[1]!.split('\n\n')[0]!;
	return list.split('\n').map((line) => line.trim().split(/\s+/)[0]!);
}

help('every command answers -h and --help with its own usage, exit 0', () => {
	const names = commands();
	assert.ok(names.includes('run') && names.includes('compare') && names.length >= 7, names.join(' '));
	for (const name of names) {
		for (const asked of ['-h', '--help']) {
			const r = runCli([name, asked]);
			assert.is(r.status, 0, `${name} ${asked}: ${r.stderr}`);
			assert.match(r.stdout, new RegExp(`^Usage: equilybrium ${name}\\b`, 'm'), `${name} ${asked}`);
			assert.is(r.stderr, '');
		}
	}
});

help('asked among other flags, even wrong ones or a config that is not there: still the usage, exit 0', () => {
	for (const line of [
		['run', '--config', '/no/such/folder', '-h'],
		['run', '--role', 'C', '--help'],
		['run', '--colour', '-h'],
		['run', '-h', '--quiet'],
		['compare', '--json', '-h'],
		['schedule', 'install', '-h'],
		['help', 'run'],
	]) {
		const r = runCli(line);
		assert.is(r.status, 0, `${line.join(' ')}: ${r.stderr}`);
		assert.match(r.stdout, /^Usage: equilybrium (run|compare|schedule)\b/m, line.join(' '));
	}
});

help('-h alone is the top-level usage; other single-dash options are unknown, exit 2', () => {
	const top = runCli(['-h']);
	assert.is(top.status, 0);
	assert.match(top.stdout, /^Usage: equilybrium <command> \[options\]$/m);
	const r = runCli(['run', '-x']);
	assert.is(r.status, 2);
	assert.match(r.stderr, /^equilybrium: unknown option -x \(see "equilybrium --help"\)\n$/);
});

help.run();
