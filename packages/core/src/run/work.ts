// What the merge decides for each file: a folder's run of listed files, merged with the old
// entries at the same place, becomes work (new, in both, kept, unreadable), cut into units
// that are hashed together and settled in order.

import type { StoredEntry } from '../db/index.ts';
import type { BatchCursor } from '../files/cursor.ts';
import { NOT_STATED } from '../hashing/wire.ts';
import type { FolderStats } from '../scan/folder.ts';
import { fromStats, statListed, type ListedFile, type ListedItem, type ScanItem, type ScannedFile, type ScanProblem } from '../scan/scan.ts';
import { hashAll, resumed, type Hashing } from './hashing.ts';
import type { RunState } from './state.ts';
import type { OldEntry } from './verifying.ts';

export type Work =
	| ({ kind: 'new' } & Hashing)
	| ({ kind: 'both'; old: StoredEntry; hash: boolean; rolling?: boolean } & Hashing)
	| { kind: 'keep'; old: StoredEntry }
	| { kind: 'problem'; problem: ScanProblem; old?: StoredEntry };

/**
 * A folder's run of files, merged with the old database: settled in order once every
 * digest it waits for is in. One promise per unit, not per file.
 */
export interface Unit {
	items: Work[];
	/** The items to hash, until hashing starts. */
	files: Hashing[];
	/** Files sent to be hashed; the unit is ready when `hashed` settles. */
	hashing: number;
	hashed?: Promise<void>;
	ready: boolean;
}

/** A unit is cut at this many files or bytes to hash, so progress and settling keep moving. */
const UNIT_FILES = 256;
const UNIT_BYTES = 8 << 20;

/**
 * Merges one folder's run of listed files with the old entries at the same place. A file
 * the database knows is stat'ed here, to see whether it changed; a new one is not when a
 * worker hashes it: its size and mtime come back with the digest.
 */
export async function planWork(run: RunState, batch: ListedItem[], old: BatchCursor<OldEntry>, stats: FolderStats | undefined, resolved?: (ScanItem | undefined)[]): Promise<Work[]> {
	const items: Work[] = [];
	const lazy = run.threads.pool !== undefined && !run.resume;
	const progress = run.progress;
	for (let i = 0; i < batch.length; i++) {
		const listed = batch[i]!;
		const key = listed.key;
		const head = old.peek();
		if (old.needsLoad || (head !== undefined && head.key < key)) await goneBefore(run, old, key);
		const entry = old.peek();
		const previous = entry !== undefined && entry.key === key ? entry : undefined;
		if (previous) old.shift();
		let item: ScanItem | undefined = listed.kind === 'listed' ? undefined : listed;
		if (resolved) item = resolved[i];
		else if (listed.kind === 'listed') {
			if (stats) item = fromStats(listed, stats, i);
			else item = !previous && lazy ? unstated(listed) : statListed(listed);
		}
		if (!item) {
			// gone (or no longer a file) since the listing
			if (previous) run.moves?.putLost(previous);
			continue;
		}
		if (item.kind === 'unreadable') {
			items.push(previous ? { kind: 'problem', problem: item, old: previous } : { kind: 'problem', problem: item });
			continue;
		}
		progress.files++;
		if (item.size > 0) progress.bytes += item.size;
		const saved = run.resume ? await resumed(run, item) : undefined;
		if (previous) {
			const why = saved ? undefined : mustHash(run, item, previous);
			const work: Work = { kind: 'both', file: item, old: previous, hash: saved !== undefined || why !== undefined };
			if (saved) work.outcome = saved;
			if (why === 'rolling') work.rolling = true;
			items.push(work);
		} else {
			items.push(saved ? { kind: 'new', file: item, outcome: saved } : { kind: 'new', file: item });
		}
	}
	return items;
}

/** Every old entry before `key` (all that are left, without one) was not seen: lost. */
export async function goneBefore(run: RunState, old: BatchCursor<OldEntry>, key: string | undefined): Promise<void> {
	for (;;) {
		if (old.needsLoad) await old.load();
		const entry = old.peek();
		if (!entry || (key !== undefined && entry.key >= key)) return;
		old.shift();
		run.moves?.putLost(entry);
	}
}

/** Cuts a folder's work into units of bounded files and bytes to hash. */
export function cutUnits(run: RunState, items: Work[]): Unit[] {
	const units: Unit[] = [];
	// on this thread, files settle (and reach the checkpoint) a few at a time
	const most = run.threads.pool ? UNIT_FILES : run.threads.hereWidth;
	let current: Unit = { items: [], files: [], hashing: 0, ready: true };
	let bytes = 0;
	for (const work of items) {
		const needs = (work.kind === 'new' || (work.kind === 'both' && work.hash)) && !work.outcome;
		if (needs && current.files.length > 0 && (current.files.length >= most || bytes + work.file.size > UNIT_BYTES)) {
			units.push(current);
			current = { items: [], files: [], hashing: 0, ready: true };
			bytes = 0;
		}
		current.items.push(work);
		if (needs) {
			current.files.push(work);
			bytes += work.file.size;
		}
	}
	if (current.items.length) units.push(current);
	return units;
}

/** The unit's files go to be hashed; it is ready when every outcome is in. */
export function startHashing(run: RunState, unit: Unit): void {
	if (unit.files.length === 0) return;
	unit.hashing = unit.files.length;
	unit.ready = false;
	unit.hashed = hashAll(run, unit.files).then(() => {
		unit.ready = true;
	});
	unit.files = [];
}

/** Why a file the database knows is read again, if it is: changed, Verify = full, or due for rolling verification. */
function mustHash(run: RunState, file: ScannedFile, old: OldEntry): 'changed' | 'full' | 'rolling' | undefined {
	if (!run.sameAlgorithm) return 'changed';
	// --new-only: what the database holds is kept as it is, for the next full run to read
	if (run.options.newOnly) return undefined;
	if (file.size !== old.size || file.mtimeMs !== old.mtimeMs) return 'changed';
	const { verify, maxRunTimeMs } = run.config;
	if (verify.mode === 'full') return 'full';
	if (!old.due) return undefined;
	if (maxRunTimeMs !== undefined && run.now() - run.startedAt >= maxRunTimeMs) {
		run.rolling!.summary.deferredFiles++;
		return undefined;
	}
	return 'rolling';
}

/** A listed file whose size and mtime a thread finds out as it hashes it (NOT_STATED). */
const unstated = (listed: ListedFile): ScannedFile => ({ kind: 'file', key: listed.key, path: listed.path, size: NOT_STATED, mtimeMs: NOT_STATED });
