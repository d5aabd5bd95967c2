import { access, constants, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import cron, { type ScheduledTask } from 'node-cron';
import { CONFIG_FILE, parseConfig, isCoreError, type Config } from '@equilybrium/core';
import type { DsmPaths } from './env.ts';
import { resolveConfigFolder } from './folder.ts';
import { runJob } from './job.ts';
import { permissionHint, permissionMessage } from './hints.ts';
import { runEnv } from './notify-test.ts';
import { removeProgress } from './progress.ts';
import { schedulesOf } from './settings.ts';
import { writeStatus, type LastRun, type Status } from './status.ts';

export interface DaemonOptions {
	paths: DsmPaths;
	/** The node that runs the jobs (the daemon's own). */
	node: string;
	version: string;
	pollMs: number;
	/** How long a stopping run may take to finish before it is killed (ms). */
	killAfterMs: number;
	log: (line: string) => void;
}

/**
 * The B scheduler: follows the config folder's INI (schedule and all) without a restart,
 * starts one run at a time in a child process, and keeps status.json current.
 */
export class Daemon {
	private task: ScheduledTask | undefined;
	private poller: NodeJS.Timeout | undefined;
	private job: Promise<void> | undefined;
	private abort = new AbortController();
	private stopping = false;
	private seen = '';
	private configDir: string | undefined;
	private config: Config | undefined;
	private problems: string[] = [];
	private running: Status['running'];
	private lastRun: LastRun | undefined;
	private lastWritten = '';
	private readonly startedAt = new Date().toISOString();
	private polling: Promise<void> | undefined;

	constructor(private readonly options: DaemonOptions) {}

	async start(): Promise<void> {
		this.lastRun = (await readPrevious(this.options.paths.statusFile))?.lastRun;
		await this.poll();
		this.poller = setInterval(() => void this.poll(), this.options.pollMs);
	}

	/** Stops scheduling; a run going on is told to stop (it leaves a consistent DB) and awaited. */
	async stop(): Promise<void> {
		if (this.stopping) return;
		this.stopping = true;
		clearInterval(this.poller);
		await this.polling;
		await this.task?.destroy();
		this.task = undefined;
		this.abort.abort();
		await this.job;
		await this.writeStatus('stopped');
	}

	/** Starts a run unless one is going on; returns false when it did not. */
	trigger(reason: LastRun['reason']): boolean {
		if (this.stopping) return false;
		if (this.job) {
			this.options.log(`a run is still going on (since ${this.running?.startedAt}); the ${reason} run is skipped`);
			return false;
		}
		if (!this.configDir || !this.config) {
			this.options.log(`no run: ${this.problems.join('; ') || 'no valid config'}`);
			return false;
		}
		const configDir = this.configDir;
		this.running = { startedAt: new Date().toISOString(), reason };
		this.options.log(`${reason} run started in ${configDir}`);
		this.job = (async () => {
			await this.writeStatus();
			const { paths } = this.options;
			await removeProgress(paths.progressFile);
			const run = await runJob({
				node: this.options.node,
				cli: paths.cliBundle,
				configDir,
				reason,
				progressFile: paths.progressFile,
				env: await runEnv(paths, process.env),
				signal: this.abort.signal,
				killAfterMs: this.options.killAfterMs,
				onLog: (line) => this.options.log(`  run: ${line}`),
				log: this.options.log,
			});
			await removeProgress(paths.progressFile); // left behind by a run that was killed
			this.lastRun = run;
			this.running = undefined;
			this.job = undefined;
			this.options.log(`${reason} run ended: ${run.outcome}${describe(run)}`);
			if (!this.stopping) await this.writeStatus();
		})().catch((error: unknown) => {
			this.running = undefined;
			this.job = undefined;
			this.options.log(`run failed: ${String(error)}`);
		});
		return true;
	}

	/** Re-reads what may have changed: the stored folder, the INI, a "run now" request. */
	private poll(): Promise<void> {
		if (this.polling || this.stopping) return this.polling ?? Promise.resolve();
		this.polling = this.refresh()
			.catch((error: unknown) => this.options.log(`poll failed: ${String(error)}`))
			.finally(() => (this.polling = undefined));
		return this.polling;
	}

	private async refresh(): Promise<void> {
		const folder = await resolveConfigFolder(this.options.paths);
		const dir = folder.ok ? folder.dir : undefined;
		const file = dir && join(dir, CONFIG_FILE);
		const fingerprint = `${dir}|${file ? await fingerprintOf(file) : ''}`;
		// While something is wrong, look again at every poll: granting a permission in DSM
		// changes nothing the fingerprint sees.
		if (fingerprint !== this.seen || this.problems.length > 0) {
			this.seen = fingerprint;
			this.configDir = dir;
			await this.load(folder.ok ? undefined : folder.problem, dir, file);
		}
		// A request made while a run goes on waits for it to end (the page said so).
		if (!this.job && (await takeRequest(this.options.paths.runNowFile))) this.trigger('manual');
		await this.writeStatus();
	}

	private async load(folderProblem: string | undefined, dir: string | undefined, file: string | undefined): Promise<void> {
		const problems: string[] = [];
		let config: Config | undefined;
		if (folderProblem) problems.push(folderProblem);
		if (dir && file) {
			try {
				await access(dir, constants.R_OK | constants.W_OK | constants.X_OK);
				config = parseConfig(await readFile(file, 'utf8'), file, dir);
				if (!config.roots.B?.length) problems.push(`${CONFIG_FILE} lists no monitored folders for B ([Monitored Directories] B = [...]); add them in the settings page`);
				const schedule = schedulesOf(config).B;
				if (!cron.validate(schedule)) problems.push(`${CONFIG_FILE}: Schedule "${schedule}" is not a cron expression the NAS understands`);
				for (const root of config.roots.B ?? []) {
					const hint = await permissionHint(root.path, this.options.paths.pkgName, 'read');
					if (hint) problems.push(hint);
				}
			} catch (error) {
				problems.push(describeLoadError(error, dir, file, this.options.paths.pkgName));
				config = undefined;
			}
		}
		const changed = JSON.stringify(problems) !== JSON.stringify(this.problems);
		this.problems = problems;
		const usable = config && config.roots.B?.length && cron.validate(schedulesOf(config).B) ? config : undefined;
		const previous = this.config && schedulesOf(this.config).B;
		this.config = usable;
		const schedule = usable && schedulesOf(usable).B;
		if (schedule && (schedule !== previous || !this.task)) {
			await this.task?.destroy();
			this.task = cron.schedule(schedule, () => void this.trigger('scheduled'), { name: 'equilybrium-B', noOverlap: true });
			this.options.log(`schedule "${schedule}" for ${dir}; next run ${this.task.getNextRun()?.toISOString() ?? 'never'}`);
		} else if (!usable && this.task) {
			await this.task.destroy();
			this.task = undefined;
			this.options.log('scheduling paused until the problems below are fixed');
		}
		if (changed) for (const problem of problems) this.options.log(`problem: ${problem}`);
	}

	private async writeStatus(state?: Status['state']): Promise<void> {
		const status: Status = {
			state: state ?? (this.running ? 'running' : 'idle'),
			pid: process.pid,
			version: this.options.version,
			daemonStartedAt: this.startedAt,
			updatedAt: '',
			problems: this.problems,
			warnings: this.config?.warnings ?? [],
		};
		if (this.configDir) status.configDir = this.configDir;
		if (this.config) status.schedule = schedulesOf(this.config).B;
		const next = state === 'stopped' ? undefined : this.task?.getNextRun();
		if (next) status.nextRun = next.toISOString();
		if (this.running) status.running = this.running;
		if (this.lastRun) status.lastRun = this.lastRun;
		const content = JSON.stringify(status);
		if (content === this.lastWritten) return; // nothing new: leave the disk alone
		this.lastWritten = content;
		status.updatedAt = new Date().toISOString();
		await writeStatus(this.options.paths.statusFile, status).catch((error: unknown) => {
			this.options.log(`cannot write ${this.options.paths.statusFile}: ${String(error)}`);
		});
	}
}

/** " — 1,204 files, 2 NewFile" for the log. */
function describe(run: LastRun): string {
	const counts = Object.entries(run.counts).map(([type, n]) => `${n} ${type}`);
	const parts = [run.files === undefined ? '' : `${run.files} files`, ...counts].filter(Boolean);
	return parts.length ? ` — ${parts.join(', ')}` : '';
}

async function fingerprintOf(file: string): Promise<string> {
	try {
		const s = await stat(file);
		return `${s.ino}:${s.size}:${s.mtimeMs}`;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code ?? 'error';
	}
}

/** A request file is taken by deleting it, so each "run now" starts one run. */
async function takeRequest(file: string): Promise<boolean> {
	try {
		await unlink(file);
		return true;
	} catch {
		return false;
	}
}

async function readPrevious(file: string): Promise<Status | undefined> {
	try {
		return JSON.parse(await readFile(file, 'utf8')) as Status;
	} catch {
		return undefined;
	}
}

function describeLoadError(error: unknown, dir: string, file: string, user: string): string {
	if (isCoreError(error)) return error.message;
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOENT') {
		return `there is no ${CONFIG_FILE} in ${dir} yet: let your sync tool bring it from the PC, or run "equilybrium init" there`;
	}
	if (code === 'EACCES' || code === 'EPERM') return permissionMessage(dir, user, 'read and write');
	return `${file}: ${(error as Error).message ?? String(error)}`;
}
