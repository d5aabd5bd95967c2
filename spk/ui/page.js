'use strict';
// The settings page's script: everything it shows comes from api.cgi, everything a person
// types goes back to it, and the CGI checks it all again. Text from the NAS is only ever
// put in with textContent. Times are shown in the NAS's own time zone (the CGI says which),
// wherever the browser is.

var token = '';
var revision = '';
var clockInfo = { timeZone: null, offsetMinutes: 0 };
var serverNow = Date.now();
var loadedNotify = '';
var smtpPasswordSet = false;
var pollTimer = null;
var lastView = null;
var $ = function (id) { return document.getElementById(id); };

var EVENT_WORDS = { NewFile: 'new', FileModified: 'modified', FileCorrupted: 'corrupted', FileMovedOrRenamed: 'moved', FileNotFound: 'removed', HashCollision: 'hash collisions', FileUnreadable: 'unreadable', DuplicateFile: 'duplicates', ChangedSinceImport: 'changed since the import' };
var OUTCOME_WORDS = { ok: 'OK', found: 'Found problems', failed: 'Failed', stopped: 'Stopped', 'bad-config': 'Config error' };
var PHASE_WORDS = { listing: 'Listing the files', hashing: 'Reading and hashing', committing: 'Saving the database' };
var VERDICT_ICONS = { ok: '✓', warn: '!', risk: '✕', none: '?' };

// --- DSM session ---

// Inside DSM the session's SynoToken is on the DSM window; opened on its own, DSM's
// login.cgi hands it out for the current session.
async function getToken() {
	var frames = [window.parent, window.opener, window.top];
	for (var i = 0; i < frames.length; i++) {
		try {
			var t = frames[i] && frames[i] !== window && frames[i].SYNO.SDS.Session.SynoToken;
			if (t) return t;
		} catch (e) { /* another origin, or not DSM */ }
	}
	var response = await fetch('/webman/login.cgi', { credentials: 'same-origin' });
	return (await response.json()).SynoToken || '';
}

async function api(action, body) {
	var init = { method: body ? 'POST' : 'GET', credentials: 'same-origin', headers: { 'X-SYNO-TOKEN': token } };
	if (body) { init.headers['Content-Type'] = 'application/json'; init.body = JSON.stringify(body); }
	var response = await fetch('api.cgi?action=' + action, init);
	var data = {};
	try { data = await response.json(); } catch (e) { data = { error: 'the NAS answered ' + response.status }; }
	return { status: response.status, data: data };
}

// --- words and numbers ---

function thousands(n) { return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ','); }
function plural(n, word) { return thousands(n) + ' ' + word + (n === 1 ? '' : 's'); }

function bytes(n) {
	var units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
	var value = n, unit = 0;
	while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
	return unit === 0 ? n + ' B' : value.toFixed(value < 10 ? 1 : 0) + ' ' + units[unit];
}

function duration(ms) {
	var s = Math.round(ms / 1000);
	if (s < 60) return Math.max(0, s) + ' s';
	var m = Math.floor(s / 60);
	if (m < 60) return m + ' min ' + (s % 60) + ' s';
	return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
}

function ago(iso) {
	var minutes = Math.max(0, Math.round((serverNow - Date.parse(iso)) / 60000));
	if (minutes < 1) return 'just now';
	if (minutes < 60) return plural(minutes, 'minute') + ' ago';
	var hours = Math.round(minutes / 60);
	if (hours < 48) return plural(hours, 'hour') + ' ago';
	return plural(Math.round(hours / 24), 'day') + ' ago';
}

function zoneWorks(zone) {
	try { new Intl.DateTimeFormat('en', { timeZone: zone }); return true; } catch (e) { return false; }
}

/** A time as the NAS's clock shows it. */
function when(iso, withDate) {
	if (!iso) return '—';
	var date = new Date(iso);
	var options = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
	if (withDate !== false) { options.weekday = 'short'; options.day = 'numeric'; options.month = 'short'; options.year = 'numeric'; }
	if (clockInfo.timeZone && zoneWorks(clockInfo.timeZone)) options.timeZone = clockInfo.timeZone;
	else { date = new Date(date.getTime() + clockInfo.offsetMinutes * 60000); options.timeZone = 'UTC'; }
	return new Intl.DateTimeFormat(undefined, options).format(date);
}

