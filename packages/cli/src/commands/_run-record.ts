import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
	ALARMING,
	AT_RISK,
	CONFIG_FILE,
	buildRunRecord,
	isCoreError,
	planNotification,
	readNotifyState,
	readRunRecord,
	writeNotifyState,
	writeRunRecord,
	type Comparison,
	type Config,
	type Delivery,
	type EventType,
	type ExitCode,
	type FileEvent,
	type Findings,
	type Role,
	type RunRecord,
	type RunResult,
} from '@equilybrium/core';
import { has, type ParsedArgs } from '../args.ts';
import { exitCodeOf, UsageError } from '../errors.ts';
import { deliver } from '../notify/index.ts';
import { configDir, isDryRun, roleFlag } from './_shared.ts';
import type { Io } from '../io.ts';

// What a run leaves for others to read and who it tells (SPEC §11, §12): the run record at the
// end of every run — ok, found, failed, stopped or refused for its config — and the
// notification the record's facts call for. Neither can change the run's exit code.

/** Keys kept per alarming event type for a message (the logs hold them all). */
const KEYS_KEPT = 50;

/**
 * The run's clock. EQUILYBRIUM_NOW (an ISO time) starts it at another date, for tests and
 * demos of what happens over days; time then passes as it does.
 */
export function clockOf(env: Record<string, string | undefined>): () => number {
	const start = env.EQUILYBRIUM_NOW ? Date.parse(env.EQUILYBRIUM_NOW) : NaN;
	if (Number.isNaN(start)) return Date.now;
	const offset = start - Date.now();
	return () => Date.now() + offset;
}

export class RunRecording {
	readonly now: () => number;
	/** What the run prints through: with --json, stdout holds the record alone. */
	readonly io: Io;
	private readonly startedAt: number;
	private config?: Config;
	private role?: Role;
	private result?: RunResult;
	private comparison?: Comparison;
	private headline?: string;
	private events: Partial<Record<EventType, string[]>> = {};

	constructor(
		private readonly args: ParsedArgs,
		private readonly outer: Io,
	) {
		this.now = clockOf(outer.env);
		this.startedAt = this.now();
		this.io = has(args, 'json') ? { ...outer, out: () => {}, write: () => {} } : outer;
	}

	loaded(config: Config, role: Role): void {
		this.config = config;
		this.role = role;
	}

	onEvent(event: FileEvent): void {
		if (!ALARMING.has(event.type)) return;
		const keys = (this.events[event.type] ??= []);
		if (keys.length < KEYS_KEPT) keys.push(event.key);
	}

	ran(result: RunResult): void {
		this.result = result;
	}

	compared(comparison: Comparison, section: string): void {
		this.comparison = comparison;
		this.headline = section.split('\n')[1] ?? '';
	}

	/** Runs the command's body, then records and notifies; the body's exit code or error stands. */
	async around(body: () => Promise<number>): Promise<number> {
		let code: number;
		let failure: unknown;
		try {
			code = await body();
		} catch (error) {
			failure = error;
			code = exitCodeOf(error);
		}
		const record = await this.finish(code as ExitCode, failure);
		if (record && has(this.args, 'json')) this.outer.out(JSON.stringify(record, null, 2));
		if (failure !== undefined) throw failure;
		return code;
	}

	private async finish(exitCode: ExitCode, failure: unknown): Promise<RunRecord | undefined> {
		const role = this.role ?? roleFlag(this.args);
		const dir = this.config?.dir ?? configDir(this.args, this.outer);
		// without a role there is no file to write; without a config file this is no config folder
		if (!role || !(this.config || existsSync(join(dir, CONFIG_FILE)))) return undefined;
		try {
			const record = buildRunRecord({
				role,
				toolVersion: this.outer.version,
				startedAt: this.startedAt,
				finishedAt: this.now(),
				exitCode,
				folders: this.config?.roots[role]?.length ?? 0,
				...(this.result ? { result: this.result } : {}),
				...(failure !== undefined ? { error: errorOf(failure) } : {}),
				stopped: this.outer.signal?.aborted === true,
				...(this.comparison ? { comparison: this.comparison, headline: this.headline ?? '' } : {}),
			});
			// a dry run leaves no record and tells no one (--json still prints what it would record)
			if (isDryRun(this.args)) return record;
			const deliveries = this.config ? await this.notify(this.config, record) : [];
			if (deliveries.length > 0) record.notifications = deliveries;
			await writeRunRecord(dir, record);
			return record;
		} catch (error) {
			this.outer.err(`equilybrium: warning: the run record could not be written: ${(error as Error).message}`);
			return undefined;
		}
	}

	private async notify(config: Config, record: RunRecord): Promise<Delivery[]> {
		const settings = config.notifications;
		if (settings.notify === 'never') return [];
		const dir = config.dir;
		const role = record.role;
		const other: Role = role === 'A' ? 'B' : 'A';
		const [otherRecord, state, otherState] = await Promise.all([readRunRecord(dir, other), readNotifyState(dir, role), readNotifyState(dir, other)]);
		const plan = planNotification({
			settings,
			staleAfterDays: config.staleAfterDays,
			record,
			summarySide: role === 'A' || !config.roots.A?.length,
			findings: this.findings(),
			configDir: dir,
			...(otherRecord ? { other: otherRecord } : {}),
			...(state ? { state } : {}),
			...(otherState ? { otherState } : {}),
			now: this.now(),
		});
		const deliveries = plan.message ? await deliver(plan.message, settings, { env: this.outer.env, platform: process.platform, version: this.outer.version }) : [];
		for (const d of deliveries) if (!d.ok) this.outer.err(`equilybrium: warning: the ${d.channel} notification failed: ${d.detail}`);
		await writeNotifyState(dir, plan.next(deliveries));
		return deliveries;
	}

	private findings(): Findings {
		const findings: Findings = { events: this.events, verdicts: {} };
		const c = this.comparison;
		if (!c) return findings;
		if (c.bProblem) findings.bProblem = c.bProblem;
		for (const verdict of AT_RISK) {
			findings.verdicts[verdict] = c.samples[verdict].map((item) => ({
				key: item.key,
				// B knows a rotted copy by its own key: the same problem B's run may have told already
				identity: verdict === 'corruptedOnB' ? (item.bKey ?? item.key) : item.key,
				...(item.bPath || item.bKey ? { where: item.bPath ?? item.bKey } : {}),
			}));
		}
		return findings;
	}
}

function errorOf(error: unknown): { code: string; message: string } {
	if (isCoreError(error)) return { code: error.code, message: error.message };
	if (error instanceof UsageError) return { code: 'E_USAGE', message: error.message };
	return { code: 'E_INTERNAL', message: (error as Error)?.message ?? String(error) };
}
