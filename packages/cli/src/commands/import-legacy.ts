import { resolve } from 'node:path';
import { detectRole, humanBytes, importLegacyDb, loadConfig, thousands } from '@equilybrium/core';
import type { ParsedArgs } from '../args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { count } from '../format.ts';
import { configDir, roleFlag } from './_shared.ts';
import { lowMemory } from '../machine.ts';
import type { Io } from '../io.ts';

/** `import-legacy FILE`: the original Equilybrium's database becomes this side's M. */
export async function importLegacyCommand(args: ParsedArgs, io: Io): Promise<number> {
	const given = args.positionals[0];
	if (given === undefined) throw new UsageError('import-legacy needs FILE, the original Equilybrium\'s database (its data/A.DB.json or data/B.DB.json)');
	const config = await loadConfig(configDir(args, io));
	for (const warning of config.warnings) io.err(`equilybrium: warning: ${warning}`);
	const role = detectRole(config, io.machine(), roleFlag(args));
	const file = resolve(io.cwd, given);
	const result = await importLegacyDb({ config, role, file, toolVersion: io.version, lowMemory: lowMemory() });
	if (result.leftOut > 0) {
		io.err(`equilybrium: warning: ${count(result.leftOut, 'file')} of ${given} under no folder of ${role}'s [Monitored Directories] left out (the original file still has them): ${result.leftOutSample.join(', ')}${result.leftOut > result.leftOutSample.length ? ', …' : ''}`);
	}
	if (result.repeated > 0) io.err(`equilybrium: warning: ${count(result.repeated, 'path')} recorded twice in ${given}: the first digest of each kept`);
	io.out(`${role}: ${count(result.files, 'file')} (${humanBytes(result.bytes)}) imported from ${file} into ${result.path} (${config.algorithm}); ${given} is left as it was.`);
	io.out(`The next run reads every file once: unchanged files say nothing, and content that changed since the original's last run is reported as ChangedSinceImport (${thousands(result.files)} to read).`);
	return EXIT.OK;
}