function zoneName() {
	if (clockInfo.timeZone && zoneWorks(clockInfo.timeZone)) return clockInfo.timeZone;
	var m = Math.abs(clockInfo.offsetMinutes);
	return 'UTC' + (clockInfo.offsetMinutes < 0 ? '−' : '+') + String(Math.floor(m / 60)).padStart(2, '0') + ':' + String(m % 60).padStart(2, '0');
}

function foundText(counts) {
	var parts = Object.keys(EVENT_WORDS).filter(function (t) { return counts && counts[t] > 0; }).map(function (t) { return thousands(counts[t]) + ' ' + EVENT_WORDS[t]; });
	return parts.length ? parts.join(', ') : 'no changes';
}

function el(tag, className, text) {
	var e = document.createElement(tag);
	if (className) e.className = className;
	if (text !== undefined) e.textContent = text;
	return e;
}

// --- the overview ---

function showVerdict(view) {
	var v = view.verdict;
	// an old "BACKUP OK" is no reassurance: a stale verdict is shown in amber, in its own words
	var tone = !v ? 'none' : view.a.stale && v.tone === 'ok' ? 'warn' : v.tone;
	$('verdict').className = 'verdict ' + tone;
	$('verdictIcon').textContent = VERDICT_ICONS[tone];
	$('verdictHeadline').textContent = v ? v.headline : 'No verdict yet';
	$('verdictWhen').textContent = v
		? 'From the PC\'s run of ' + when(v.at) + ' (' + ago(v.at) + ')'
		: 'The PC writes it after its first run, into the config folder; it shows here once your sync tool has brought it to the NAS.';
	$('readReport').hidden = !view.report;
	var a = view.a;
	$('staleNote').hidden = !a.stale;
	if (a.stale) {
		$('staleNote').textContent = 'The PC has not run for ' + ago(a.lastRunAt).replace(/ ago$/, '') + ', longer than "Stale after" (' + plural(a.staleAfterDays, 'day') +
			'): this verdict may be out of date. Check that the PC is on and its Equilybrium task runs, and that the sync tool brings the config folder.';
	}
	var failed = a.outcome && a.outcome !== 'ok' && a.outcome !== 'found' && (!v || Date.parse(a.lastRunAt) > Date.parse(v.at));
	$('aFailed').hidden = !failed;
	if (failed) $('aFailed').textContent = 'The PC\'s last run (' + when(a.lastRunAt) + ') ' + (a.outcome === 'stopped' ? 'was stopped' : 'failed') + (a.message ? ': ' + a.message : '') + '.';
}

function showNas(view) {
	var d = view.daemon;
	var state = !d ? ['Not started', 'warn'] : !d.alive ? ['Stopped', 'warn'] : d.state === 'running' ? ['Checking', 'running'] : ['Waiting', 'ok'];
	$('state').textContent = state[0];
	$('state').className = 'pill ' + state[1];
	var last = view.b.lastRun;
	$('lastRun').replaceChildren();
	if (last) $('lastRun').append(when(last.startedAt), el('div', 'muted', 'took ' + duration(last.durationMs) + (last.reason ? (last.reason === 'manual' ? ' · started by hand' : ' · on schedule') : '')));
	else $('lastRun').textContent = 'none yet';
	var result = $('lastResult');
	result.replaceChildren();
	if (last) {
		result.append(el('span', 'pill ' + last.outcome, OUTCOME_WORDS[last.outcome] || last.outcome));
		var detail = [];
		if (last.files !== undefined) detail.push(plural(last.files, 'file') + ' (' + bytes(last.bytes || 0) + ')');
		if (last.outcome === 'ok' || last.outcome === 'found') detail.push(foundText(last.counts));
		if (detail.length) result.append(' ' + detail.join(' · '));
		if (last.message) result.append(el('div', 'muted', last.message));
	} else result.textContent = '—';
	$('nextRun').textContent = d && d.alive && d.nextRun ? when(d.nextRun) + (d.schedule ? ' (' + d.schedule + ')' : '') : d && !d.alive ? '— (Equilybrium is stopped in Package Center)' : '— (not scheduled)';
	$('configDir').textContent = view.configDir || '—';
	var problems = (d && d.problems ? d.problems : []).slice();
	if (view.folderProblem) problems.unshift(view.folderProblem);
	$('problems').replaceChildren.apply($('problems'), problems.map(function (p) { return el('li', '', p); }));
}

