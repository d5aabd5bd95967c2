import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { count, humanBytes, humanTime, thousands } from '../report/format.ts';
import { VERDICT_LABEL } from '../report/report.ts';
import { EVENT_TYPES, type EventType } from '../events/events.ts';
import { eventLogName, NOTIFY_STATE_FILE, REPORT_FILE } from '../config/folder.ts';
import { VERDICT_COUNTS, writeFileAtomic, type Delivery, type RunRecord } from '../report/runrecord.ts';
import type { Role } from '../config/config.ts';
import type { NotificationSettings } from '../config/notifications.ts';

// When to tell a person, and what (SPEC §11). Pure decisions over data: the run's record, what
// it found, the other side's record, and what was told before — so that a message goes out
// when there is something new, a reminder at least every N days (silence then means something
// stopped), and nothing is said twice, by this side or by the other through a shared channel.
// The channels themselves (HTTP, mail, desktop) are the shells' business.

/** Files named per problem in a message; the rest are counted. */
export const MESSAGE_FILES = 5;
/** Keys kept per problem to recognise it next time. */
const TOLD_KEYS = 50;
const DAY = 86_400_000;
/** A daily run drifts by minutes: a reminder due in under this is sent now rather than a day late. */
const REMINDER_SLACK = 2 * 3_600_000;

export type MessageKind = 'problem' | 'reminder' | 'summary' | 'resolved' | 'test';

export interface Message {
	kind: MessageKind;
	level: 'ok' | 'problem';
	/** One line: the verdict (the webhook's Title header, the mail's subject, the toast's title). */
	title: string;
	/** Plain text; its first line is the verdict too. */
	body: string;
	/** A few words for a desktop notification under the title. */
	short: string;
	/** Where to read more. */
	readMore?: string;
}

/** What this side has told a person, kept in the config folder beside its other files. */
export interface NotifyState {
	version: 1;
	role: Role;
	/** When the last summary (all is well, reminder, resolved) went out, or the state began: the reminder clock. */
	lastSummaryAt: string;
	lastSentAt?: string;
	lastTitle?: string;
	told: Record<string, Told>;
}

export interface Told {
	count: number;
	keys: string[];
	at: string;
	persistent: boolean;
	/** Told through a channel both machines' person reads (webhook, mail): the other side need not repeat it. */
	shared: boolean;
}

/** What a run found that a message names: the first keys of each alarming event and at-risk verdict. */
export interface Findings {
	events: Partial<Record<EventType, string[]>>;
	/** A's at-risk verdict samples: `key` is A's, `identity` the key both sides know it by, `where` a path on B. */
	verdicts: Partial<Record<string, { key: string; identity: string; where?: string }[]>>;
	/** Why B could not be trusted, in a sentence (from the comparison). */
	bProblem?: string;
}

export interface NotifyInput {
	settings: NotificationSettings;
	staleAfterDays: number;
	record: RunRecord;
	/** This side sends the summaries and reminders: A, or B when there is no A. */
	summarySide: boolean;
	findings: Findings;
	configDir: string;
	/** The other side's last record, if any. */
	other?: RunRecord;
	state?: NotifyState;
	otherState?: NotifyState;
	now: number;
}

export interface Problem {
	/** Stable across runs and sides: 'corruptedOnB', 'stale:B', 'failed:A', 'unreadable:B'… */
	id: string;
	/** Re-found by every run until fixed (a verdict, a staleness, a failure), not an event of one run. */
	persistent: boolean;
	count: number;
	/** The identities of the items, to tell a new one from one told before. */
	keys: string[];
	/** A few words for a title: "1 file corrupted on B". */
	title: string;
	/** What it means and what to do. */
	text: string;
	/** The first few files, as lines. */
	items: string[];
}

export interface NotifyPlan {
	message?: Message;
	problems: Problem[];
	/** The state to keep after the deliveries (a problem counts as told only if a channel delivered it). */
	next(deliveries: readonly Delivery[]): NotifyState;
}

