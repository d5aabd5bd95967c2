// Settling the merge's work, in key order, once its digests are in: the entry each file
// leaves in the new database, and the event it is, if any (SPEC §6). A file new to the
// database waits for the moves (moves.ts) when the run has one to pair it with.

import { IMPORTED_MTIME, type DbEntry, type StoredEntry } from '../db/index.ts';
import { changedSinceImportEvent, corruptedEvent, modifiedEvent } from '../events/events.ts';
import { toCheckpoint, type HashOutcome } from './hashing.ts';
import { emit, report, write, type RunState } from './state.ts';
import type { Unit, Work } from './work.ts';

/** Settles a unit's work in order; false if a stop came first (the rest stays in the unit). */
export function settleUnit(run: RunState, unit: Unit): boolean {
	const signal = run.options.signal;
	for (let i = 0; i < unit.items.length; i++) {
		if (signal?.aborted) {
			unit.items.splice(0, i);
			return false;
		}
		settle(run, unit.items[i]!);
	}
	return true;
}

function settle(run: RunState, work: Work): void {
	const now = run.now();
	switch (work.kind) {
		case 'keep':
			return write(run, work.old, false, work.old);
		case 'problem':
			emit(run, { type: 'FileUnreadable', key: work.problem.key, details: work.problem.reason, at: now });
			if (work.old) write(run, work.old, false, work.old);
			return;
		case 'new': {
			const outcome = work.outcome!;
			if (!outcome.ok && outcome.vanished) {
				// a new file gone (or no longer a file) since the listing: as if never listed
				run.progress.files--;
				return;
			}
			report(run, work.file.key);
			if (!outcome.ok) return emit(run, { type: 'FileUnreadable', key: work.file.key, details: outcome.reason, at: now });
			toCheckpoint(run, work.file.key, outcome);
			const entry: DbEntry = { key: work.file.key, ...outcome.file, verifiedAt: outcome.verifiedAt ?? now };
			write(run, entry, true);
			if (run.moves) return run.moves.putFound(entry);
			return emit(run, { type: 'NewFile', key: entry.key, at: now, size: entry.size, hash: entry.hash });
		}
		case 'both': {
			report(run, work.file.key);
			if (!work.hash) return write(run, work.old, false, work.old);
			const outcome = work.outcome!;
			toCheckpoint(run, work.file.key, outcome);
			if (work.rolling && outcome.ok) {
				run.rolling!.summary.verifiedFiles++;
				run.rolling!.summary.verifiedBytes += outcome.file.size;
			}
			return settleChecked(run, work.old, outcome, now);
		}
	}
}

/** A file the database knows, read again: unchanged, touched, edited, rotted, healed, or changed since an import. */
function settleChecked(run: RunState, old: StoredEntry, outcome: HashOutcome, now: number): void {
	if (!outcome.ok) {
		emit(run, { type: 'FileUnreadable', key: old.key, details: outcome.reason, at: now });
		return write(run, old, false, old);
	}
	const file = outcome.file;
	const entry: DbEntry = { key: old.key, size: file.size, hash: file.hash, mtimeMs: file.mtimeMs, verifiedAt: outcome.verifiedAt ?? now };
	if (!run.sameAlgorithm) return write(run, entry, true);
	const sameContent = file.hash === old.hash && file.size === old.size;
	if (sameContent) {
		// a touch, or a file still holding the content it rotted to: nothing new to say
		if (old.goodHash) entry.goodHash = old.goodHash;
		return write(run, entry, false);
	}
	if (old.mtimeMs === IMPORTED_MTIME) {
		// the original Equilybrium kept no modification times: an edit or rot since its last run
		emit(run, changedSinceImportEvent(old.key, { size: old.size, hash: old.hash }, now, file.size, file.hash));
	} else if (file.mtimeMs !== old.mtimeMs) {
		emit(run, modifiedEvent(old.key, { size: old.size, hash: old.hash }, now, file.size, file.hash));
	} else if (old.goodHash && old.goodHash === file.hash) {
		// the good content is back (restored from the backup): healed, no event
	} else {
		entry.goodHash = old.goodHash ?? old.hash;
		emit(run, corruptedEvent(old.key, { size: old.size, hash: old.hash }, now, file.size, file.hash));
	}
	return write(run, entry, true);
}