function showProgress(view) {
	var d = view.daemon;
	var running = d && d.alive && d.state === 'running';
	var p = view.progress;
	$('progress').hidden = !running;
	$('idleText').hidden = running;
	$('progressTitle').textContent = running ? 'Checking now' : 'Check now';
	$('runNow').disabled = running || view.runRequested;
	$('runNow').textContent = running ? 'Running…' : 'Run now';
	if (view.runRequested && !running) say('runMessage', '', 'Asked for: the run starts within a few seconds.');
	if (!running) return;
	$('progressStarted').textContent = 'Started ' + when(d.running.startedAt, false) + (d.running.reason === 'manual' ? ' by hand' : ' on schedule') + '.';
	var share = p && p.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : p && p.totalFiles ? Math.min(1, p.files / p.totalFiles) : null;
	$('progressBar').className = share === null ? 'bar indeterminate' : 'bar';
	$('progressFill').style.width = share === null ? '' : (share * 100).toFixed(1) + '%';
	$('progressPhase').textContent = p ? PHASE_WORDS[p.phase] || p.phase : 'Starting…';
	$('progressPercent').textContent = share === null ? '' : Math.floor(share * 100) + ' %';
	$('progressFiles').textContent = !p ? '' : p.totalFiles ? thousands(p.files) + ' of ' + plural(p.totalFiles, 'file') : plural(p.files, 'file') + ' so far (first run: no total yet)';
	$('progressBytes').textContent = !p ? '' : p.totalBytes ? bytes(p.bytes) + ' of ' + bytes(p.totalBytes) : bytes(p.bytes);
	$('progressRate').textContent = p && p.bytesPerSecond ? bytes(p.bytesPerSecond) + '/s' : '';
	$('progressEta').textContent = p && p.etaSeconds !== null && p.etaSeconds !== undefined ? 'about ' + duration(p.etaSeconds * 1000) + ' left' : '';
}

function showHistory(view) {
	var rows = view.history.map(function (run) {
		var tr = el('tr');
		// a run that failed before it listed anything has no files to count
		var none = run.files === 0 && run.outcome !== 'ok' && run.outcome !== 'found';
		tr.append(el('td', 'nowrap', when(run.startedAt)), el('td', 'num', duration(run.durationMs)), el('td', 'num', none ? '—' : thousands(run.files)), el('td', 'num', none ? '—' : bytes(run.bytes)));
		tr.append(el('td', '', run.outcome === 'ok' || run.outcome === 'found' ? foundText(run.counts) : run.message || '—'));
		var result = el('td');
		result.append(el('span', 'pill ' + run.outcome, OUTCOME_WORDS[run.outcome] || run.outcome));
		tr.append(result);
		return tr;
	});
	if (!rows.length) {
		var empty = el('tr');
		var cell = el('td', 'muted', 'No run recorded yet: each run of this NAS is listed here once it has run.');
		cell.colSpan = 6;
		empty.append(cell);
		rows.push(empty);
	}
	$('history').replaceChildren.apply($('history'), rows);
}

function showStatus(view) {
	lastView = view;
	clockInfo = view.clock || clockInfo;
	serverNow = Date.parse(view.now) || Date.now();
	showVerdict(view);
	showNas(view);
	showProgress(view);
	showHistory(view);
	$('report').textContent = view.report || 'No report yet: the PC appends a section after each of its runs.';
	$('clockNote').textContent = 'Times are this NAS\'s local time (' + zoneName() + ').';
}

async function refreshStatus() {
	clearTimeout(pollTimer);
	var r = await api('status');
	if (r.status === 200) { $('fatal').hidden = true; showStatus(r.data); } else fatal(r.data.error);
	var busy = r.status === 200 && ((r.data.daemon && r.data.daemon.state === 'running') || r.data.runRequested);
	pollTimer = setTimeout(refreshStatus, busy ? 2000 : 15000);
}

function fatal(text) { $('fatal').hidden = false; $('fatal').textContent = text; }

function say(id, kind, text) { $(id).className = 'say message' + (kind ? ' ' + kind : ''); $(id).textContent = text; }

$('runNow').addEventListener('click', async function () {
	$('runNow').disabled = true;
	var r = await api('run', {});
	if (r.status === 202) say('runMessage', 'success', 'Asked for: the run starts within a few seconds.');
	else if (r.data.state === 'running') say('runMessage', '', 'A run is already going on (started ' + when(r.data.startedAt, false) + '): no second one was started.');
	else say('runMessage', 'error', r.data.error || 'not started');
	await refreshStatus();
});

// --- settings and notifications ---

