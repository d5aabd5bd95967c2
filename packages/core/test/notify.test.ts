import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {

	emptyCounts,
	parseConfig,
	planNotification,
	NOTIFICATION_DEFAULTS,
	type Delivery,
	type NotifyInput,
	type NotifyState,
	type RunRecord,
	type RunVerdict,
} from '../src/index.ts';
// times in messages are local with their offset: this file reads them in UTC
process.env.TZ = 'UTC';

const DAY = 86_400_000;
const T0 = Date.parse('2026-01-01T03:00:00Z');
const at = (day: number, hours = 0) => T0 + (day - 1) * DAY + hours * 3_600_000;
const WEBHOOK_OK: Delivery[] = [{ channel: 'webhook', ok: true, detail: 'HTTP 200' }];

function record(role: 'A' | 'B', when: number, extra: Partial<RunRecord> = {}): RunRecord {
	return {
		version: 1, role, toolVersion: 'test', startedAt: new Date(when - 1000).toISOString(), finishedAt: new Date(when).toISOString(), durationMs: 1000,
		exitCode: 0, outcome: 'ok', folders: 1, files: 10, bytes: 1000, hashedFiles: 10, hashedBytes: 1000, firstRun: false, counts: emptyCounts(), ...extra,
	};
}

function verdict(extra: Partial<RunVerdict> = {}, counts: Partial<RunVerdict['counts']> = {}): RunVerdict {
	return {
		status: 'ok', b: 'ok', bLastRunAt: new Date(T0).toISOString(), atRisk: { files: 0, bytes: 0 }, headline: 'BACKUP OK — all 10 files (1000 B) on A have a correct copy on B.',
		counts: { backedUp: 10, pending: 0, missingOnB: 0, outdatedOnB: 0, corruptedOnB: 0, corruptedOnA: 0, onlyOnB: 0, ...counts }, ...extra,
	};
}

function input(rec: RunRecord, extra: Partial<NotifyInput> = {}): NotifyInput {
	return {
		settings: { ...NOTIFICATION_DEFAULTS, webhook: 'http://x/' }, staleAfterDays: 3, record: rec, summarySide: rec.role === 'A',
		findings: { events: {}, verdicts: {} }, configDir: '/cfg', now: Date.parse(rec.finishedAt), ...extra,
	};
}

// ---

const policy = suite('when a message goes out (Notify = problems, always, never)');

policy('problems: an all-OK first run says nothing, and starts the reminder clock', () => {
	const plan = planNotification(input(record('A', at(1), { verdict: verdict() })));
	assert.is(plan.message, undefined);
	assert.is(plan.next([]).lastSummaryAt, new Date(at(1)).toISOString());
});

policy('always: the OK summary with the verdict in its first line', () => {
	const rec = record('A', at(1), { verdict: verdict() });
	const plan = planNotification(input(rec, { settings: { ...NOTIFICATION_DEFAULTS, notify: 'always', webhook: 'http://x/' } }));
	assert.is(plan.message?.kind, 'summary');
	assert.is(plan.message?.level, 'ok');
	assert.is(plan.message?.title, 'Equilybrium: BACKUP OK — all 10 files (1000 B) on A have a correct copy on B');
	assert.is(plan.message?.body.split('\n')[0], plan.message?.title);
	assert.match(plan.message!.body, /Files: backed up 10 · waiting for sync 0 · missing on B 0 · corrupted on B 0/);
	assert.match(plan.message!.body, /More: \/cfg\/equilybrium\.report\.txt/);
});

policy('never: not even a failure', () => {
	const rec = record('A', at(1), { exitCode: 3, outcome: 'failed', error: { code: 'E_LOCKED', message: 'locked' } });
	assert.is(planNotification(input(rec, { settings: { ...NOTIFICATION_DEFAULTS, notify: 'never', webhook: 'http://x/' } })).message, undefined);
});

policy('files at risk: named with where they are on B, counted past the first few', () => {
	const rec = record('A', at(2), { exitCode: 1, outcome: 'found', verdict: verdict({ status: 'at-risk', atRisk: { files: 7, bytes: 70 }, headline: 'ACTION NEEDED — 7 files (70 B) at risk: 7 corrupted on B. See "What to do" below.' }, { corruptedOnB: 7 }) });
	const samples = Array.from({ length: 7 }, (_, i) => ({ key: `Docs/f${i}.txt`, identity: `docs/f${i}.txt`, where: `/volume1/docs/f${i}.txt` }));
	const plan = planNotification(input(rec, { findings: { events: {}, verdicts: { corruptedOnB: samples } } }));
	const m = plan.message!;
	assert.is(m.kind, 'problem');
	assert.is(m.title, 'Equilybrium: 7 files corrupted on B');
	assert.match(m.body, /7 files corrupted on B: B's copy changed without being edited \(bit rot\); A's copy is intact: copy it to B again\./);
	assert.match(m.body, /\n {6}Docs\/f0\.txt \(on B: \/volume1\/docs\/f0\.txt\)\n/);
	assert.match(m.body, /Docs\/f4\.txt/);
	assert.not.match(m.body, /Docs\/f5\.txt/);
	assert.match(m.body, /… and 2 more: see the report/);
	assert.match(m.body, /A versus B: ACTION NEEDED/);
});

