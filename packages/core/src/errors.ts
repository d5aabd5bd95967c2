// Every run-level failure the core can raise, with a stable code. The shells map codes to
// exit codes in one place (cli/src/errors.ts); a failing *file* is never an error, it is an event.
export type CoreErrorCode =
	| 'E_CONFIG' // the config file is missing, malformed or invalid
	| 'E_ROLE' // this machine's role cannot be determined
	| 'E_DB_CORRUPT' // a database does not parse or fails its seal
	| 'E_DB_VERSION' // a database written by a newer Equilybrium
	| 'E_LOCKED' // another run of the same role is going on
	| 'E_IO' // the config folder cannot be read or written
	| 'E_INPUT' // a file named on the command line is not what the command takes, or would replace what must be kept
	| 'E_EVENTS'; // the run committed, but its events wait for the next run to reach the logs

export class CoreError extends Error {
	readonly code: CoreErrorCode;
	constructor(code: CoreErrorCode, message: string) {
		super(message);
		this.name = 'CoreError';
		this.code = code;
	}
}

export function isCoreError(value: unknown): value is CoreError {
	return value instanceof CoreError;
}

/** A config error always names where: `file:line`, the key and what was expected. */
export function configError(file: string, line: number | undefined, message: string): CoreError {
	const where = line === undefined ? file : `${file}:${line}`;
	return new CoreError('E_CONFIG', `${where}: ${message}`);
}
