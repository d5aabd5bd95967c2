import { closeSync, openSync, unlinkSync, writevSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BufferedFile, exists } from './_files.ts';
import { readLineBlocksSync } from './_lines.ts';
import { EVENT_TYPES, eventLogName, formatEventLine, type EventType, type FileEvent } from './events.ts';

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

	/** The types of the events put (a first run's are all NewFile: its journal is copied whole). */
	private types = new Set<EventType>();
	private lastType: EventType | undefined;

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
		toLogs(path, dir, role, (runId) => committedRunId !== undefined && runId === committedRunId);
	}

	async append(event: FileEvent): Promise<void> {
		this.put(event);
		await this.drain();
	}

	/** Buffers an event; `drain` writes the buffer out once it is full. */
	put(event: FileEvent): void {
		if (event.type !== this.lastType) this.types.add((this.lastType = event.type));
		this.journal.put(formatEventLine(event) + '\n');
	}

	async drain(): Promise<void> {
		await this.journal.writeFull();
	}

	/** The database is committed: the events go to their logs. */
	async commit(): Promise<void> {
		await this.journal.close();
		const [only, other] = this.types;
		toLogs(join(this.dir, eventJournalName(this.role)), this.dir, this.role, () => true, other === undefined ? only : undefined);
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
 * line, then removes it. As bytes, a block of lines at a time: a first run journals an event
 * per file, and copying its lines needs neither a string per line nor a write per thousand;
 * with `only` (the journal's one type, as its run knows) the blocks are copied unread.
 * Synchronously: the run is over, nothing else waits on this thread, and each asynchronous
 * read or write (a round trip through the thread pool) cost more than copying its block.
 */
function toLogs(path: string, dir: string, role: string, replay: (runId: string) => boolean, only?: EventType): void {
	const journal = openSync(path, 'r');
	const logs = new LogAppender(dir, role);
	try {
		let first = true;
		for (const block of readLineBlocksSync(journal)) {
			let from = 0;
			if (first) {
				first = false;
				const end = block.indexOf(NEWLINE);
				if (!replay(block.toString('utf8', 0, end < 0 ? block.length : end))) break;
				from = end < 0 ? block.length : end + 1;
			}
			if (only) logs.take(only, block, from, block.length);
			else logs.putLines(block, from);
			logs.flush();
		}
	} finally {
		closeSync(journal);
		logs.close();
	}
	try {
		unlinkSync(path);
	} catch {
		// gone already: nothing to replay next time either
	}
}

const TAB = 9;
const NEWLINE = 10;
const TYPE_BYTES = new Map(EVENT_TYPES.map((type) => [type, Buffer.from(type, 'latin1')]));

/**
 * The type of the event line at `start..end` (between its first two tabs), or undefined for
 * a line that names none, such as one cut short by a crash: it has no log to go to. Lines
 * come in runs of one type: `likely`, the last line's, is tried first.
 */
function typeOfLine(block: Buffer, start: number, end: number, likely: EventType | undefined): EventType | undefined {
	const tab = block.indexOf(TAB, start);
	if (tab < 0 || tab >= end) return undefined;
	let typeEnd = block.indexOf(TAB, tab + 1);
	if (typeEnd < 0 || typeEnd > end) typeEnd = end;
	if (likely !== undefined && names(block, tab + 1, typeEnd, TYPE_BYTES.get(likely)!)) return likely;
	for (const [type, bytes] of TYPE_BYTES) if (names(block, tab + 1, typeEnd, bytes)) return type;
	return undefined;
}

/** Whether `block[from..to]` is `name`'s bytes. */
const names = (block: Buffer, from: number, to: number, name: Buffer) => name.length === to - from && name.compare(block, from, to) === 0;

/** Appends lines to one log per type, opening each only when it first gets a line. */
class LogAppender {
	private fds = new Map<EventType, number>();
	private buffered = new Map<EventType, Buffer[]>();

	constructor(
		private dir: string,
		private role: string,
	) {}

	/** Buffers the lines of `block` from `from`, each for its type's log: a run of lines of one type as one piece. */
	putLines(block: Buffer, from: number): void {
		let runType: EventType | undefined;
		let runStart = from;
		for (let at = from; at < block.length; ) {
			const newline = block.indexOf(NEWLINE, at);
			const end = newline < 0 ? block.length : newline;
			const type = end === at ? undefined : typeOfLine(block, at, end, runType);
			if (type !== runType || type === undefined) {
				this.take(runType, block, runStart, at);
				runType = type;
				runStart = at;
			}
			at = end + 1;
			// an empty line, or one that names no type, is left out
			if (type === undefined) runStart = Math.min(at, block.length);
		}
		this.take(runType, block, runStart, block.length);
	}

	/** Buffers `start..end` of `block` (whole lines) for `type`'s log; a last line without its '\n' gets one. */
	take(type: EventType | undefined, block: Buffer, start: number, end: number): void {
		if (type === undefined || end <= start) return;
		let pieces = this.buffered.get(type);
		if (!pieces) this.buffered.set(type, (pieces = []));
		pieces.push(block.subarray(start, end));
		if (block[end - 1] !== NEWLINE) pieces.push(Buffer.from('\n'));
	}

	/** Writes out what is buffered: views of the block just read, so before the next is read. */
	flush(): void {
		for (const [type, pieces] of this.buffered) {
			let fd = this.fds.get(type);
			if (fd === undefined) this.fds.set(type, (fd = openSync(join(this.dir, eventLogName(this.role, type)), 'a')));
			writeAll(fd, pieces);
		}
		this.buffered.clear();
	}

	close(): void {
		try {
			this.flush();
		} finally {
			for (const fd of this.fds.values()) closeSync(fd);
			this.fds.clear();
		}
	}
}

/** writev may write less than asked (a full disk, a signal): the rest is written after it. */
function writeAll(fd: number, pieces: Buffer[]): void {
	let left = pieces;
	while (left.length > 0) {
		let written = writevSync(fd, left);
		const rest: Buffer[] = [];
		for (const piece of left) {
			if (written >= piece.length) written -= piece.length;
			else {
				rest.push(written > 0 ? piece.subarray(written) : piece);
				written = 0;
			}
		}
		left = rest;
	}
}
