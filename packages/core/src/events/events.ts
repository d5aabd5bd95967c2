// The closed vocabulary of what a run can find (SPEC §6). The names are the log files' names.
export const EVENT_TYPES = [
	'NewFile',
	'FileModified',
	'FileCorrupted',
	'FileMovedOrRenamed',
	'FileNotFound',
	'HashCollision',
	'FileUnreadable',
	'DuplicateFile',
	'ChangedSinceImport',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export interface FileEvent {
	type: EventType;
	/** The M key (for a move, the new key). */
	key: string;
	/** In words, as the event's log line gives them (SPEC §6): for a move `from <old key>`. */
	details?: string;
	/** When it was found (ms since epoch). */
	at: number;
	size?: number;
	hash?: string;
	/** FileMovedOrRenamed: the key the file had. */
	from?: string;
	/** FileModified, FileCorrupted and ChangedSinceImport: the content the database had. */
	was?: { size: number; hash: string };
}

/** A new path whose content and size a vanished one had: moved (or renamed) from `from`. */
export function movedEvent(key: string, from: string, at: number, size: number, hash: string): FileEvent {
	return { type: 'FileMovedOrRenamed', key, details: MOVED_FROM + from, at, size, hash, from };
}

/** Changed content with a new modification time: an edit. */
export function modifiedEvent(key: string, was: { size: number; hash: string }, at: number, size: number, hash: string): FileEvent {
	return { type: 'FileModified', key, details: `${was.size} → ${size} bytes`, at, size, hash, was };
}

/** Changed content under the same modification time: nobody edited it, it rotted. */
export function corruptedEvent(key: string, was: { size: number; hash: string }, at: number, size: number, hash: string): FileEvent {
	const details = `content changed but its modification time did not: was ${was.size} bytes ${was.hash}, now ${size} bytes ${hash}`;
	return { type: 'FileCorrupted', key, details, at, size, hash, was };
}

/** A new file whose content (hash and size) other monitored files hold: informational. */
export function duplicateEvent(key: string, others: readonly string[], more: number, at: number, size: number, hash: string): FileEvent {
	const rest = more > 0 ? ` and ${more} more` : '';
	return { type: 'DuplicateFile', key, details: `${DUPLICATE_OF}${others.join(', ')}${rest}`, at, size, hash };
}

/**
 * Changed content of an entry made by `import-legacy`: the original Equilybrium kept no
 * modification times, so whether it was edited or rotted since its last run cannot be told.
 */
export function changedSinceImportEvent(key: string, was: { size: number; hash: string }, at: number, size: number, hash: string): FileEvent {
	const details = `content changed since the original Equilybrium's last run, which kept no modification time: an edit cannot be told from corruption; was ${was.size} bytes ${was.hash}, now ${size} bytes ${hash}`;
	return { type: 'ChangedSinceImport', key, details, at, size, hash, was };
}

/** Events a person must act on: they make the run's exit code 1. */
export const ALARMING: ReadonlySet<EventType> = new Set(['FileCorrupted', 'FileUnreadable', 'HashCollision']);

export type EventCounts = Record<EventType, number>;

export function emptyCounts(): EventCounts {
	return Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as EventCounts;
}

/** `<ISO-8601 UTC>\t<EventType>\t<M key>[\t<details>]` — tabs and newlines in names are escaped. */
export function formatEventLine(event: FileEvent): string {
	const line = `${isoTime(event.at)}\t${event.type}\t${escapeField(event.key)}`;
	return event.details ? `${line}\t${escapeField(event.details)}` : line;
}

/** A run stamps thousands of events with the same few instants: format each once. */
function isoTime(at: number): string {
	if (at !== lastAt) {
		lastAt = at;
		lastIso = new Date(at).toISOString();
	}
	return lastIso;
}
let lastAt = NaN;
let lastIso = '';

export function parseEventLine(line: string): FileEvent | undefined {
	const [at, type, key, details] = line.split('\t');
	if (!at || !type || key === undefined || !(EVENT_TYPES as readonly string[]).includes(type)) return undefined;
	const time = Date.parse(at);
	if (Number.isNaN(time)) return undefined;
	const event: FileEvent = { type: type as EventType, key: unescapeField(key), at: time };
	if (details !== undefined) event.details = unescapeField(details);
	// a move's origin, typed as the run gave it (its words are `from <old key>`)
	if (event.type === 'FileMovedOrRenamed' && event.details?.startsWith(MOVED_FROM)) event.from = event.details.slice(MOVED_FROM.length);
	return event;
}

// --- internal ---

const MOVED_FROM = 'from ';
const DUPLICATE_OF = 'same content as ';

// a name's bytes that are not UTF-8 are escaped in a key (see scan/folder.ts): as \xHH in a log
const NEEDS_ESCAPE = /[\\\t\n\r\udc80-\udcff]/u;

function escapeField(text: string): string {
	if (!NEEDS_ESCAPE.test(text)) return text;
	return text
		.replace(/\\/g, '\\\\')
		.replace(/\t/g, '\\t')
		.replace(/\n/g, '\\n')
		.replace(/\r/g, '\\r')
		.replace(/[\udc80-\udcff]/gu, (unit) => `\\x${(unit.charCodeAt(0) - 0xdc00).toString(16).toUpperCase()}`);
}

function unescapeField(text: string): string {
	return text.replace(/\\([\\tnr]|x[89A-F][0-9A-F])/g, (_, c: string) => (c.length === 3 ? String.fromCharCode(0xdc00 + parseInt(c.slice(1), 16)) : ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c]!));
}
