import { UsageError } from './errors.ts';

export interface ParsedArgs {
	command: string | undefined;
	flags: Map<string, string[]>;
	positionals: string[];
}

export interface FlagSpec {
	/** Flags that take a value; the rest are booleans. */
	values: readonly string[];
	booleans: readonly string[];
}

/** `--flag value`, `--flag=value`, booleans; unknown flags (and single-dash ones: -h is seen before) are a usage error. */
export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
	const flags = new Map<string, string[]>();
	const positionals: string[] = [];
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i]!;
		if (/^-[^-]/.test(arg)) throw new UsageError(`unknown option ${arg}`);
		if (!arg.startsWith('--') || arg === '--') {
			positionals.push(arg);
			continue;
		}
		const eq = arg.indexOf('=');
		// the original Equilybrium writes its flags with underscores (--differential_scan), as its config's keys
		const name = (eq > 0 ? arg.slice(2, eq) : arg.slice(2)).replace(/_/g, '-');
		if (spec.values.includes(name)) {
			const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
			if (value === undefined) throw new UsageError(`--${name} needs a value`);
			flags.set(name, [...(flags.get(name) ?? []), value]);
		} else if (spec.booleans.includes(name)) {
			flags.set(name, ['true']);
		} else {
			throw new UsageError(`unknown option --${name}`);
		}
	}
	return { command: positionals[0], flags, positionals: positionals.slice(1) };
}

export const flag = (args: ParsedArgs, name: string): string | undefined => args.flags.get(name)?.at(-1);
export const has = (args: ParsedArgs, name: string): boolean => args.flags.has(name);