policy('a failed run is a problem; the same failure again is not said twice; a good run after it says so', () => {
	const failed = (day: number) => record('B', at(day), { exitCode: 3, outcome: 'failed', error: { code: 'E_DB_CORRUPT', message: 'equilybrium.B.DB.json: has no seal' } });
	const first = planNotification(input(failed(1)));
	assert.is(first.message?.title, "Equilybrium: B's run failed");
	assert.match(first.message!.body, /B's run failed: equilybrium\.B\.DB\.json: has no seal/);
	const state = first.next(WEBHOOK_OK);
	assert.is(planNotification(input(failed(2), { state })).message, undefined);
	const fixed = planNotification(input(record('B', at(3)), { state: planNotification(input(failed(2), { state })).next([]) }));
	assert.is(fixed.message?.kind, 'resolved');
	assert.match(fixed.message!.title, /^Equilybrium: all is well again/);
});

policy('a message no channel delivered is tried again next run', () => {
	const rec = record('B', at(1), { exitCode: 1, outcome: 'found', counts: { ...emptyCounts(), FileUnreadable: 1 } });
	const findings = { events: { FileUnreadable: ['docs/locked.pst'] }, verdicts: {} };
	const first = planNotification(input(rec, { findings }));
	assert.ok(first.message);
	const state = first.next([{ channel: 'webhook', ok: false, detail: 'connection refused' }]);
	assert.ok(planNotification(input(record('B', at(2), rec), { findings, state, now: at(2) })).message, 'again');
	const told = planNotification(input(record('B', at(2), rec), { findings, state: first.next(WEBHOOK_OK), now: at(2) }));
	assert.is(told.message, undefined, 'the same unreadable file every night is told once');
});

policy('a new file at risk is news even when the count stays', () => {
	const rec = (key: string) => record('A', at(2), { exitCode: 1, outcome: 'found', verdict: verdict({ status: 'at-risk' }, { missingOnB: 1 }) });
	const f = (key: string) => ({ events: {}, verdicts: { missingOnB: [{ key, identity: key }] } });
	const state = planNotification(input(rec('a'), { findings: f('a.txt') })).next(WEBHOOK_OK);
	assert.is(planNotification(input(rec('a'), { findings: f('a.txt'), state })).message, undefined);
	assert.match(planNotification(input(rec('b'), { findings: f('b.txt'), state })).message!.body, /b\.txt/);
});

policy.run();

// ---

const sides = suite('two sides, one person');

sides('what B told through the webhook, A does not repeat; what B showed only on its own desktop, A does', () => {
	const bRun = record('B', at(2, -1), { exitCode: 1, outcome: 'found', counts: { ...emptyCounts(), FileCorrupted: 1 } });
	const bPlan = planNotification(input(bRun, { findings: { events: { FileCorrupted: ['docs/2023.txt'] }, verdicts: {} } }));
	assert.is(bPlan.message?.title, 'Equilybrium: 1 file corrupted on B');
	assert.match(bPlan.message!.body, /docs\/2023\.txt/);
	const aRun = record('A', at(2), { exitCode: 1, outcome: 'found', verdict: verdict({ status: 'at-risk' }, { corruptedOnB: 1 }) });
	const findings = { events: {}, verdicts: { corruptedOnB: [{ key: 'Documents/2023.txt', identity: 'docs/2023.txt' }] } };
	assert.is(planNotification(input(aRun, { findings, otherState: bPlan.next(WEBHOOK_OK) })).message, undefined);
	const desktopOnly = bPlan.next([{ channel: 'desktop', ok: true }]);
	assert.is(planNotification(input(aRun, { findings, otherState: desktopOnly })).message?.kind, 'problem');
});

sides('A says "B has not run for 3 days" once, when B is past Stale after', () => {
	const aRun = (day: number) => record('A', at(day), { exitCode: 1, outcome: 'found', verdict: verdict({ status: 'not-verified', b: 'stale', bLastRunAt: new Date(at(1, -1)).toISOString() }) });
	const plan = planNotification(input(aRun(4)));
	assert.is(plan.message?.title, 'Equilybrium: B has not run for 3 days');
	assert.is(planNotification(input(aRun(5), { state: plan.next(WEBHOOK_OK) })).message, undefined);
});

sides("B says when A's last run is older than Stale after", () => {
	const other = record('A', at(1));
	assert.is(planNotification(input(record('B', at(4, -1)), { other })).message, undefined, '2 days 23 hours');
	const plan = planNotification(input(record('B', at(5)), { other }));
	assert.is(plan.message?.title, 'Equilybrium: A has not run for 4 days');
	assert.match(plan.message!.body, /its last run ended 2026-01-01 03:00 \+00:00/);
});

sides("A tells B's failed run, which B's own webhook message already told", () => {
	const bFailed = record('B', at(2, -1), { exitCode: 3, outcome: 'failed', error: { code: 'E_LOCKED', message: 'another run holds the lock' } });
	const bState = planNotification(input(bFailed)).next(WEBHOOK_OK);
	const aRun = record('A', at(2), { verdict: verdict() });
	assert.is(planNotification(input(aRun, { other: bFailed, otherState: bState })).message, undefined);
	assert.is(planNotification(input(aRun, { other: bFailed })).message?.title, "Equilybrium: B's run failed");
});

sides.run();

// ---

const reminders = suite('Remind OK every = N days');

reminders('one reminder N days after the clock started, problem messages do not restart it', () => {
	let state: NotifyState | undefined;
	const sent: string[] = [];
	for (let day = 1; day <= 15; day++) {
		const rec = record('A', at(day, (day % 3) * 0.1), { verdict: verdict() });
		const plan = planNotification(input(rec, { ...(state ? { state } : {}) }));
		if (plan.message) sent.push(`${day}:${plan.message.kind}`);
		state = plan.next(plan.message ? WEBHOOK_OK : []);
	}
	assert.equal(sent, ['8:reminder', '15:reminder']);
});

reminders('0 = never; B does not remind when A is there', () => {
	const settings = { ...NOTIFICATION_DEFAULTS, remindOkEveryDays: 0, webhook: 'http://x/' };
	const state: NotifyState = { version: 1, role: 'A', lastSummaryAt: new Date(at(1)).toISOString(), told: {} };
	assert.is(planNotification(input(record('A', at(30), { verdict: verdict() }), { settings, state })).message, undefined);
	assert.is(planNotification(input(record('B', at(30)), { state: { ...state, role: 'B' } })).message, undefined);
	assert.is(planNotification(input(record('B', at(30)), { state: { ...state, role: 'B' }, summarySide: true })).message?.kind, 'reminder');
});

reminders('a reminder while a problem stands says it is still there', () => {
	const state: NotifyState = { version: 1, role: 'A', lastSummaryAt: new Date(at(1)).toISOString(), told: { missingOnB: { count: 1, keys: ['a.txt'], at: '', persistent: true, shared: true } } };
	const rec = record('A', at(8), { exitCode: 1, outcome: 'found', verdict: verdict({ status: 'at-risk' }, { missingOnB: 1 }) });
	const plan = planNotification(input(rec, { state, findings: { events: {}, verdicts: { missingOnB: [{ key: 'a.txt', identity: 'a.txt' }] } } }));
	assert.is(plan.message?.kind, 'reminder');
	assert.is(plan.message?.title, 'Equilybrium: still: 1 file missing on B');
	assert.is(plan.next(WEBHOOK_OK).lastSummaryAt, new Date(at(8)).toISOString());
});

reminders('a stopped run tells nothing and changes nothing', () => {
	const state: NotifyState = { version: 1, role: 'A', lastSummaryAt: new Date(at(1)).toISOString(), told: {} };
	const plan = planNotification(input(record('A', at(20), { exitCode: 3, outcome: 'stopped' }), { state }));
	assert.is(plan.message, undefined);
	assert.is(plan.next([]), state);
});

reminders.run();

// ---

const config = suite('[Notifications] in the config');

const base = '[Settings]\nA = pc\n\n[Monitored Directories]\nA = ["/data"]\n\n[Notifications]\n';
const parse = (lines: string) => parseConfig(base + lines, '/cfg/equilybrium.config.ini', '/cfg');
const refused = (lines: string, message: RegExp) => {
	try {
		parse(lines);
	} catch (error) {
		assert.match((error as Error).message, message);
		return;
	}
	assert.unreachable(`accepted: ${lines}`);
};

config('defaults: problems, a reminder every 7 days, stale after 3, desktop on, no webhook or mail', () => {
	const c = parseConfig('[Settings]\nA = pc\n[Monitored Directories]\nA = ["/data"]\n', '/cfg/equilybrium.config.ini');
	assert.equal(c.notifications, { notify: 'problems', remindOkEveryDays: 7, email: [], desktop: true });
	assert.is(c.staleAfterDays, 3);
	assert.equal(c.warnings, []);
});

config('every key, as SPEC §11 writes them', () => {
	const c = parse('Notify = Always\nRemind OK every = 14 days\nStale after = 2\nWebhook = https://ntfy.sh/my-backups\nEmail = ["me@example.com", "you@example.org"]\nSMTP = smtp://me@mail.example.com\nDesktop = no\n');
	assert.equal(c.notifications, {
		notify: 'always', remindOkEveryDays: 14, webhook: 'https://ntfy.sh/my-backups', email: ['me@example.com', 'you@example.org'],
		smtp: { secure: false, host: 'mail.example.com', port: 587, user: 'me' }, desktop: false,
	});
	assert.is(c.staleAfterDays, 2);
	assert.equal(parse('Email = me@example.com\nSMTP = smtps://mail.example.com\n').notifications.smtp, { secure: true, host: 'mail.example.com', port: 465 });
	assert.is(parse('Remind_OK_every = 0').notifications.remindOkEveryDays, 0, 'underscores as the original wrote keys');
});

config('[Settings] Stale after days still counts; [Notifications] Stale after wins', () => {
	assert.is(parseConfig('[Settings]\nStale after days = 5\n[Monitored Directories]\nA = ["/d"]\n', 'x.ini').staleAfterDays, 5);
	assert.is(parseConfig('[Settings]\nStale after days = 5\n[Monitored Directories]\nA = ["/d"]\n[Notifications]\nStale after = 2\n', 'x.ini').staleAfterDays, 2);
});

config('wrong values: file:line, the key and what was expected', () => {
	refused('Notify = sometimes', /^\/cfg\/equilybrium\.config\.ini:8: \[Notifications\] Notify: "sometimes" is not one of "problems", "always", "never"$/);
	refused('Remind OK every = weekly', /:8: \[Notifications\] Remind OK every: "weekly" is not a number of days; expected e\.g\. "7" \(0 = never\)$/);
	refused('Stale after = 0', /:8: \[Notifications\] Stale after: "0" is not a number of days/);
	refused('Webhook = ntfy.sh/topic', /:8: \[Notifications\] Webhook: "ntfy\.sh\/topic" is not a URL/);
	refused('Webhook = ftp://host/x', /:8: \[Notifications\] Webhook: "ftp:\/\/host\/x" is not an http:\/\/ or https:\/\/ URL/);
	refused('Email = me at example\nSMTP = smtp://h', /:8: \[Notifications\] Email: "me at example" is not an e-mail address/);
	refused('Email = ["a@b.c", 3]\nSMTP = smtp://h', /:8: \[Notifications\] Email: 3 is not an e-mail address/);
	refused('Email = me@example.com', /:8: \[Notifications\] Email: needs an SMTP server/);
	refused('Email = me@example.com\nSMTP = http://mail', /:9: \[Notifications\] SMTP: "http:\/\/mail" is not an smtp:\/\/ or smtps:\/\/ URL/);
	refused('Desktop = maybe', /:8: \[Notifications\] Desktop: "maybe" is not "yes" or "no"/);
});

config('a password in the SMTP URL is refused: the shared config is read by both machines and the sync tool', () => {
	refused('Email = me@example.com\nSMTP = smtp://me:secret@mail.example.com', /:9: \[Notifications\] SMTP: a password does not belong in the shared config .*EQUILYBRIUM_SMTP_PASSWORD/);
});

config('unknown keys are a warning, not an error', () => {
	assert.match(parse('Pager = 555').warnings.join('\n'), /:8: \[Notifications\] Pager: unknown key, ignored/);
});

config.run();

const merged = suite('one problem seen twice');

merged("A's rot as this run's event and as the verdict: one entry, in the verdict's words, each file once", () => {
	const rec = record('A', at(2), { exitCode: 1, outcome: 'found', counts: { ...emptyCounts(), FileCorrupted: 1 }, verdict: verdict({ status: 'at-risk' }, { corruptedOnA: 1 }) });
	const plan = planNotification(input(rec, { findings: { events: { FileCorrupted: ['Photos/m.jpg'] }, verdicts: { corruptedOnA: [{ key: 'Photos/m.jpg', identity: 'Photos/m.jpg', where: '/nas/photos/m.jpg' }] } } }));
	assert.is(plan.problems.length, 1);
	assert.is(plan.message!.title, 'Equilybrium: 1 file corrupted on A');
	assert.match(plan.message!.body, /A's copy changed without being edited \(bit rot\): restore it from B\.\n {6}Photos\/m\.jpg \(on B: \/nas\/photos\/m\.jpg\)\n\n/);
});

merged.run();
