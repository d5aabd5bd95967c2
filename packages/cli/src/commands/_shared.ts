import { resolve } from 'node:path';
import { flag, has, type ParsedArgs } from '../args.ts';
import type { Io } from '../io.ts';

export function configDir(args: ParsedArgs, io: Io): string {
	return resolve(io.cwd, flag(args, 'config') ?? io.env.EQUILYBRIUM_CONFIG ?? '.');
}

export function roleFlag(args: ParsedArgs): 'A' | 'B' | undefined {
	const role = flag(args, 'role');
	return role === 'A' || role === 'B' ? role : undefined;
}

/** `run --dry-run`, or `--simulate` as the original Equilybrium called it. */
export const isDryRun = (args: ParsedArgs): boolean => has(args, 'dry-run') || has(args, 'simulate');
