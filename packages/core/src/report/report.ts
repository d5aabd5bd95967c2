import { AT_RISK, VERDICTS, type Comparison, type Verdict, type VerdictItem } from '../compare/compare.ts';
import { EVENT_TYPES, type EventType } from '../events/events.ts';
import { eventLogName } from '../config/folder.ts';
import { count, humanAge, humanBytes, humanDuration, humanShare, humanTime, thousands } from './format.ts';
import { sectionHeading, type EventDigest } from './reportfile.ts';

// A report section (SPEC §9), rendered from data alone so that it is the same text every
// time for the same facts. Its first lines answer the only question most readers have:
// is my backup complete and healthy? The details follow for those who need to act.

export interface ReportInput {
	/** When A's run ended: the section's date. */
	at: number;
	aRun: {
		startedAt: number;
		finishedAt: number;
		files: number;
		bytes: number;
		algorithm: string;
		/** With Verify = rolling N: how much of A was verified within N days. */
		coverage?: { days: number; files: number; verifiedFiles: number; share: number; oldestVerifiedAt?: number };
	};
	comparison: Comparison;
	aEvents: EventDigest;
	bEvents: EventDigest;
	/** The previous section's date, which B's events are counted from. */
	bEventsSince?: number;
	/**
	 * Set when A's events include runs before this one that no section reported (a run whose
	 * section could not be appended): when they are counted from (the previous section's date).
	 */
	aEventsSince?: number;
	/** Paths listed per list before the rest is cut to a count. */
	limit: number;
}

export function renderReportSection(input: ReportInput): string {
	const { comparison: c } = input;
	const lines: string[] = [sectionHeading(input.at), headline(input)];
	lines.push(
		`A ran ${humanTime(input.aRun.startedAt)}: ${count(input.aRun.files, 'file')}, ${humanBytes(input.aRun.bytes)}, ` +
			`checked in ${humanDuration(input.aRun.finishedAt - input.aRun.startedAt)} with ${input.aRun.algorithm}.`,
	);
	lines.push(bLine(input));
	const aSince = input.aEventsSince === undefined ? undefined : `since ${humanTime(input.aEventsSince)}`;
	lines.push(`Changes on A ${aSince ?? 'this run'}: ${eventSummary(input.aEvents) || 'none'}.`);
	if (c.b !== 'missing' && c.b !== 'unsealed') {
		const parts = VERDICTS.map((v) => `${VERDICT_LABEL[v]} ${thousands(c.counts[v].files)}`);
		lines.push(`Files: ${parts.join(' · ')}.`);
	}
	const coverage = input.aRun.coverage;
	if (coverage) {
		const share = humanShare(coverage.share);
		const oldest = coverage.oldestVerifiedAt === undefined ? '' : `; the oldest verification is from ${humanTime(coverage.oldestVerifiedAt)}`;
		lines.push(`Rolling verification: ${share} of A's files (${thousands(coverage.verifiedFiles)} of ${thousands(coverage.files)}) verified within ${coverage.days} days${oldest}.`);
	}
	const todo = whatToDo(input);
	if (todo.length) lines.push('', ...todo);
	if (c.counts.pending.files > 0) {
		lines.push('', `Waiting for the sync (${count(c.counts.pending.files, 'file')}, ${humanBytes(c.counts.pending.bytes)}): changed on A after B's last run; checked again after B's next run.`);
		lines.push(...listItems(c.samples.pending, c.counts.pending.files, input.limit, COMPARE_HINT));
	}
	lines.push(...eventsSection(`A's events ${aSince ?? 'this run'}:`, input.aEvents, 'A', input.limit));
	const since = input.bEventsSince === undefined ? '' : ` (${humanTime(input.bEventsSince)})`;
	lines.push(...eventsSection(`B's events since the last report${since}:`, input.bEvents, 'B', input.limit));
	if (c.counts.onlyOnB.files > 0) {
		lines.push('', `Only on B (${count(c.counts.onlyOnB.files, 'file')}, ${humanBytes(c.counts.onlyOnB.bytes)}): on B but nowhere on A — deleted on A since, or kept only on B.`);
		lines.push(...listItems(c.samples.onlyOnB, c.counts.onlyOnB.files, input.limit, COMPARE_HINT));
	}
	return lines.join('\n') + '\n';
}

