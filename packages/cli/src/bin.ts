import { hostname, networkInterfaces } from 'node:os';
import { prestartThreads } from '@equilybrium/core';
import { main } from './index.ts';
import { runHost } from './machine.ts';

declare const __VERSION__: string;
const version = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

// A run lists its folders on threads, which take 30–45 ms to start: they start now, while
// the run reads its config and opens its database.
if (process.argv[2] === 'run') prestartThreads(runHost(false));

// The only place the process is touched: argv in, exit code out, signals to an abort.
const controller = new AbortController();
let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
	process.on(signal, () => {
		if (++signals > 1) process.exit(130); // a second Ctrl+C means now
		process.stderr.write('\nequilybrium: stopping; the database stays as it was, and what was read so far is kept for the next run\n');
		controller.abort();
	});
}

// A run started by the NAS daemon ends with it: a daemon killed with -9 left its run going on
// orphaned, holding the lock, and every later run failed "another B run is going on". Its
// parent gone, the process is handed to another, which this sees as a new parent pid.
if (process.env.EQUILYBRIUM_STOP_WITH_PARENT === '1') {
	const parent = process.ppid;
	const watch = setInterval(() => {
		if (process.ppid === parent) return;
		clearInterval(watch);
		process.stderr.write('\nequilybrium: the program that started this run has ended; stopping (the database stays as it was)\n');
		controller.abort();
	}, 500);
	watch.unref();
}

main(process.argv.slice(2), {
	out: (line) => process.stdout.write(line + '\n'),
	write: (text) => process.stdout.write(text),
	err: (line) => process.stderr.write(line + '\n'),
	progressStream: process.stderr,
	cwd: process.cwd(),
	ownsWorkingDirectory: true,
	env: process.env,
	machine: () => ({ hostname: hostname(), interfaces: networkInterfaces() }),
	signal: controller.signal,
	version,
}).then(
	(code) => {
		process.exitCode = code;
	},
	(error: unknown) => {
		process.stderr.write(`equilybrium: internal error: ${String(error)}\n`);
		process.exitCode = 3;
	},
);
