import { Daemon } from './daemon.ts';
import { dsmPaths, pollInterval } from './env.ts';

declare const __VERSION__: string;
const version = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';

// The daemon's process shell: the package's start script runs it in the background with its
// output going to the log. SIGTERM (the stop script) ends it cleanly: a run going on is told
// to stop and awaited, so no torn database is left; then the status says "stopped".
const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
const daemon = new Daemon({ paths: dsmPaths(), node: process.execPath, version, pollMs: pollInterval(), killAfterMs: 15_000, log });

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
	process.on(signal, () => {
		if (stopping) return;
		stopping = true;
		log(`${signal}: stopping`);
		daemon.stop().then(
			() => {
				log('stopped');
				process.exit(0);
			},
			(error: unknown) => {
				log(`stop failed: ${String(error)}`);
				process.exit(1);
			},
		);
	});
}

log(`equilybrium ${version} daemon started (pid ${process.pid}, node ${process.version})`);
daemon.start().catch((error: unknown) => {
	log(`cannot start: ${String(error)}`);
	process.exit(1);
});
