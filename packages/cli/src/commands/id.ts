import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_FILE, detectRole, ID_METHODS, loadConfig, machineIds } from '@equilybrium/core';
import type { ParsedArgs } from '../args.ts';
import { EXIT } from '../errors.ts';
import { configDir } from './_shared.ts';
import type { Io } from '../io.ts';

export async function idCommand(args: ParsedArgs, io: Io): Promise<number> {
	const ids = machineIds(io.machine());
	for (const method of ID_METHODS) io.out(`${method}: ${ids[method].join(' ') || '(none)'}`);
	const dir = configDir(args, io);
	if (!existsSync(join(dir, CONFIG_FILE))) return EXIT.OK;
	const config = await loadConfig(dir);
	try {
		io.out(`role in ${join(dir, CONFIG_FILE)}: ${detectRole(config, io.machine())} (by ${config.idMethod})`);
	} catch (error) {
		io.out(`role in ${join(dir, CONFIG_FILE)}: none — ${(error as Error).message}`);
	}
	return EXIT.OK;
}
