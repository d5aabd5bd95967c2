import type { MachineFacts } from '@equilybrium/core';
import type { ScheduleHost } from './win.ts';

/** Everything a command may touch outside the core, so tests can run commands in-process. */
export interface Io {
	out(line: string): void;
	/** Raw text, no newline added (for streamed output). */
	write(text: string): void;
	err(line: string): void;
	/** The stream progress is drawn on, when it is a terminal. */
	progressStream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
	cwd: string;
	/** The process's working directory may change while a command runs (it is the CLI's own process): a run may move it (see machine.ts, RunHost.workingDirectory). */
	ownsWorkingDirectory?: boolean;
	env: Record<string, string | undefined>;
	machine(): MachineFacts;
	signal?: AbortSignal;
	version: string;
	/** The clock progress is drawn and timed by (tests give one that moves as they say); Date.now otherwise. */
	now?: () => number;
	/** Stands in for Windows' Task Scheduler in tests (`schedule`, and a run of A keeping the task to Schedule A). */
	taskHost?: ScheduleHost;
}
