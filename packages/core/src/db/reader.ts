import { readLineChunks } from '../files/lines.ts';
import { corrupt, SECTION_HEAD, unreadableEntry, type DbEntry, type StoredEntry } from './format.ts';
import { parseFile, parseLocal, stripComma } from './codecs.ts';

/**
 * Walks a database's entries in order, pairing each file line with its local line, from the
 * first entry or from the first of a block of the listing (a run that skipped the blocks
 * before it, unchanged, starts there).
 */
export class DbReader {
	private files: AsyncGenerator<string[]>;
	private locals: AsyncGenerator<string[]>;
	private fileLines: string[] = [];
	private localLines: string[] = [];
	private fi = 0;
	private li = 0;
	private ordinal = 0;

	/** At `from`: the first entry (the sections' offsets), or a block's first (see ListingFacts). */
	constructor(
		private path: string,
		filesAt: number,
		localAt: number,
		from?: { ordinal: number; fileOffset: number; localOffset: number; fileBytes?: number; localBytes?: number },
		/** Bytes a section is read in (see readChunk). */
		chunkSize = CHUNK,
	) {
		if (from) {
			// a block read alone (see reader) is read in chunks of about its size
			const chunk = (bytes?: number) => (bytes === undefined ? chunkSize : Math.min(chunkSize, bytes + (4 << 10)));
			this.files = sectionLines(path, filesAt + SECTION_HEAD + from.fileOffset, false, chunk(from.fileBytes));
			this.locals = sectionLines(path, localAt + SECTION_HEAD + from.localOffset, false, chunk(from.localBytes));
			this.ordinal = from.ordinal;
		} else {
			this.files = sectionLines(path, filesAt, true, chunkSize);
			this.locals = sectionLines(path, localAt, true, chunkSize);
		}
	}

	/** The entries from here on, a chunk of the file at a time. */
	batches(withLines = true): AsyncGenerator<StoredEntry[]> {
		return this.pairs((fileLine, localLine, ordinal) => {
			const entry = parseFile(fileLine) as StoredEntry;
			parseLocal(localLine, entry);
			if (withLines) {
				entry.fileLine = fileLine;
				entry.localLine = localLine;
				entry.ordinal = ordinal;
			}
			return entry;
		});
	}

	/** Only each entry's size and last verification: no entry objects, no keys (for a plan). */
	verified(): AsyncGenerator<{ size: number; verifiedAt: number }[]> {
		return this.pairs((file, local) => {
			// ["key",size,"hash"]: the size is between the last two commas outside the key
			const sizeEnd = file.lastIndexOf(',"');
			const size = Number(file.slice(file.lastIndexOf(',', sizeEnd - 1) + 1, sizeEnd));
			// [mtime,verifiedAt] or [mtime,verifiedAt,"goodHash"]
			const c1 = local.indexOf(',');
			const c2 = local.indexOf(',', c1 + 1);
			const close = local.indexOf(']', c1);
			const verifiedAt = Number(local.slice(c1 + 1, c2 >= 0 && c2 < close ? c2 : close));
			if (Number.isFinite(size) && Number.isFinite(verifiedAt)) return { size, verifiedAt };
			const entry = parseFile(file) as DbEntry;
			parseLocal(local, entry);
			return { size: entry.size, verifiedAt: entry.verifiedAt };
		});
	}

	/** Each file line with its local line (no trailing commas) made into a T, a chunk at a time. */
	private async *pairs<T>(make: (fileLine: string, localLine: string, ordinal: number) => T): AsyncGenerator<T[]> {
		for (;;) {
			if (this.fi === this.fileLines.length && !(await this.loadFiles())) return;
			const lines = this.fileLines;
			const batch: T[] = new Array(lines.length - this.fi);
			for (let i = 0; this.fi < lines.length; i++) {
				if (this.li === this.localLines.length) await this.loadLocals();
				try {
					batch[i] = make(stripComma(lines[this.fi++]!), stripComma(this.localLines[this.li++]!), this.ordinal++);
				} catch {
					throw unreadableEntry(this.path, this.ordinal);
				}
			}
			yield batch;
		}
	}

	async close(): Promise<void> {
		await this.locals.return(undefined);
		await this.files.return(undefined);
	}

	private async loadFiles(): Promise<boolean> {
		const next = await this.files.next();
		if (next.done) return false;
		this.fileLines = next.value;
		this.fi = 0;
		return this.fileLines.length > 0 || this.loadFiles();
	}

	private async loadLocals(): Promise<void> {
		do {
			const next = await this.locals.next();
			if (next.done) throw corrupt(this.path, 'has fewer local records than files');
			this.localLines = next.value;
			this.li = 0;
		} while (this.localLines.length === 0);
	}
}

/** The entry lines of the section starting at `offset` (its `"name":[` line), in chunks. */
async function* sectionLines(path: string, offset: number, head = true, chunk = CHUNK): AsyncGenerator<string[]> {
	let first = head;
	for await (const lines of readLineChunks(path, offset, chunk)) {
		let from = 0;
		if (first) {
			first = false;
			from = 1; // "files":[ or "local":[
		}
		const end = lines.findIndex((line, i) => i >= from && line.charCodeAt(0) === 93); // ]
		if (end >= 0) {
			if (end > from) yield lines.slice(from, end);
			return;
		}
		yield from ? lines.slice(from) : lines;
	}
}

/** Bytes a section is read in: less with a small heap (each is a string and its lines, twice: files, local). */
const CHUNK = 1 << 20;
export const readChunk = (lowMemory = false) => (lowMemory ? 1 << 18 : CHUNK);
