import { loadConfig, runMonitor, type FileEvent, type Role, type RunResult } from '../../src/index.ts';
import { host } from './host.ts';

export interface Observed {
	result: RunResult;
	events: FileEvent[];
	/** `Type key [details]`, in emission order, for compact assertions. */
	lines: string[];
}

let clock = Date.parse('2024-06-01T00:00:00Z');

/** One run of one side through the real engine, on a clock that moves a minute per run. */
export async function runSide(configDir: string, role: Role = 'A', now?: number): Promise<Observed> {
	clock += 60_000;
	const at = now ?? clock;
	const config = await loadConfig(configDir);
	const events: FileEvent[] = [];
	const result = await runMonitor({ host, config, role, toolVersion: 'test', now: () => at, onEvent: (e) => events.push(e) });
	return { result, events, lines: events.map((e) => `${e.type} ${e.key}`).sort() };
}

/** Asserts that `action` is refused with E_DB_CORRUPT (and a message matching `message`, if given). */
export async function refusedAsCorrupt(action: () => Promise<unknown>, message?: RegExp): Promise<void> {
	let refused: unknown;
	try {
		await action();
	} catch (error) {
		refused = error;
	}
	if (refused === undefined) throw new Error('expected E_DB_CORRUPT, but it was not refused');
	const { code, message: text } = refused as { code?: string; message?: string };
	if (code !== 'E_DB_CORRUPT') throw new Error(`expected E_DB_CORRUPT, got ${code}: ${text}`);
	if (message && !message.test(text ?? '')) throw new Error(`expected a message matching ${message}, got: ${text}`);
}