/**
 * The section's "What to do" part: its heading and a line per thing to do, each with its first
 * `input.limit` files; none when all is well. The CLI prints it too, with a smaller limit.
 */
export function whatToDo(input: ReportInput): string[] {
	const todo = actions(input);
	return todo.length ? ['What to do:', ...todo] : [];
}

export const VERDICT_LABEL: Record<Verdict, string> = {
	backedUp: 'backed up',
	pending: 'waiting for sync',
	missingOnB: 'missing on B',
	outdatedOnB: 'outdated on B',
	corruptedOnB: 'corrupted on B',
	corruptedOnA: 'corrupted on A',
	onlyOnB: 'only on B',
};

// --- internal ---

const COMPARE_HINT = 'run "equilybrium compare --json" for the full list';

function atRisk(c: Comparison): { files: number; bytes: number } {
	return AT_RISK.reduce((sum, v) => ({ files: sum.files + c.counts[v].files, bytes: sum.bytes + c.counts[v].bytes }), { files: 0, bytes: 0 });
}

function headline(input: ReportInput): string {
	const c = input.comparison;
	const a = input.aRun;
	if (c.b === 'missing' || c.b === 'unsealed') {
		return `NOT VERIFIED — ${count(a.files, 'file')} (${humanBytes(a.bytes)}) on A could not be checked against B. ${c.bProblem}.`;
	}
	const risk = atRisk(c);
	if (risk.files > 0) {
		const parts = AT_RISK.filter((v) => c.counts[v].files > 0).map((v) => `${thousands(c.counts[v].files)} ${VERDICT_LABEL[v]}`);
		return `ACTION NEEDED — ${count(risk.files, 'file')} (${humanBytes(risk.bytes)}) at risk: ${parts.join(', ')}. See "What to do" below.`;
	}
	if (c.b === 'stale') return `NOT UP TO DATE — as of B's last run every file of A had a copy, but ${c.bProblem}`;
	const problems = (['FileUnreadable', 'HashCollision', 'FileCorrupted'] as EventType[]).filter((t) => input.aEvents.counts[t] > 0);
	if (problems.length) {
		return `CHECK A — the backup is complete, but A reported ${problems.map((t) => `${input.aEvents.counts[t]} ${EVENT_WORDS[t]}`).join(', ')}. See below.`;
	}
	const ok = c.counts.backedUp;
	if (c.counts.pending.files > 0) {
		return `BACKUP OK SO FAR — ${count(ok.files, 'file')} (${humanBytes(ok.bytes)}) have a correct copy on B; ${count(c.counts.pending.files, 'file')} changed since B's last run and wait for the next sync.`;
	}
	return `BACKUP OK — all ${count(ok.files, 'file')} (${humanBytes(ok.bytes)}) on A have a correct copy on B.`;
}

const EVENT_WORDS: Record<EventType, string> = {
	NewFile: 'new',
	FileModified: 'modified',
	FileCorrupted: 'corrupted',
	FileMovedOrRenamed: 'moved or renamed',
	FileNotFound: 'removed',
	HashCollision: 'hash collisions',
	FileUnreadable: 'unreadable',
	DuplicateFile: 'duplicates',
	ChangedSinceImport: 'changed since the import',
};

function bLine(input: ReportInput): string {
	const c = input.comparison;
	if (c.b === 'missing') return "B: no database in the config folder.";
	if (!c.bRun) return "B: its database cannot be read.";
	const ended = Date.parse(c.bRun.finishedAt);
	return `B last ran ${humanTime(ended)} (${humanAge(input.at - ended)} before this report): ${count(c.bRun.files, 'file')}, ${humanBytes(c.bRun.bytes)}.`;
}

