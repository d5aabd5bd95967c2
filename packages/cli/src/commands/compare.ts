import { compareJson, compareSides, loadConfig, VERDICTS } from '@equilybrium/core';
import { has, type ParsedArgs } from '../args.ts';
import { EXIT } from '../errors.ts';
import { VERDICT_LABEL } from '@equilybrium/core';
import { count, humanBytes } from '../format.ts';
import { configDir } from './_shared.ts';
import { lowMemory } from '../machine.ts';
import { comparisonAlarms, REPORT_LIMIT } from './_report.ts';
import type { Io } from '../io.ts';

/** A versus B from the two databases alone: no hashing, nothing written. */
export async function compareCommand(args: ParsedArgs, io: Io): Promise<number> {
	const config = await loadConfig(configDir(args, io));
	const comparison = await compareSides({ configDir: config.dir, now: Date.now(), staleAfterDays: config.staleAfterDays, sampleLimit: REPORT_LIMIT, lowMemory: lowMemory() });
	if (has(args, 'json')) {
		let text = '';
		for await (const chunk of compareJson(comparison)) {
			text += chunk;
			if (text.length > 1 << 16) {
				io.write(text);
				text = '';
			}
		}
		io.write(text);
	} else {
		io.out(`B: ${comparison.b}${comparison.bProblem ? ` — ${comparison.bProblem}` : ''}`);
		for (const verdict of VERDICTS) {
			const n = comparison.counts[verdict];
			io.out(`${VERDICT_LABEL[verdict].padEnd(17)} ${count(n.files, 'file')}, ${humanBytes(n.bytes)}`);
			if (verdict === 'backedUp') continue;
			for (const item of comparison.samples[verdict]) io.out(`    ${item.key}${item.bKey ? `  (on B: ${item.bPath ?? item.bKey})` : ''}`);
			if (n.files > comparison.samples[verdict].length) io.out(`    … and ${n.files - comparison.samples[verdict].length} more (--json lists all)`);
		}
	}
	return comparisonAlarms(comparison) ? EXIT.FOUND : EXIT.OK;
}
