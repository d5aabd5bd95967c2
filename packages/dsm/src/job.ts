import { spawn } from 'node:child_process';
import { LOW_MEMORY_FLAGS, ranOutOfHeap, type ProcessEnd } from './low-memory.ts';
import { readRunRecord, type RunRecord } from '@equilybrium/core';
import { OUTCOME_OF_EXIT, type LastRun } from './status.ts';

// One B run in a child process: the daemon itself never loads the hashing engine, so it stays
// small while idle, and a run that crashes cannot take the scheduler down with it. What the
// run found is read from the run record it leaves in the config folder (SPEC §12), never
// from its text; a run that left none (it could not start, or was killed) is described by
// how its process ended and the end of its error output.

export interface JobOptions {
	node: string;
	cli: string;
	configDir: string;
	reason: LastRun['reason'];
	/** Where the run keeps its live progress (contracts §4). */
	progressFile: string;
	/** The run's environment (see runEnv). */
	env: NodeJS.ProcessEnv;
	/** Aborting sends SIGTERM: the run stops and leaves a consistent database behind. */
	signal: AbortSignal;
	/** After this long past an abort the run is killed (ms). */
	killAfterMs: number;
	/** Each line the run prints. */
	onLog?: (line: string) => void;
	/** The job's own lines: why a run is started again. */
	log?: (line: string) => void;
}

interface Attempt extends ProcessEnd {
	out: string[];
	err: string[];
	/** Set when the process could not be started at all. */
	failure?: string;
}

const TAIL_LINES = 8;

/**
 * Runs B within the low-memory heap limits; a run those limits are too small for (say, half a
 * million files removed at once, kept in memory to find moves) dies out of memory and is run
 * once more with Node's default heap. Nothing is lost: the run resumes from its checkpoint.
 */
export async function runJob(options: JobOptions): Promise<LastRun> {
	const startedAt = new Date().toISOString();
	let attempt = await runOnce(options, LOW_MEMORY_FLAGS);
	if (ranOutOfHeap(attempt, attempt.err) && !options.signal.aborted) {
		options.log?.(`the run ran out of memory within the low-memory heap limits (${LOW_MEMORY_FLAGS.join(' ')}); running it once more with Node's default heap, from its checkpoint`);
		attempt = await runOnce(options, []);
	}
	const record = await readRunRecord(options.configDir, 'B');
	// Only this run's record: an older one is left from a run before.
	const fresh = record && Date.parse(record.startedAt) >= Date.parse(startedAt) - 1000 ? record : undefined;
	return lastRunOf(attempt, startedAt, options, fresh);
}

function runOnce(options: JobOptions, nodeFlags: readonly string[]): Promise<Attempt> {
	return new Promise((resolve) => {
		const args = [...nodeFlags, options.cli, 'run', '--role', 'B', '--config', options.configDir, '--quiet', '--progress-file', options.progressFile];
		// the run stops by itself if the daemon is killed (-9): no orphan holds the lock
		const child = spawn(options.node, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...options.env, EQUILYBRIUM_STOP_WITH_PARENT: '1' } });
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
		const finish = (end: ProcessEnd, failure?: string) => {
			clearTimeout(killer);
			options.signal.removeEventListener('abort', abort);
			resolve({ ...end, out, err, ...(failure ? { failure } : {}) });
		};
		child.on('error', (error) => finish({ code: null, signal: null }, `could not start the run: ${error.message}`));
		child.on('close', (code, signal) => finish({ code, signal }));
	});
}

function lastRunOf(attempt: Attempt, startedAt: string, options: JobOptions, record: RunRecord | undefined): LastRun {
	const { code, err } = attempt;
	const finishedAt = record?.finishedAt ?? new Date().toISOString();
	const outcome = record?.outcome ?? (options.signal.aborted ? 'stopped' : code === null ? 'failed' : (OUTCOME_OF_EXIT[code] ?? 'failed'));
	const run: LastRun = {
		startedAt,
		finishedAt,
		reason: options.reason,
		outcome,
		exitCode: record?.exitCode ?? code,
		durationMs: record?.durationMs ?? Date.parse(finishedAt) - Date.parse(startedAt),
		counts: record ? Object.fromEntries(Object.entries(record.counts).filter(([, n]) => n > 0)) : {},
	};
	if (record) Object.assign(run, { files: record.files, bytes: record.bytes, hashedFiles: record.hashedFiles, hashedBytes: record.hashedBytes, firstRun: record.firstRun });
	// after an out-of-memory abort the tail of stderr is V8's native stack; its message says more
	const outOfHeap = ranOutOfHeap(attempt, err) ? err.find((l) => l.includes('heap out of memory')) : undefined;
	const message = attempt.failure ?? outOfHeap ?? record?.error?.message ?? (outcome === 'ok' || outcome === 'found' ? undefined : err.slice(-TAIL_LINES).join('\n').trim());
	if (message) run.message = message;
	return run;
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
