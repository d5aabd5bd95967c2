import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BufferedFile, exists } from './_files.ts';
import { readLineChunks } from './_lines.ts';
import { eventLogName, formatEventLine, type EventType, type FileEvent } from './events.ts';

export const eventJournalName = (role: string) => `equilybrium.${role}.events.tmp`;

/**
 * A run's events reach the logs only once its database is committed: a run that is stopped
 * (or dies) finds the same changes again next time, and would otherwise log them twice.
 * Meanwhile they wait in a journal whose first line names the run; a journal left by a run
 * that died between committing its database and appending its events is replayed.
 */
export class EventLogWriter {
	private constructor(
		private dir: string,
		private role: string,
		private journal: BufferedFile,
	) {}

	/** `runId`: the run's start as stored in its database (`run.startedAt`). */
	static async open(dir: string, role: string, runId: string): Promise<EventLogWriter> {
		const journal = await BufferedFile.create(join(dir, eventJournalName(role)));
		await journal.write(runId + '\n');
		return new EventLogWriter(dir, role, journal);
	}

	/**
	 * Before a run: a journal left behind goes to the logs if its run committed the database
	 * (`committedRunId` is that database's `run.startedAt`), and is dropped otherwise.
	 */
	static async recover(dir: string, role: string, committedRunId: string | undefined): Promise<void> {
		const path = join(dir, eventJournalName(role));
		if (!(await exists(path))) return;
		await toLogs(path, dir, role, (runId) => committedRunId !== undefined && runId === committedRunId);
	}

	async append(event: FileEvent): Promise<void> {
		this.put(event);
		await this.drain();
	}

	/** Buffers an event; `drain` writes the buffer out once it is full. */
	put(event: FileEvent): void {
		this.journal.put(formatEventLine(event) + '\n');
	}

	async drain(): Promise<void> {
		await this.journal.writeFull();
	}

	/** The database is committed: the events go to their logs. */
	async commit(): Promise<void> {
		await this.journal.close();
		await toLogs(join(this.dir, eventJournalName(this.role)), this.dir, this.role, () => true);
	}

	/** The run did not commit: its events will be found again. */
	async discard(): Promise<void> {
		await this.journal.close().catch(() => {});
		await unlink(join(this.dir, eventJournalName(this.role))).catch(() => {});
	}
}

// --- internal ---

/**
 * Appends a journal's events to their logs if `replay` accepts the run named on its first
 * line, then removes it. A chunk of lines at a time: a first run journals an event per file.
 */
async function toLogs(path: string, dir: string, role: string, replay: (runId: string) => boolean): Promise<void> {
	const logs = new LogAppender(dir, role);
	let first = true;
	chunks: for await (const lines of readLineChunks(path)) {
		for (const line of lines) {
			if (first) {
				first = false;
				if (!replay(line)) break chunks;
			} else if (line) logs.put(line);
		}
		await logs.drain();
	}
	await logs.close();
	await unlink(path).catch(() => {});
}

/** Appends formatted lines to one log per type, opening each only when it first gets a line. */
class LogAppender {
	private handles = new Map<string, FileHandle>();
	private buffers = new Map<string, string[]>();

	constructor(
		private dir: string,
		private role: string,
	) {}

	async add(line: string): Promise<void> {
		this.put(line);
		await this.drain();
	}

	/** Buffers a line for its type's log (`drain` writes the full buffers). */
	put(line: string): void {
		const tab = line.indexOf('\t');
		const end = line.indexOf('\t', tab + 1);
		const type = line.slice(tab + 1, end < 0 ? undefined : end);
		let lines = this.buffers.get(type);
		if (!lines) this.buffers.set(type, (lines = []));
		lines.push(line + '\n');
	}

	async drain(): Promise<void> {
		for (const [type, lines] of this.buffers) if (lines.length >= 1024) await this.flush(type);
	}

	async close(): Promise<void> {
		for (const type of this.buffers.keys()) await this.flush(type);
		for (const handle of this.handles.values()) await handle.close();
		this.handles.clear();
	}

	private async flush(type: string): Promise<void> {
		const lines = this.buffers.get(type);
		if (!lines || lines.length === 0) return;
		this.buffers.set(type, []);
		let handle = this.handles.get(type);
		if (!handle) {
			handle = await open(join(this.dir, eventLogName(this.role, type as EventType)), 'a');
			this.handles.set(type, handle);
		}
		await handle.write(lines.join(''));
	}
}
