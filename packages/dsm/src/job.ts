import { spawn } from 'node:child_process';
import { EVENT_TYPES } from '@equilybrium/core';
import { OUTCOME_OF_EXIT, type LastRun } from './status.ts';

// One B run in a child process: the daemon itself never loads the hashing engine, so it stays
// small while idle, and a run that crashes cannot take the scheduler down with it.

export interface JobOptions {
	node: string;
	cli: string;
	configDir: string;
	reason: LastRun['reason'];
	/** Aborting sends SIGTERM: the run stops and leaves a consistent database behind. */
	signal: AbortSignal;
	/** After this long past an abort the run is killed (ms). */
	killAfterMs: number;
	onLog?: (line: string) => void;
}

const TAIL_LINES = 8;

export function runJob(options: JobOptions): Promise<LastRun> {
	const startedAt = new Date().toISOString();
	return new Promise((resolve) => {
		const child = spawn(options.node, [options.cli, 'run', '--role', 'B', '--config', options.configDir, '--quiet'], {
			stdio: ['ignore', 'pipe', 'pipe'],
			env: { ...process.env, NO_COLOR: '1' },
		});
		const out: string[] = [];
		const err: string[] = [];
		collect(child.stdout, out, options.onLog);
		collect(child.stderr, err, options.onLog);
		let killer: NodeJS.Timeout | undefined;
		const abort = () => {
			child.kill('SIGTERM');
			killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
		};
		if (options.signal.aborted) abort();
		else options.signal.addEventListener('abort', abort, { once: true });
		const finish = (exitCode: number | null, failure?: string) => {
			clearTimeout(killer);
			options.signal.removeEventListener('abort', abort);
			const summary = out.filter((l) => l.trim() !== '').at(-1) ?? '';
			const outcome = options.signal.aborted ? 'stopped' : exitCode === null ? 'failed' : (OUTCOME_OF_EXIT[exitCode] ?? 'failed');
			const run: LastRun = { startedAt, finishedAt: new Date().toISOString(), reason: options.reason, outcome, exitCode, summary, counts: countsOf(summary) };
			const files = /^\w+: ([\d,.\s]+) files?\b/.exec(summary)?.[1];
			if (files !== undefined) run.files = Number(files.replace(/\D/g, ''));
			const message = failure ?? (outcome === 'ok' ? undefined : err.slice(-TAIL_LINES).join('\n').trim());
			if (message) run.message = message;
			resolve(run);
		};
		child.on('error', (error) => finish(null, `could not start the run: ${error.message}`));
		child.on('close', (code) => finish(code));
	});
}

/** "… — 2 NewFile, 1 FileCorrupted — LOOK AT THIS" → { NewFile: 2, FileCorrupted: 1 }. */
export function countsOf(summary: string): Record<string, number> {
	const counts: Record<string, number> = {};
	for (const type of EVENT_TYPES) {
		const found = new RegExp(`(\\d[\\d,]*) ${type}\\b`).exec(summary);
		if (found) counts[type] = Number(found[1]!.replace(/,/g, ''));
	}
	return counts;
}

function collect(stream: NodeJS.ReadableStream, lines: string[], onLog?: (line: string) => void): void {
	let rest = '';
	stream.setEncoding('utf8');
	stream.on('data', (chunk: string) => {
		const parts = (rest + chunk).split('\n');
		rest = parts.pop() ?? '';
		for (const line of parts) push(line);
	});
	stream.on('end', () => rest && push(rest));
	function push(line: string) {
		onLog?.(line);
		lines.push(line);
		if (lines.length > 200) lines.splice(0, lines.length - 200);
	}
}
