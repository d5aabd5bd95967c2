import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, truncateSync, unlinkSync, writeFileSync, writevSync } from 'node:fs';
import { join } from 'node:path';
import { BufferedFile, exists } from '../files/buffered.ts';
import { readLineBlocksSync } from '../files/lines.ts';
import { CoreError } from '../errors.ts';
import { EVENT_TYPES, formatEventLine, type EventType, type FileEvent } from './events.ts';
import { eventJournalName, eventLogName, eventLogsPattern, eventPlanName, TEMPORARY_SUFFIX } from '../config/folder.ts';

/**
 * A run's events reach the logs only once its database is committed, each exactly once
 * (SPEC §13), whatever instant the run is killed at or the disk fills up:
 *
 * 1. During the run they wait in a journal whose first line names the run (its start, as
 *    its database will store it).
 * 2. Before the commit the journal is written out and synced (`prepare`): a journal that
 *    cannot be made whole stops the run before anything is committed.
 * 3. The commit (the database's one rename) makes the run's events due.
 * 4. After it (`commit`), a plan records each log's size before the appends, the journal is
 *    appended to the logs and the logs synced, then the journal and the plan are removed.
 *
 * A run that finds a journal left behind replays it (`recover`) if its run is the one the
 * database holds, and drops it otherwise: first cutting each log back to the size the plan
 * recorded, so that appends made before the crash are not made twice.
 */
export class EventLogWriter {
	private constructor(
		private dir: string,
		private role: string,
		private runId: string,
		private journal: BufferedFile,
	) {}

	/** The types of the events put (a first run's are all NewFile: its journal is copied whole). */
	private types = new Set<EventType>();
	private lastType: EventType | undefined;

	/** `runId`: the run's start as stored in its database (`run.startedAt`); `lowMemory`: see RunHost. */
	static async open(dir: string, role: string, runId: string, lowMemory = false): Promise<EventLogWriter> {
		const journal = await BufferedFile.create(join(dir, eventJournalName(role)), undefined, lowMemory);
		await journal.write(runId + '\n');
		return new EventLogWriter(dir, role, runId, journal);
	}

	/**
	 * Before a run: a journal left behind goes to the logs if its run committed the database
	 * (`committedRunId` is that database's `run.startedAt`), and is dropped otherwise.
	 */
	static async recover(dir: string, role: string, committedRunId: string | undefined): Promise<void> {
		const path = join(dir, eventJournalName(role));
		if (!(await exists(path))) {
			// the journal went to the logs and was removed; only its plan was left
			removeIfThere(join(dir, eventPlanName(role)));
			return;
		}
		const runId = firstLine(path);
		if (committedRunId === undefined || runId !== committedRunId) {
			removeIfThere(path);
			removeIfThere(join(dir, eventPlanName(role)));
			return;
		}
		deliver(dir, role, runId);
	}

	/** Buffers an event; `drain` writes the buffer out once it is full. */
	put(event: FileEvent): void {
		if (event.type !== this.lastType) this.types.add((this.lastType = event.type));
		this.journal.put(formatEventLine(event) + '\n');
	}

	async drain(): Promise<void> {
		await this.journal.writeFull();
	}

	/** Before the commit: every event on the disk, or an error and nothing committed. */
	async prepare(): Promise<void> {
		await this.journal.close(true);
	}

	/** The database is committed: the events go to their logs (after `prepare`). */
	commit(): void {
		const [only, other] = this.types;
		deliver(this.dir, this.role, this.runId, other === undefined ? only : undefined);
	}

	/** The run did not commit: its events will be found again. */
	async discard(): Promise<void> {
		await this.journal.discard().catch(() => {});
		removeIfThere(join(this.dir, eventJournalName(this.role)));
	}
}

// --- internal ---

/** Each log's size before a journal's appends, as its plan records it. */
interface Plan {
	run: string;
	sizes: Partial<Record<EventType, number>>;
}

