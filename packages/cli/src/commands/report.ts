import { latestReportSection, loadConfig, REPORT_FILE } from '@equilybrium/core';
import type { ParsedArgs } from '../args.ts';
import { EXIT } from '../errors.ts';
import { configDir } from './_shared.ts';
import type { Io } from '../io.ts';

/** Prints the latest section of the report A appends after each run. */
export async function reportCommand(args: ParsedArgs, io: Io): Promise<number> {
	const dir = configDir(args, io);
	await loadConfig(dir); // the same clear error as every command when the folder is wrong
	const latest = await latestReportSection(dir);
	if (!latest) {
		io.err(`equilybrium: no report yet in ${dir} (${REPORT_FILE} is written by A's runs)`);
		return EXIT.FOUND;
	}
	io.write(latest.text);
	return EXIT.OK;
}