function eventSummary(digest: EventDigest): string {
	return EVENT_TYPES.filter((t) => digest.counts[t] > 0)
		.map((t) => `${thousands(digest.counts[t])} ${EVENT_WORDS[t]}`)
		.join(', ');
}

const ACTIONS: Partial<Record<Verdict, { title: string; why: string }>> = {
	missingOnB: { title: 'Missing on B', why: "on A since before B's last run, but B has no copy: check the sync tool's log and filters" },
	outdatedOnB: { title: 'Outdated on B', why: "edited on A before B's last run, but B still has an older version: the sync has not copied the edit; check the sync tool's log" },
	corruptedOnB: { title: 'Corrupted on B', why: "B's copy changed without being edited (bit rot); A's copy is intact: copy it to B again" },
	corruptedOnA: { title: 'Corrupted on A', why: "A's copy changed without being edited (bit rot): restore it from B" },
};

function actions(input: ReportInput): string[] {
	const c = input.comparison;
	const out: string[] = [];
	if (c.b === 'missing' || c.b === 'unsealed' || c.b === 'stale') out.push(`  B — ${c.bProblem}`);
	for (const verdict of AT_RISK) {
		const n = c.counts[verdict];
		if (n.files === 0) continue;
		const { title, why } = ACTIONS[verdict]!;
		out.push(`  ${title} (${count(n.files, 'file')}, ${humanBytes(n.bytes)}): ${why}.`);
		out.push(...listItems(c.samples[verdict], n.files, input.limit, COMPARE_HINT));
	}
	for (const type of ['FileUnreadable', 'HashCollision'] as EventType[]) {
		const n = input.aEvents.counts[type];
		if (n === 0) continue;
		const why = type === 'FileUnreadable'
			? 'A could not read them (locked by a program, or no permission); they are kept as they were and checked again next run'
			: 'two different files share a digest: choose a longer "Hash algorithm" such as sha256';
		out.push(`  ${type === 'FileUnreadable' ? 'Unreadable on A' : 'Hash collisions on A'} (${count(n, 'file')}): ${why}.`);
		out.push(...eventItems(input.aEvents.samples[type], n, input.limit, eventLogName('A', type)));
	}
	return out;
}

function listItems(items: VerdictItem[], total: number, limit: number, hint: string): string[] {
	const out = items.slice(0, limit).map((item) => {
		const where =
			item.verdict === 'corruptedOnA'
				? item.bKey ? ` — restore from B: ${item.bPath ?? item.bKey}` : ' — no good copy on B either: look for it in older backups'
				: (item.verdict === 'corruptedOnB' || item.verdict === 'outdatedOnB') && item.bKey ? ` — on B: ${item.bPath ?? item.bKey}` : '';
		return `    ${item.key} (${humanBytes(item.size)})${where}`;
	});
	if (total > out.length) out.push(`    … and ${thousands(total - out.length)} more: ${hint}`);
	return out;
}

function eventItems(events: { key: string; details?: string }[], total: number, limit: number, log: string): string[] {
	const out = events.slice(0, limit).map((e) => `    ${e.key}${e.details ? ` (${e.details})` : ''}`);
	if (total > out.length) out.push(`    … and ${thousands(total - out.length)} more in ${log}`);
	return out;
}

function eventsSection(title: string, digest: EventDigest, role: 'A' | 'B', limit: number): string[] {
	const types = EVENT_TYPES.filter((t) => digest.counts[t] > 0);
	if (types.length === 0) return [];
	const out = ['', title];
	for (const type of types) {
		out.push(`  ${type} (${thousands(digest.counts[type])})`);
		out.push(...eventItems(digest.samples[type], digest.counts[type], limit, eventLogName(role, type)));
	}
	return out;
}
