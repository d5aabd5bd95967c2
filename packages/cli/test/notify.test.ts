// Notifications delivered for real: the built CLI sends to HTTP and SMTP servers this test
// starts, to a stand-in synodsmnotify in a simulated DSM tree, and to a stand-in PowerShell.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { testMessage, type Message } from '@equilybrium/core';
import { headerText } from '../src/notify/webhook.ts';
import { powershellPath, toastCall, toastXml, TOAST_SCRIPT } from '../src/notify/desktop-windows.ts';
import { dsmNotifyArgs } from '../src/notify/desktop-dsm.ts';
import { corruptInPlace, removeDir, tempDir, writeConfig, writeTree } from '../../core/test/util/tree.ts';
import { closedPort, header, makeCertificate, runCliAsync, startSilent, startSmtp, startWebhook } from './util/servers.ts';

const record = (cfg: string, role: 'A' | 'B') => JSON.parse(readFileSync(join(cfg, `equilybrium.${role}.last-run.json`), 'utf8'));

/** A config folder for B alone with this [Notifications] section; no desktop unless asked. */
function setup(notifications: string): { dir: string; cfg: string } {
	const dir = tempDir();
	const cfg = join(dir, 'cfg');
	writeTree(join(dir, 'nas'), { 'docs/a.txt': 'alpha', 'docs/b.txt': 'beta' });
	writeConfig(cfg, { b: { Docs: join(dir, 'nas/docs') } });
	writeFileSync(join(cfg, 'equilybrium.config.ini'), readFileSync(join(cfg, 'equilybrium.config.ini'), 'utf8') + `\n[Notifications]\n${notifications}\n`);
	return { dir, cfg };
}

