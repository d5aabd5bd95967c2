import { isCoreError, type CoreErrorCode } from '@equilybrium/core';

/** Bad command-line usage: exit 2. */
export class UsageError extends Error {}

/** SPEC §10: 0 ran clean, 1 ran and found something, 2 bad usage or config, 3 failed to run. */
export const EXIT = { OK: 0, FOUND: 1, USAGE: 2, FAILED: 3 } as const;

const CODE_EXIT: Record<CoreErrorCode, number> = {
	E_CONFIG: EXIT.USAGE,
	E_ROLE: EXIT.USAGE,
	E_DB_CORRUPT: EXIT.FAILED,
	E_DB_VERSION: EXIT.FAILED,
	E_LOCKED: EXIT.FAILED,
	E_IO: EXIT.FAILED,
	E_INPUT: EXIT.USAGE,
	E_EVENTS: EXIT.FAILED,
};

/** The exit code an error ends a command with (exitFor also says why). */
export function exitCodeOf(error: unknown): number {
	if (error instanceof UsageError) return EXIT.USAGE;
	if (isCoreError(error)) return CODE_EXIT[error.code];
	return EXIT.FAILED;
}

/** The one place errors become exit codes and one-line messages. */
export function exitFor(error: unknown, write: (line: string) => void, debug = false): number {
	if (error instanceof UsageError) {
		write(`equilybrium: ${error.message} (see "equilybrium --help")`);
		return EXIT.USAGE;
	}
	if (isCoreError(error)) {
		write(`equilybrium: ${error.message}`);
		return CODE_EXIT[error.code];
	}
	const e = error as NodeJS.ErrnoException;
	write(`equilybrium: failed: ${e?.message ?? String(error)}${e?.code ? ` (${e.code})` : ''}`);
	if (debug && e?.stack) write(e.stack);
	return EXIT.FAILED;
}