var SETTINGS_FIELDS = ['folders', 'scheduleB', 'scheduleA', 'algorithm', 'exclude', 'minFileSize', 'includeNoExtension', 'excludedExtensions', 'excludedFiles', 'avoidAtB', 'avoidAtA'];
var NOTIFY_FIELDS = ['notify', 'remindOkEvery', 'staleAfter', 'desktop', 'webhook', 'email', 'smtp', 'smtpPassword'];

function showSettings(data) {
	var s = data.settings;
	$('folders').value = s.folders.map(function (f) { return f.path.split('/').pop() === f.label ? f.path : f.label + ' = ' + f.path; }).join('\n');
	$('scheduleB').value = s.schedules.B;
	$('scheduleA').value = s.schedules.A;
	$('algorithm').replaceChildren.apply($('algorithm'), data.algorithms.map(function (a) { var o = el('option', '', a); o.value = a; return o; }));
	$('algorithm').value = s.algorithm;
	$('exclude').value = s.exclude.join('\n');
	var f = s.filters;
	$('minFileSize').value = f.minFileSize;
	$('includeNoExtension').checked = f.includeNoExtension;
	$('excludedExtensions').value = f.excludedExtensions.join(', ');
	$('excludedFiles').value = f.excludedFiles.join(', ');
	$('avoidAtB').checked = f.avoidAtDirs.indexOf('B') >= 0;
	$('avoidAtA').checked = f.avoidAtDirs.indexOf('A') >= 0;
	var n = data.notifications;
	$('notify').value = n.notify;
	$('remindOkEvery').value = n.remindOkEvery;
	$('staleAfter').value = n.staleAfter;
	$('desktop').checked = n.desktop;
	$('webhook').value = n.webhook;
	$('email').value = n.email.join(', ');
	$('smtp').value = n.smtp;
	smtpPasswordSet = data.smtpPasswordSet;
	$('smtpPassword').value = '';
	$('smtpPassword').placeholder = smtpPasswordSet ? '•••••••• (stored on this NAS; type to replace)' : '';
	$('forgetRow').hidden = !smtpPasswordSet;
	$('forgetPassword').checked = false;
	loadedNotify = JSON.stringify(readNotify());
	updateTestButton();
}

function showFolder(data) {
	var shares = data.shares || [];
	var current = data.folder ? data.folder.share : '';
	var options = shares.map(function (s) { var o = el('option', '', s.name + (s.writable ? '' : ' (no access yet)')); o.value = s.name; return o; });
	if (current && !shares.some(function (s) { return s.name === current; })) { var o = el('option', '', current + ' (not found)'); o.value = current; options.unshift(o); }
	$('folderShare').replaceChildren.apply($('folderShare'), options);
	$('folderShare').value = current;
	$('folderSubfolder').value = data.folder ? data.folder.subfolder : '';
}

function readSettings() {
	var folders = $('folders').value.split('\n').map(function (l) { return l.trim(); }).filter(Boolean).map(function (line) {
		if (line.charAt(0) === '/') return { path: line };
		var at = line.indexOf('=');
		return at < 0 ? { path: line } : { label: line.slice(0, at).trim(), path: line.slice(at + 1).trim() };
	});
	var commas = function (id) { return $(id).value.split(',').map(function (e) { return e.trim(); }).filter(Boolean); };
	var filters = {
		minFileSize: $('minFileSize').value.trim(), includeNoExtension: $('includeNoExtension').checked,
		excludedExtensions: commas('excludedExtensions'), excludedFiles: commas('excludedFiles'),
		avoidAtDirs: ['A', 'B'].filter(function (side) { return $('avoidAt' + side).checked; }),
	};
	return { folders: folders, schedules: { A: $('scheduleA').value, B: $('scheduleB').value }, algorithm: $('algorithm').value, exclude: $('exclude').value.split('\n'), filters: filters };
}

function readNotify() {
	return {
		notify: $('notify').value, remindOkEvery: $('remindOkEvery').value, staleAfter: $('staleAfter').value, desktop: $('desktop').checked,
		webhook: $('webhook').value, email: $('email').value.split(',').map(function (e) { return e.trim(); }).filter(Boolean), smtp: $('smtp').value,
	};
}

function notifyDirty() { return JSON.stringify(readNotify()) !== loadedNotify || $('smtpPassword').value !== '' || $('forgetPassword').checked; }

function updateTestButton() {
	var dirty = notifyDirty();
	$('testNotify').disabled = dirty || !revision;
	$('testNotify').title = dirty ? 'Save first: the test uses the saved settings' : '';
}