/**
 * A committed run's journal into its logs, idempotently (see EventLogWriter): with the plan
 * of an earlier attempt, each log is first cut back to its size before that attempt.
 */
function deliver(dir: string, role: string, runId: string, only?: EventType): void {
	const journal = join(dir, eventJournalName(role));
	const planPath = join(dir, eventPlanName(role));
	try {
		const plan = readPlan(planPath);
		if (plan?.run === runId) {
			for (const type of EVENT_TYPES) {
				const log = join(dir, eventLogName(role, type));
				const before = plan.sizes[type] ?? 0;
				if (sizeOf(log) > before) truncateSync(log, before);
			}
		} else {
			const sizes: Plan['sizes'] = {};
			for (const type of EVENT_TYPES) sizes[type] = sizeOf(join(dir, eventLogName(role, type)));
			writeSynced(planPath, JSON.stringify({ run: runId, sizes } satisfies Plan) + '\n');
		}
		toLogs(journal, dir, role, only);
		unlinkSync(journal);
		removeIfThere(planPath);
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code ?? String(error);
		throw new CoreError(
			'E_EVENTS',
			`the database is committed, but its events could not be written to the ${eventLogsPattern(role)} files (${code}). ` +
				`They are kept in ${eventJournalName(role)} and go to the logs at the next run (make room on the disk first if it is full).`,
		);
	}
}

/**
 * Appends a journal's events (after its first line, the run's) to their logs, then syncs
 * the logs. As bytes, a block of lines at a time: a first run journals an event per file,
 * and copying its lines needs neither a string per line nor a write per thousand; with
 * `only` (the journal's one type, as its run knows) the blocks are copied unread.
 * Synchronously: the run is over, nothing else waits on this thread, and each asynchronous
 * read or write (a round trip through the thread pool) cost more than copying its block.
 */
function toLogs(path: string, dir: string, role: string, only?: EventType): void {
	const journal = openSync(path, 'r');
	const logs = new LogAppender(dir, role);
	try {
		let first = true;
		for (const block of readLineBlocksSync(journal)) {
			let from = 0;
			if (first) {
				first = false;
				const end = block.indexOf(NEWLINE);
				from = end < 0 ? block.length : end + 1;
			}
			if (only) logs.take(only, block, from, block.length);
			else logs.putLines(block, from);
			logs.flush();
		}
		logs.sync();
	} finally {
		closeSync(journal);
		logs.close();
	}
}

function firstLine(path: string): string {
	const fd = openSync(path, 'r');
	try {
		for (const block of readLineBlocksSync(fd)) {
			const end = block.indexOf(NEWLINE);
			return block.toString('utf8', 0, end < 0 ? block.length : end);
		}
		return '';
	} finally {
		closeSync(fd);
	}
}

function readPlan(path: string): Plan | undefined {
	if (!existsSync(path)) return undefined;
	try {
		const plan = JSON.parse(readFileSync(path, 'utf8')) as Plan;
		return typeof plan.run === 'string' && typeof plan.sizes === 'object' ? plan : undefined;
	} catch {
		return undefined; // torn: it was being written, so no log was appended after it yet
	}
}

/** Written beside, synced, renamed into place: there is the whole plan or none. */
function writeSynced(path: string, text: string): void {
	const temporary = path + TEMPORARY_SUFFIX;
	const fd = openSync(temporary, 'w');
	try {
		writeFileSync(fd, text);
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
	renameSync(temporary, path);
}

function sizeOf(path: string): number {
	return statSync(path, { throwIfNoEntry: false })?.size ?? 0;
}

function removeIfThere(path: string): void {
	try {
		unlinkSync(path);
	} catch {
		// not there
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

	/** What was appended reaches the disk before the journal is removed. */
	sync(): void {
		this.flush();
		for (const fd of this.fds.values()) fsyncSync(fd);
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