export function planNotification(input: NotifyInput): NotifyPlan {
	const { record, settings, now } = input;
	const state = input.state ?? { version: 1, role: record.role, lastSummaryAt: new Date(now).toISOString(), told: {} };
	const problems = record.outcome === 'stopped' ? [] : findProblems(input);
	const toldBefore = (p: Problem) => told(p, state.told[p.id]) || told(p, sharedOf(input.otherState?.told[p.id]));
	const fresh = problems.filter((p) => !toldBefore(p));
	const hadPersistent = Object.values(state.told).some((t) => t.persistent);
	const resolved = hadPersistent && problems.length === 0 && record.outcome !== 'stopped';
	const remindMs = settings.remindOkEveryDays * DAY;
	const reminderDue = input.summarySide && remindMs > 0 && now - Date.parse(state.lastSummaryAt) >= remindMs - REMINDER_SLACK;

	let kind: MessageKind | undefined;
	if (settings.notify === 'never' || record.outcome === 'stopped') kind = undefined;
	else if (fresh.length > 0) kind = 'problem';
	else if (resolved) kind = 'resolved';
	else if (settings.notify === 'always') kind = 'summary';
	else if (reminderDue) kind = 'reminder';
	const message = kind ? compose(kind, input, problems, fresh) : undefined;

	return {
		message,
		problems,
		next(deliveries) {
			if (record.outcome === 'stopped') return state; // it saw only part of the files: it proves nothing either way
			const delivered = message !== undefined && deliveries.some((d) => d.ok);
			const shared = deliveries.some((d) => d.ok && d.channel !== 'desktop');
			const at = new Date(now).toISOString();
			const nextTold: Record<string, Told> = {};
			for (const p of problems) {
				const before = state.told[p.id];
				if (delivered || toldBefore(p)) {
					const wasShared = (delivered && shared) || (before?.shared ?? false);
					nextTold[p.id] = { count: p.count, keys: p.keys.slice(0, TOLD_KEYS), at: delivered ? at : (before?.at ?? at), persistent: p.persistent, shared: wasShared };
				} else if (before) {
					nextTold[p.id] = before; // not told yet: tried again next run
				}
			}
			const next: NotifyState = { version: 1, role: record.role, lastSummaryAt: state.lastSummaryAt, told: nextTold };
			if (state.lastSentAt) next.lastSentAt = state.lastSentAt;
			if (state.lastTitle) next.lastTitle = state.lastTitle;
			if (delivered) {
				next.lastSentAt = at;
				next.lastTitle = message!.title;
				// a message that says where everything stands restarts the reminder clock; a problem alone does not
				if (kind !== 'problem' || reminderDue) next.lastSummaryAt = at;
			}
			return next;
		},
	};
}

/** The message `notify --test` sends: proves each channel before any run. */
export function testMessage(role: Role | undefined, configDir: string): Message {
	const who = role ? `${role} (${role === 'A' ? 'the PC' : 'the NAS'})` : 'this machine';
	const readMore = join(configDir, REPORT_FILE);
	return {
		kind: 'test',
		level: 'ok',
		title: 'Equilybrium: test message',
		body: `Equilybrium: test message\n\nSent by "equilybrium notify --test" on ${who}. If you read this, Equilybrium's notifications reach you here.\n\nMore: ${readMore}\n`,
		short: `Notifications from ${who} reach you here.`,
		readMore,
	};
}

export async function readNotifyState(dir: string, role: Role): Promise<NotifyState | undefined> {
	try {
		const value = JSON.parse(await readFile(join(dir, NOTIFY_STATE_FILE(role)), 'utf8')) as NotifyState;
		return value && value.version === 1 && value.role === role && typeof value.told === 'object' ? value : undefined;
	} catch {
		return undefined;
	}
}

export async function writeNotifyState(dir: string, state: NotifyState): Promise<void> {
	await writeFileAtomic(join(dir, NOTIFY_STATE_FILE(state.role)), JSON.stringify(state, null, 2) + '\n');
}

// --- internal ---

/** Said before: the same problem, no more items than then, none it did not name. */
function told(p: Problem, before: Told | undefined): boolean {
	if (!before) return false;
	if (p.count > before.count) return false;
	// a list cut short cannot tell a new key from an old one past its end
	const complete = before.keys.length >= before.count;
	return !complete || p.keys.every((k) => before.keys.includes(k));
}

const sharedOf = (t: Told | undefined) => (t?.shared ? t : undefined);

const other = (role: Role): Role => (role === 'A' ? 'B' : 'A');