async function loadSettings() {
	var r = await api('settings');
	showFolder(r.data);
	var usable = r.status === 200;
	SETTINGS_FIELDS.concat(NOTIFY_FIELDS, ['save', 'saveNotify']).forEach(function (id) { $(id).disabled = !usable; });
	if (usable) { revision = r.data.revision; showSettings(r.data); say('message', '', ''); }
	else { revision = ''; say('message', 'error', r.data.error); say('notifyMessage', 'error', r.data.error); updateTestButton(); }
}

async function save(messageId) {
	SETTINGS_FIELDS.concat(NOTIFY_FIELDS).forEach(function (id) { $(id).classList.remove('invalid'); });
	say(messageId, '', 'Saving…');
	var body = { settings: readSettings(), notifications: readNotify(), revision: revision };
	if ($('forgetPassword').checked) body.smtpPassword = null;
	else if ($('smtpPassword').value !== '') body.smtpPassword = $('smtpPassword').value;
	var r = await api('save', body);
	if (r.status === 200) {
		await loadSettings();
		say(messageId, 'success', 'Saved. This NAS uses it within a few seconds; the PC at its next run, once the sync tool has brought the file.');
	} else {
		if (r.data.field && $(r.data.field)) $(r.data.field).classList.add('invalid');
		say(messageId, 'error', r.data.error || 'not saved');
	}
}

$('settingsForm').addEventListener('submit', function (event) { event.preventDefault(); save('message'); });
$('notifyForm').addEventListener('submit', function (event) { event.preventDefault(); save('notifyMessage'); });
$('notifyForm').addEventListener('input', updateTestButton);
$('notifyForm').addEventListener('change', updateTestButton);

$('testNotify').addEventListener('click', async function () {
	$('testNotify').disabled = true;
	$('channels').replaceChildren();
	say('notifyMessage', '', 'Sending a test message on every channel…');
	var r = await api('notify-test', {});
	if (r.status === 200) {
		say('notifyMessage', r.data.delivered ? 'success' : 'error', r.data.delivered ? 'Delivered on every channel.' : 'Not every channel delivered:');
		$('channels').replaceChildren.apply($('channels'), r.data.channels.map(function (c) {
			return el('li', c.ok ? 'ok' : 'failed', c.channel + ': ' + (c.ok ? 'delivered' : 'failed') + (c.detail ? ' (' + c.detail + ')' : ''));
		}));
	} else say('notifyMessage', 'error', r.data.error || 'the test failed');
	updateTestButton();
});

$('saveFolder').addEventListener('click', async function () {
	['folderShare', 'folderSubfolder'].forEach(function (id) { $(id).classList.remove('invalid'); });
	var r = await api('folder', { share: $('folderShare').value, subfolder: $('folderSubfolder').value });
	if (r.status === 200) {
		say('folderMessage', r.data.warning ? 'error' : 'success', 'Now using ' + r.data.configDir + '.' + (r.data.warning ? ' But ' + r.data.warning + '.' : ''));
		await Promise.all([loadSettings(), refreshStatus()]);
	} else {
		var field = { share: 'folderShare', subfolder: 'folderSubfolder' }[r.data.field];
		if (field) $(field).classList.add('invalid');
		say('folderMessage', 'error', r.data.error || 'not changed');
	}
});

$('readReport').addEventListener('click', function (event) {
	event.preventDefault();
	$('reportDetails').open = true;
	$('reportDetails').scrollIntoView({ behavior: 'smooth', block: 'start' });
});

// --- tabs ---

function showTab(id) {
	['overview', 'settings', 'notifications'].forEach(function (name) {
		$('tab-' + name).setAttribute('aria-selected', String(name === id));
		$(name).hidden = name !== id;
	});
}
['overview', 'settings', 'notifications'].forEach(function (name) { $('tab-' + name).addEventListener('click', function () { showTab(name); }); });

/** Inside DSM, DSM's own font (whatever the DSM version uses); on its own, the stack in page.css. */
function useDsmFont() {
	try {
		if (window.parent !== window) document.body.style.fontFamily = window.parent.getComputedStyle(window.parent.document.body).fontFamily;
	} catch (e) { /* not in DSM */ }
}

(async function start() {
	useDsmFont();
	try { token = await getToken(); } catch (e) { token = ''; }
	await refreshStatus();
	await loadSettings();
	document.body.dataset.ready = 'true';
})();
