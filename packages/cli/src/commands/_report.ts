import {
	AT_RISK,
	appendReportSection,
	compareSides,
	latestReportSection,
	readEventsSince,
	renderReportSection,
	whatToDo,
	type Comparison,
	type Config,
	type ReportInput,
	type RunResult,
} from '@equilybrium/core';
import { lowMemory } from '../machine.ts';

/** Paths listed per list in a report section before the rest is cut to a count. */
export const REPORT_LIMIT = 20;

/** True when the comparison asks the user to act: the exit code becomes 1. */
export function comparisonAlarms(c: Comparison): boolean {
	return c.b !== 'ok' || AT_RISK.some((v) => c.counts[v].files > 0);
}

/** Files listed per list in the "What to do" a run prints on the terminal: the report has more. */
export const TERMINAL_LIMIT = 5;

/**
 * After A's run: compare with B, append the report section; its "What to do" for the terminal.
 * A dry run (`dryRun`: the folder it wrote its database and logs in) appends nothing.
 */
export async function compareAndReport(config: Config, result: RunResult, dryRun?: { into: string }): Promise<{ comparison: Comparison; section: string; todo: string[] }> {
	const aDir = dryRun?.into ?? config.dir;
	const comparison = await compareSides({ configDir: config.dir, aDir, now: result.finishedAt, staleAfterDays: config.staleAfterDays, sampleLimit: REPORT_LIMIT, lowMemory: lowMemory() });
	const previous = await latestReportSection(config.dir);
	// every run since the last section: a run whose section could not be appended is reported now
	const aEvents = await readEventsSince(aDir, 'A', previous ? previous.at + 1 : 0, REPORT_LIMIT);
	const unreported = aEvents.earliest !== undefined && aEvents.earliest < result.startedAt ? (previous?.at ?? aEvents.earliest) : undefined;
	const input: ReportInput = {
		at: result.finishedAt,
		aRun: {
			startedAt: result.startedAt,
			finishedAt: result.finishedAt,
			files: result.files,
			bytes: result.bytes,
			algorithm: result.algorithm,
			...(result.coverage ? { coverage: result.coverage } : {}),
		},
		comparison,
		aEvents,
		...(unreported !== undefined ? { aEventsSince: unreported } : {}),
		bEvents: await readEventsSince(config.dir, 'B', previous ? previous.at + 1 : 0, REPORT_LIMIT),
		...(previous ? { bEventsSince: previous.at } : {}),
		limit: REPORT_LIMIT,
	};
	const section = renderReportSection(input);
	if (!dryRun) await appendReportSection(config.dir, section);
	return { comparison, section, todo: whatToDo({ ...input, limit: TERMINAL_LIMIT }) };
}