/** Quoted-printable and RFC 2047 undone, enough to read what nodemailer wrote. */
function decodeMail(raw: string): { subject: string; body: string } {
	const [head, ...rest] = raw.split(/\r?\n\r?\n/);
	let body = rest.join('\n\n');
	if (/quoted-printable/i.test(head!)) {
		body = Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
	}
	const subject = (header(raw, 'Subject') ?? '').replace(/=\?UTF-8\?([QB])\?([^?]*)\?=\s*/gi, (_, enc: string, text: string) =>
		enc.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8')
			: Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
	return { subject, body: body.replace(/\r\n/g, '\n') };
}

const NO_DESKTOP = { EQUILYBRIUM_DESKTOP: 'none' };

// ---

const webhook = suite('Webhook: an HTTP POST to a real local server');

webhook('notify --test: POST, text/plain UTF-8, the verdict in Title, the message as body; exit 0', async () => {
	const server = await startWebhook();
	const { dir, cfg } = setup(`Webhook = ${server.url}`);
	const r = await runCliAsync(['notify', '--test', '--config', cfg, '--role', 'B'], NO_DESKTOP);
	assert.is(r.status, 0, r.stderr);
	assert.is(r.stdout, 'webhook: delivered (HTTP 200)\n');
	assert.is(server.received.length, 1);
	const [got] = server.received;
	assert.is(got!.method, 'POST');
	assert.is(got!.url, '/backup-topic');
	assert.is(got!.headers['content-type'], 'text/plain; charset=utf-8');
	assert.is(got!.headers.title, 'Equilybrium: test message');
	assert.is(got!.body, testMessage('B', cfg).body);
	assert.ok(got!.body.startsWith('Equilybrium: test message\n'));
	await server.close();
	removeDir(dir);
});

webhook('notify --test --json; a server answering 500 is exit 1 with what it said', async () => {
	const server = await startWebhook({ status: 500 });
	const { dir, cfg } = setup(`Webhook = ${server.url}`);
	const r = await runCliAsync(['notify', '--test', '--config', cfg, '--json'], NO_DESKTOP);
	assert.is(r.status, 1);
	assert.equal(JSON.parse(r.stdout), { channels: [{ channel: 'webhook', ok: false, detail: 'HTTP 500 Internal Server Error: {"error":"topic is full"}' }] });
	await server.close();
	removeDir(dir);
});

webhook('a run with a corrupted file: one message naming it; the record says delivered; nothing new next run, no message', async () => {
	const server = await startWebhook();
	const { dir, cfg } = setup(`Webhook = ${server.url}`);
	assert.is((await runCliAsync(['run', '--config', cfg, '--role', 'B'], NO_DESKTOP)).status, 0);
	assert.is(server.received.length, 0, 'a first run with nothing wrong says nothing');
	corruptInPlace(join(dir, 'nas/docs/b.txt'), 'bet4');
	const r = await runCliAsync(['run', '--config', cfg, '--role', 'B'], NO_DESKTOP);
	assert.is(r.status, 1);
	assert.is(server.received.length, 1);
	const got = server.received[0]!;
	assert.is(got.headers.title, 'Equilybrium: 1 file corrupted on B');
	assert.match(got.body, /^Equilybrium: 1 file corrupted on B\n\nWhat needs you:\n {2}- 1 file corrupted on B: changed on B without being edited/);
	assert.match(got.body, /\n {6}Docs\/b\.txt\n/);
	assert.match(got.body, /This run: B, .* 2 files \(9 B\), 1 FileCorrupted\./);
	assert.equal(record(cfg, 'B').notifications, [{ channel: 'webhook', ok: true, detail: 'HTTP 200' }]);
	assert.is((await runCliAsync(['run', '--config', cfg, '--role', 'B'], NO_DESKTOP)).status, 0);
	assert.is(server.received.length, 1, 'nothing new: no second message');
	assert.is(record(cfg, 'B').notifications, undefined);
	await server.close();
	removeDir(dir);
});

webhook('a server that never answers: the run ends in seconds, exit code unchanged, the record says failed', async () => {
	const server = await startWebhook({ hang: true });
	const { dir, cfg } = setup(`Notify = always\nWebhook = ${server.url}`);
	const r = await runCliAsync(['run', '--config', cfg, '--role', 'B'], NO_DESKTOP, 30_000);
	assert.is(r.status, 0, 'the run is not failed by its notification');
	assert.equal(record(cfg, 'B').notifications, [{ channel: 'webhook', ok: false, detail: 'no answer within 5 s' }]);
	assert.match(r.stderr, /warning: the webhook notification failed: no answer within 5 s/);
	assert.is(server.received.length, 1, 'the request did reach it');
	await server.close();
	removeDir(dir);
});

webhook('connection refused: notify --test exit 1', async () => {
	const port = await closedPort();
	const { dir, cfg } = setup(`Webhook = http://127.0.0.1:${port}/x`);
	const r = await runCliAsync(['notify', '--test', '--config', cfg], NO_DESKTOP);
	assert.is(r.status, 1);
	assert.is(r.stdout, 'webhook: failed: connection refused (ECONNREFUSED)\n');
	removeDir(dir);
});

webhook('no channel set: exit 2 and what to add', async () => {
	const { dir, cfg } = setup('Notify = problems');
	const r = await runCliAsync(['notify', '--test', '--config', cfg, '--json'], NO_DESKTOP);
	assert.is(r.status, 2);
	assert.equal(JSON.parse(r.stdout), { channels: [] });
	assert.match(r.stderr, /\[Notifications\] sets no channel this machine can use: add "Webhook = https:\/\/…"/);
	removeDir(dir);
});

webhook('Title is ASCII (dashes made plain) or RFC 2047 when it must be', () => {
	assert.is(headerText('Equilybrium: BACKUP OK — all 3 files'), 'Equilybrium: BACKUP OK - all 3 files');
	assert.is(headerText('Equilybrium: 1 file corrupted on B'), 'Equilybrium: 1 file corrupted on B');
	const encoded = headerText('Équilybrium: Zoë');
	assert.is(encoded, `=?UTF-8?B?${Buffer.from('Équilybrium: Zoë').toString('base64')}?=`);
	assert.is(headerText('a\r\nInjected: yes'), 'a Injected: yes', 'no header injection');
});

webhook.run();

// ---

const mail = suite('Email: SMTP to a real local server (smtp-server)');
let certDir = '';
let tls: ReturnType<typeof makeCertificate>;
mail.before(() => {
	certDir = tempDir('eq-cert-');
	tls = makeCertificate(certDir);
});
mail.after(() => removeDir(certDir));

mail('STARTTLS offered and taken, AUTH with the password from the environment; subject, from, to, body', async () => {
	const smtp = await startSmtp({ tls, password: 's3cret pass' });
	const { dir, cfg } = setup(`Email = ["me@example.com", "you@example.org"]\nSMTP = smtp://backup%40example.com@127.0.0.1:${smtp.port}`);
	const r = await runCliAsync(['notify', '--test', '--config', cfg, '--role', 'A'], { ...NO_DESKTOP, NODE_EXTRA_CA_CERTS: tls.certFile, EQUILYBRIUM_SMTP_PASSWORD: 's3cret pass' });
	assert.is(r.status, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /^email: delivered \(accepted by 127\.0\.0\.1: 250 /);
	assert.equal(smtp.logins, [{ user: 'backup@example.com', pass: 's3cret pass', secure: true }], 'logged in after STARTTLS');
	assert.is(smtp.mails.length, 1);
	const m = smtp.mails[0]!;
	assert.ok(m.secure, 'sent over TLS');
	assert.is(m.from, 'backup@example.com');
	assert.equal(m.to, ['me@example.com', 'you@example.org']);
	assert.is(header(m.raw, 'Subject'), 'Equilybrium: test message');
	assert.is(header(m.raw, 'From'), 'Equilybrium <backup@example.com>');
	assert.is(header(m.raw, 'To'), 'me@example.com, you@example.org');
	assert.match(header(m.raw, 'Content-Type')!, /^text\/plain; charset=utf-8/);
	assert.is(decodeMail(m.raw).body.trimEnd(), testMessage('A', cfg).body.trimEnd());
	await smtp.close();
	removeDir(dir);
});

mail('the certificate is checked: one the client does not trust fails the delivery', async () => {
	const smtp = await startSmtp({ tls, password: 'pw' });
	const { dir, cfg } = setup(`Email = me@example.com\nSMTP = smtp://me@127.0.0.1:${smtp.port}`);
	const r = await runCliAsync(['notify', '--test', '--config', cfg, '--json'], { ...NO_DESKTOP, EQUILYBRIUM_SMTP_PASSWORD: 'pw' });
	assert.is(r.status, 1);
	const [d] = JSON.parse(r.stdout).channels;
	assert.is(d.ok, false);
	assert.match(d.detail, /self[- ]signed certificate/i);
	assert.is(smtp.mails.length, 0);
	await smtp.close();
	removeDir(dir);
});

mail('the password from the machine-local file; none at all names both places', async () => {
	const smtp = await startSmtp({ tls, password: 'from-file' });
	const { dir, cfg } = setup(`Email = me@example.com\nSMTP = smtp://me@127.0.0.1:${smtp.port}`);
	const state = join(dir, 'state');
	mkdirSync(state);
	const env = { ...NO_DESKTOP, NODE_EXTRA_CA_CERTS: tls.certFile, EQUILYBRIUM_STATE_DIR: state, EQUILYBRIUM_SMTP_PASSWORD: '' };
	const none = await runCliAsync(['notify', '--test', '--config', cfg], env);
	assert.is(none.status, 1);
	assert.is(none.stdout, `email: failed: no password for me: set EQUILYBRIUM_SMTP_PASSWORD, or write it in ${join(state, 'smtp-password')}\n`);
	writeFileSync(join(state, 'smtp-password'), 'from-file\n');
	const r = await runCliAsync(['notify', '--test', '--config', cfg], env);
	assert.is(r.status, 0, r.stdout);
	assert.equal(smtp.logins.map((l) => l.pass), ['from-file']);
	await smtp.close();
	removeDir(dir);
});

mail('a server that refuses the recipient (550): failed, with what it said', async () => {
	const smtp = await startSmtp({ tls, refuse: true });
	const { dir, cfg } = setup(`Email = nobody@example.com\nSMTP = smtp://127.0.0.1:${smtp.port}`);
	const r = await runCliAsync(['notify', '--test', '--config', cfg, '--json'], { ...NO_DESKTOP, NODE_EXTRA_CA_CERTS: tls.certFile });
	assert.is(r.status, 1);
	const [d] = JSON.parse(r.stdout).channels;
	assert.equal([d.channel, d.ok], ['email', false]);
	assert.match(d.detail, /^the server said 550 5\.1\.1 <nobody@example\.com>: mailbox unavailable/);
	await smtp.close();
	removeDir(dir);
});

mail('connection refused, and a server that never greets: both fail within seconds, the run unharmed', async () => {
	const port = await closedPort();
	const silent = await startSilent();
	const refused = setup(`Email = me@example.com\nSMTP = smtp://127.0.0.1:${port}`);
	const r1 = await runCliAsync(['notify', '--test', '--config', refused.cfg, '--json'], NO_DESKTOP);
	assert.is(r1.status, 1);
	assert.match(JSON.parse(r1.stdout).channels[0].detail, /ECONNREFUSED/);
	const hanging = setup(`Notify = always\nEmail = me@example.com\nSMTP = smtp://127.0.0.1:${silent.port}`);
	const r2 = await runCliAsync(['run', '--config', hanging.cfg, '--role', 'B'], NO_DESKTOP, 30_000);
	assert.is(r2.status, 0);
	const [d] = record(hanging.cfg, 'B').notifications;
	assert.equal([d.channel, d.ok], ['email', false]);
	assert.match(d.detail, /timeout|within 5 s/i);
	await silent.close();
	removeDir(refused.dir);
	removeDir(hanging.dir);
});

mail("a run's message by mail: the verdict as subject, the files named in the body", async () => {
	const smtp = await startSmtp({ tls });
	const { dir, cfg } = setup(`Email = me@example.com\nSMTP = smtp://127.0.0.1:${smtp.port}`);
	writeTree(join(dir, 'nas/docs'), { 'Zoë’s notes.txt': 'x' });
	const env = { ...NO_DESKTOP, NODE_EXTRA_CA_CERTS: tls.certFile };
	assert.is((await runCliAsync(['run', '--config', cfg, '--role', 'B'], env)).status, 0);
	corruptInPlace(join(dir, 'nas/docs/Zoë’s notes.txt'), 'y');
	assert.is((await runCliAsync(['run', '--config', cfg, '--role', 'B'], env)).status, 1);
	assert.is(smtp.mails.length, 1);
	const { subject, body } = decodeMail(smtp.mails[0]!.raw);
	assert.is(subject, 'Equilybrium: 1 file corrupted on B');
	assert.match(body, /\n {6}Docs\/Zoë’s notes\.txt\n/);
	assert.ok(smtp.mails[0]!.secure, 'STARTTLS taken without being asked for');
	await smtp.close();
	removeDir(dir);
});

mail.run();

// ---

const desktop = suite('Desktop: the exact calls, and stand-ins that record them');

const MESSAGE: Message = { kind: 'problem', level: 'problem', title: 'Equilybrium: 1 file corrupted on B', body: 'x', short: '1 file corrupted on B & <1> "quoted"', readMore: 'C:\\Sync\\equilybrium.report.txt' };

desktop('Windows: Windows PowerShell 5.1 by its full path, hidden, a constant script, the toast in the environment', () => {
	const call = toastCall(MESSAGE, { SystemRoot: 'C:\\WINDOWS' });
	assert.is(call.command, 'C:\\WINDOWS\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
	assert.equal(call.args, ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-WindowStyle', 'Hidden', '-Command', TOAST_SCRIPT]);
	assert.is(
		TOAST_SCRIPT,
		"$ErrorActionPreference = 'Stop'; " +
			'[void][Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]; ' +
			'[void][Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime]; ' +
			'$xml = New-Object Windows.Data.Xml.Dom.XmlDocument; ' +
			'$xml.LoadXml($env:EQUILYBRIUM_TOAST_XML); ' +
			'$toast = New-Object Windows.UI.Notifications.ToastNotification $xml; ' +
			'[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($env:EQUILYBRIUM_TOAST_APP).Show($toast)',
	);
	assert.not.match(TOAST_SCRIPT, /"/, 'no double quote for Windows command-line quoting to mangle');
	assert.is(call.env.EQUILYBRIUM_TOAST_APP, 'Equilybrium.Monitor');
	assert.is(
		call.env.EQUILYBRIUM_TOAST_XML,
		'<toast activationType="protocol" launch="equilybrium:open-report" scenario="reminder"><visual><binding template="ToastGeneric">' +
			'<text>1 file corrupted on B</text><text>1 file corrupted on B &amp; &lt;1&gt; &quot;quoted&quot;</text><text placement="attribution">Equilybrium</text>' +
			'</binding></visual><actions><action content="Open the report" activationType="protocol" arguments="equilybrium:open-report"/>' +
			'<action content="Dismiss" activationType="system" arguments="dismiss"/></actions></toast>',
	);
	assert.is(powershellPath({}), 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
	assert.not.match(toastXml({ ...MESSAGE, level: 'ok' }), /scenario=/, 'an all-is-well toast goes away by itself');
});

desktop('DSM: synodsmnotify -c <the app id> @administrators, i18n keys, the text as {0}', () => {
	assert.equal(dsmNotifyArgs(MESSAGE), ['-c', 'SYNO.SDS.Equilybrium.Application', '@administrators', 'equilybrium:notify:title', 'equilybrium:notify:msg', '1 file corrupted on B — 1 file corrupted on B & <1> "quoted"']);
});

/** A stand-in program that records its arguments (one a line) and chosen environment, then exits with `code`. */
function standIn(path: string, log: string, code: number): void {
	writeFileSync(path, `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${log}'\nprintf '%s' "$EQUILYBRIUM_TOAST_XML" > '${log}.xml'\n${code ? `echo 'refused: not allowed' >&2\n` : ''}exit ${code}\n`);
	chmodSync(path, 0o755);
}

desktop('DSM, in a simulated DSM tree: a run calls /usr/syno/bin/synodsmnotify when the daemon says EQUILYBRIUM_DESKTOP=dsm', async () => {
	const { dir, cfg } = setup('Notify = always');
	const root = join(dir, 'dsm');
	mkdirSync(join(root, 'usr/syno/bin'), { recursive: true });
	const log = join(dir, 'synodsmnotify.args');
	standIn(join(root, 'usr/syno/bin/synodsmnotify'), log, 0);
	const env = { EQUILYBRIUM_DESKTOP: 'dsm', EQUILYBRIUM_DSM_ROOT: root };
	assert.is((await runCliAsync(['run', '--config', cfg, '--role', 'B'], env)).status, 0);
	const args = readFileSync(log, 'utf8').trimEnd().split('\n');
	assert.equal(args.slice(0, 5), ['-c', 'SYNO.SDS.Equilybrium.Application', '@administrators', 'equilybrium:notify:title', 'equilybrium:notify:msg']);
	assert.match(args[5]!, /^all is well on B — 2 files checked \(first run\) — /);
	assert.equal(record(cfg, 'B').notifications, [{ channel: 'desktop', ok: true, detail: 'DSM notification sent to the administrators' }]);
	// DSM refusing the package user: recorded, the run unharmed
	standIn(join(root, 'usr/syno/bin/synodsmnotify'), log, 1);
	assert.is((await runCliAsync(['run', '--config', cfg, '--role', 'B'], env)).status, 0);
	assert.equal(record(cfg, 'B').notifications, [{ channel: 'desktop', ok: false, detail: "synodsmnotify exited with 1: refused: not allowed (DSM may not let a package's own user notify)" }]);
	// without the daemon's word, a Linux run has no desktop to notify
	assert.is((await runCliAsync(['run', '--config', cfg, '--role', 'B'], { EQUILYBRIUM_DSM_ROOT: root })).status, 0);
	assert.is(record(cfg, 'B').notifications, undefined);
	removeDir(dir);
});

desktop('Windows, run on this OS with a stand-in at the PowerShell path: the arguments and the toast arrive intact', async () => {
	const { dir, cfg } = setup('Notify = always');
	// on Linux the Windows path is one file name with backslashes in it: the stand-in is put there
	const systemRoot = join(dir, 'Windows');
	const log = join(dir, 'powershell.args');
	standIn(powershellPath({ SystemRoot: systemRoot }), log, 0);
	const r = await runCliAsync(['run', '--config', cfg, '--role', 'B'], { EQUILYBRIUM_DESKTOP: 'windows', SystemRoot: systemRoot });
	assert.is(r.status, 0, r.stderr);
	assert.equal(readFileSync(log, 'utf8').trimEnd().split('\n'), ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-WindowStyle', 'Hidden', '-Command', TOAST_SCRIPT]);
	assert.match(readFileSync(log + '.xml', 'utf8'), /^<toast activationType="protocol" launch="equilybrium:open-report"><visual><binding template="ToastGeneric"><text>all is well on B — 2 files checked \(first run\)<\/text>/);
	assert.equal(record(cfg, 'B').notifications, [{ channel: 'desktop', ok: true, detail: 'Windows notification shown' }]);
	removeDir(dir);
});

desktop.run();

const click = suite('open-report: what a click on the toast runs');

click("opens the config folder's report with the desktop's program, whatever the URI says", async () => {
	const dir = tempDir();
	const bin = join(dir, 'bin');
	mkdirSync(bin);
	const log = join(dir, 'xdg-open.args');
	standIn(join(bin, 'xdg-open'), log, 0);
	const cfg = join(dir, 'cfg');
	mkdirSync(cfg);
	const env = { PATH: `${bin}:${process.env.PATH}` };
	const none = await runCliAsync(['open-report', '--config', cfg, 'equilybrium:open-report'], env);
	assert.is(none.status, 3);
	assert.match(none.stderr, /equilybrium\.report\.txt: no report yet/);
	writeFileSync(join(cfg, 'equilybrium.report.txt'), '=== report ===\n');
	const r = await runCliAsync(['open-report', '--config', cfg, 'equilybrium:open-report?path=C:\\Windows\\evil.exe'], env);
	assert.is(r.status, 0, r.stderr);
	// the opener is left running on its own: wait for its record (written by its first line)
	for (let i = 0; i < 100 && !(existsSync(log + '.xml')); i++) await new Promise((res) => setTimeout(res, 100));
	assert.equal(readFileSync(log, 'utf8').trimEnd().split('\n'), [join(cfg, 'equilybrium.report.txt')]);
	removeDir(dir);
});

click.run();