function findProblems(input: NotifyInput): Problem[] {
	const { record, findings, now } = input;
	const role = record.role;
	const found = new Map<string, Problem>();
	const add = (p: Problem) => {
		const twin = found.get(p.id);
		if (!twin) return void found.set(p.id, p);
		// the same files seen as this run's events and as the verdict: one problem, in the verdict's words
		if (p.persistent && !twin.persistent) {
			twin.title = p.title;
			twin.text = p.text;
			twin.items = [...p.items, ...twin.items.filter((i) => !p.items.some((j) => j === i || j.startsWith(`${i} (`)))];
		} else {
			for (const i of p.items) if (!twin.items.some((j) => j === i || j.startsWith(`${i} (`))) twin.items.push(i);
		}
		twin.persistent ||= p.persistent;
		twin.count = Math.max(twin.count, p.count);
		for (const k of p.keys) if (!twin.keys.includes(k)) twin.keys.push(k);
	};

	if (record.outcome === 'failed' && record.error) {
		add(simple(`failed:${role}`, [record.error.code], `${role}'s run failed`, `${role}'s run failed: ${record.error.message}`));
	}
	if (record.outcome === 'bad-config' && record.error) {
		add(simple(`config:${role}`, [record.error.message], `${role} could not run`, `${role} could not run: ${record.error.message}`));
	}

	const where = role === 'A' ? 'A' : 'B';
	const eventProblems: [EventType, string, string, string][] = [
		['FileCorrupted', `corruptedOn${where}`, `corrupted on ${where}`, role === 'A'
			? "changed without being edited (bit rot, a bad disk or cable): restore them from B"
			: "changed on B without being edited (bit rot, a failing disk): copy them again from A"],
		['FileUnreadable', `unreadable:${role}`, `unreadable on ${role}`, `${role} could not read them (locked by a program, or no permission); they are checked again next run`],
		['HashCollision', `collision:${role}`, `with a hash collision on ${role}`, 'two different files share a digest: choose a longer "Hash algorithm" such as sha256'],
	];
	for (const [type, id, words, why] of eventProblems) {
		const n = record.counts[type];
		if (n === 0) continue;
		const keys = findings.events[type] ?? [];
		add({ id, persistent: false, count: n, keys: keys.slice(0, TOLD_KEYS), title: `${count(n, 'file')} ${words}`, text: `${count(n, 'file')} ${words}: ${why}.`,
			items: itemLines(keys, n, join(input.configDir, eventLogName(role, type))) });
	}

	const v = record.verdict;
	if (v) {
		const VERDICT_WORDS: Record<string, [string, string]> = {
			missingOnB: ['missing on B', "on A since before B's last run, but B has no copy: check the sync tool's log and filters"],
			outdatedOnB: ['outdated on B', 'B holds an older version: check that the sync tool copies changed files'],
			corruptedOnB: ['corrupted on B', "B's copy changed without being edited (bit rot); A's copy is intact: copy it to B again"],
			corruptedOnA: ['corrupted on A', "A's copy changed without being edited (bit rot): restore it from B"],
		};
		for (const [verdict, [words, why]] of Object.entries(VERDICT_WORDS)) {
			const n = (v.counts as Record<string, number>)[verdict] ?? 0;
			if (n === 0) continue;
			const samples = findings.verdicts[verdict] ?? [];
			const lines = samples.slice(0, MESSAGE_FILES).map((s) => `${s.key}${s.where ? ` (on B: ${s.where})` : ''}`);
			if (n > lines.length) lines.push(`… and ${thousands(n - lines.length)} more: see the report`);
			add({ id: verdict, persistent: true, count: n, keys: samples.map((s) => s.identity).slice(0, TOLD_KEYS), title: `${count(n, 'file')} ${words}`, text: `${count(n, 'file')} ${words}: ${why}.`, items: lines });
		}
		if (v.b === 'missing' || v.b === 'unsealed') {
			add(simple('unverified:B', [v.b], "B's database cannot be used", `A's files could not be checked against B: ${findings.bProblem ?? `B's database is ${v.b}`}.`));
		}
		if (v.b === 'stale' && v.bLastRunAt) {
			const failedSince = input.other && input.other.outcome !== 'ok' && input.other.outcome !== 'found' && input.other.finishedAt > v.bLastRunAt;
			add(staleProblem('B', Date.parse(v.bLastRunAt), now, failedSince ? 'finished a run' : 'run'));
		}
	}
	if (role === 'A' && input.other && (input.other.outcome === 'failed' || input.other.outcome === 'bad-config') && input.other.error) {
		const b = input.other;
		const id = b.outcome === 'failed' ? 'failed:B' : 'config:B';
		const key = b.outcome === 'failed' ? b.error!.code : b.error!.message;
		add(simple(id, [key], b.outcome === 'failed' ? "B's run failed" : 'B could not run', `B's last run (${humanTime(Date.parse(b.finishedAt))}) ${b.outcome === 'failed' ? 'failed' : 'could not start'}: ${b.error!.message}`));
	}
	if (role === 'B' && input.other) {
		const last = Date.parse(input.other.finishedAt);
		if ((now - last) / DAY > input.staleAfterDays) add(staleProblem('A', last, now, 'run'));
	}
	return [...found.values()];
}

function simple(id: string, keys: string[], title: string, text: string): Problem {
	return { id, persistent: true, count: 1, keys, title, text, items: [] };
}

function staleProblem(side: Role, last: number, now: number, what: 'run' | 'finished a run'): Problem {
	const days = Math.floor((now - last) / DAY);
	const title = `${side} has not ${what} for ${count(days, 'day')}`;
	const hint = side === 'B'
		? "Is the NAS on and Equilybrium's package running, and does the sync tool bring B's files to this folder?"
		: "Is the PC's scheduled task running, and does the sync tool bring A's files to the NAS?";
	// keyed by the last run: the same silence is told once, a new one (after a run) again
	return { id: `stale:${side}`, persistent: true, count: 1, keys: [new Date(last).toISOString()], title, text: `${title}: its last run ended ${humanTime(last)}. ${hint}`, items: [] };
}

function itemLines(keys: string[], total: number, log: string): string[] {
	const lines = keys.slice(0, MESSAGE_FILES);
	if (total > lines.length) lines.push(`… and ${thousands(total - lines.length)} more in ${log}`);
	return lines;
}

function compose(kind: MessageKind, input: NotifyInput, problems: Problem[], fresh: Problem[]): Message {
	const { record } = input;
	const v = record.verdict;
	const level = problems.length > 0 ? 'problem' : 'ok';
	let verdict: string;
	if (problems.length > 0) {
		const named = (kind === 'problem' ? fresh : problems).map((p) => p.title);
		verdict = named.slice(0, 2).join('; ') + (named.length > 2 ? ` (and ${named.length - 2} more)` : '');
		if (kind === 'reminder') verdict = `still: ${verdict}`;
	} else if (v) {
		verdict = v.headline.replace(/\.$/, '') || 'BACKUP OK';
	} else {
		verdict = `all is well on ${record.role} — ${count(record.files, 'file')} checked${record.firstRun ? ' (first run)' : ', no problems'}`;
	}
	if (kind === 'resolved') verdict = `all is well again — ${verdict}`;
	const title = `Equilybrium: ${verdict}`;

	const lines = [title, ''];
	if (problems.length > 0) {
		lines.push('What needs you:');
		for (const p of problems) {
			const note = kind !== 'problem' || fresh.includes(p) ? '' : ' (told before)';
			lines.push(`  - ${p.text}${note}`);
			for (const item of p.items) lines.push(`      ${item}`);
		}
		lines.push('');
	}
	if (v) {
		lines.push(`A versus B: ${v.headline}`);
		const parts = VERDICT_COUNTS.filter((c) => c !== 'outdatedOnB' || v.counts[c] > 0).map((c) => `${VERDICT_LABEL[c]} ${thousands(v.counts[c])}`);
		lines.push(`Files: ${parts.join(' · ')}.`);
	}
	lines.push(runLine(record));
	// B alone has no report: its event logs are in the config folder
	const readMore = record.role === 'B' && input.summarySide ? input.configDir : join(input.configDir, REPORT_FILE);
	lines.push('', `More: ${readMore}`);
	const short = problems.length > 0 ? problems.map((p) => p.title).join('; ') : (v?.headline ?? runLine(record));
	return { kind, level, title, body: lines.join('\n') + '\n', short, readMore };
}

function runLine(r: RunRecord): string {
	const when = humanTime(Date.parse(r.finishedAt));
	if (r.outcome === 'failed' || r.outcome === 'bad-config') return `This run: ${r.role}, ${when}, did not complete (exit ${r.exitCode}).`;
	const changes = EVENT_TYPES.filter((t) => r.counts[t] > 0).map((t) => `${thousands(r.counts[t])} ${t}`);
	return `This run: ${r.role}, ${when}, ${count(r.files, 'file')} (${humanBytes(r.bytes)}), ${changes.length ? changes.join(', ') : r.firstRun ? 'first run' : 'no changes'}.`;
}
