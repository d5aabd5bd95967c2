import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, closeSync, existsSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, mkdirSync, writeFileSync, chownSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ensureSpk } from './util/build.ts';
import { ADMIN, makeDsm, processesUnder, runAs, waitFor, type Dsm } from './util/dsm.ts';
import { callCgi } from './util/cgi.ts';

// The package as DSM runs it: unpacked into a temporary /var/packages, its scripts run as an
// unprivileged user with the SYNOPKG_* environment, Synology's node being the real one.

const lifecycle = suite<{ dsm: Dsm }>('spk lifecycle in a simulated DSM');
const spk = ensureSpk();
const dsm = makeDsm(spk);
const script = (name: string) => join(dsm.pkgHome, 'scripts', name);
const logFile = join(dsm.root, 'temp-logfile');
const wizard = { wizard_config_share: 'Backup', wizard_config_subfolder: 'Equilybrium' };

const sss = (action: string, extra: Record<string, string> = {}) =>
	runAs(dsm, '/bin/sh', [script('start-stop-status'), action], dsm.env({ SYNOPKG_PKG_STATUS: action === 'status' ? '' : action.toUpperCase(), ...extra }), { timeoutMs: 30_000 });

lifecycle.after(() => {
	try {
		const left = processesUnder(dsm.root);
		if (left.length) console.error(`killing leftovers: ${left.join(' ')}`);
	} finally {
		dsm.remove();
	}
});

lifecycle('preinst refuses a bad wizard answer with a message for the user', async () => {
	const ran = await runAs(dsm, '/bin/sh', [script('preinst')], dsm.env({ SYNOPKG_PKG_STATUS: 'INSTALL', SYNOPKG_TEMP_LOGFILE: join(dsm.pkgHome, 'tmp/msg'), wizard_config_share: 'Backup', wizard_config_subfolder: '../../etc' }));
	assert.is(ran.code, 1);
	assert.match(readFileSync(join(dsm.pkgHome, 'tmp/msg'), 'utf8'), /subfolder "..\/..\/etc" is not valid/);
});

lifecycle('preinst and postinst store the wizard answer in the var folder', async () => {
	writeFileSync(logFile, '');
	chownSync(logFile, dsm.uid, dsm.gid);
	const env = dsm.env({ SYNOPKG_PKG_STATUS: 'INSTALL', SYNOPKG_TEMP_LOGFILE: logFile, ...wizard });
	assert.is((await runAs(dsm, '/bin/sh', [script('preinst')], env)).code, 0);
	const post = await runAs(dsm, '/bin/sh', [script('postinst')], env);
	assert.is(post.code, 0, post.stderr);
	assert.equal(JSON.parse(readFileSync(join(dsm.var, 'config-folder'), 'utf8')), { share: 'Backup', subfolder: 'Equilybrium' });
	assert.is(statSync(join(dsm.var, 'config-folder')).uid, dsm.uid, 'written by the package user');
	assert.match(readFileSync(logFile, 'utf8'), /System internal user/);
});

lifecycle('an upgrade (no wizard answers) keeps the stored answer', async () => {
	const env = dsm.env({ SYNOPKG_PKG_STATUS: 'UPGRADE', SYNOPKG_OLD_PKGVER: '1.0.0-0001', SYNOPKG_TEMP_LOGFILE: logFile });
	for (const name of ['preupgrade', 'preuninst', 'postuninst', 'preinst', 'postinst', 'postupgrade']) {
		const ran = await runAs(dsm, '/bin/sh', [script(name)], env);
		assert.is(ran.code, 0, `${name}: ${ran.stderr}`);
	}
	assert.equal(JSON.parse(readFileSync(join(dsm.var, 'config-folder'), 'utf8')), { share: 'Backup', subfolder: 'Equilybrium' });
});

lifecycle('start → status 0; a scheduled B run writes its DB and event logs; stop < 20 s → status 3; nothing left', async () => {
	const ini = join(dsm.configDir, 'equilybrium.config.ini');
	writeFileSync(ini, readFileSync(ini, 'utf8').replace('Schedule = 0 3 * * *', 'Schedule = */2 * * * * *'));
	const started = await sss('start', { EQUILYBRIUM_POLL_MS: '200' });
	assert.is(started.code, 0, started.stderr + started.stdout);
	assert.is((await sss('status')).code, 0, 'status: running');
	assert.is((await sss('start')).code, 0, 'a second start is a no-op');

	const db = join(dsm.configDir, 'equilybrium.B.DB.json');
	await waitFor('B database', () => existsSync(db), 20_000);
	const status = await waitFor('status with a finished run', () => {
		try {
			const s = JSON.parse(readFileSync(join(dsm.var, 'status.json'), 'utf8'));
			return s.lastRun ? s : undefined;
		} catch {
			return undefined;
		}
	}, 20_000);
	assert.is(status.lastRun.outcome, 'ok', JSON.stringify(status.lastRun));
	assert.is(status.lastRun.reason, 'scheduled');
	assert.is(status.lastRun.counts.NewFile, 2);
	assert.is(status.schedule, '*/2 * * * * *');
	assert.ok(Date.parse(status.nextRun) > Date.parse(status.lastRun.startedAt), 'next run is after the last one');
	const newFiles = readFileSync(join(dsm.configDir, 'equilybrium.B.Event.NewFile.log'), 'utf8');
	assert.match(newFiles, /\tNewFile\tphoto\/2024\/beach\.jpg/);
	assert.match(newFiles, /\tNewFile\tphoto\/notes\.txt/);
	assert.is(statSync(db).uid, dsm.uid, 'the DB was written by the package user, not root');
	const log = readFileSync(join(dsm.var, 'equilybrium.log'), 'utf8');
	assert.match(log, /starting with .*Node\.js_v22/);

	const stopped = await sss('stop');
	assert.is(stopped.code, 0);
	assert.ok(stopped.ms < 20_000, `stop took ${stopped.ms} ms`);
	assert.is((await sss('status')).code, 3, 'status: stopped');
	assert.equal(processesUnder(dsm.root), [], 'no process left behind');
	assert.is(JSON.parse(readFileSync(join(dsm.var, 'status.json'), 'utf8')).state, 'stopped');
	assert.ok(!existsSync(`${db}.new`), 'no half-written database');
});

lifecycle('stop during a run: the run is told to stop, the old database stays intact, stop < 20 s', async () => {
	const db = join(dsm.configDir, 'equilybrium.B.DB.json');
	const before = readFileSync(db);
	// Many files and a slow algorithm make a run that is surely still going when stopped.
	const many = join(dsm.photo, 'many');
	mkdirSync(many);
	for (let i = 0; i < 3000; i++) {
		const fd = openSync(join(many, `f${i}.bin`), 'w');
		ftruncateSync(fd, 1024 ** 2);
		closeSync(fd);
	}
	execFileSync('chown', ['-R', `${dsm.uid}:${dsm.gid}`, many]);
	const ini = join(dsm.configDir, 'equilybrium.config.ini');
	const saved = readFileSync(ini, 'utf8');
	writeFileSync(ini, saved.replace('Hash algorithm = sha256', 'Hash algorithm = sha3_512'));
	try {
		assert.is((await sss('start', { EQUILYBRIUM_POLL_MS: '200' })).code, 0);
		await waitFor('a run going on', () => {
			try {
				return JSON.parse(readFileSync(join(dsm.var, 'status.json'), 'utf8')).state === 'running';
			} catch {
				return false;
			}
		}, 20_000);
		// the run keeps its progress where the page reads it, and the page shows it as this run's
		const progress = await waitFor('the run\'s progress file', () => {
			try {
				return JSON.parse(readFileSync(join(dsm.var, 'progress.json'), 'utf8'));
			} catch {
				return undefined;
			}
		}, 20_000);
		assert.is(progress.role, 'B');
		assert.is(progress.totalFiles, 2, 'the total from the previous database');
		const view = await waitFor('the page\'s view of the run', async () => {
			const r = await callCgi(dsm, { query: 'action=status', session: ADMIN });
			return r.json?.progress ? r.json : undefined;
		}, 10_000);
		assert.is(view.daemon.state, 'running');
		assert.is(view.daemon.alive, true);
		assert.ok(view.progress.files >= 0 && view.progress.totalBytes > 0);
		const stopped = await sss('stop');
		assert.ok(stopped.ms < 20_000, `stop took ${stopped.ms} ms`);
		assert.equal(processesUnder(dsm.root), [], 'no process left behind');
		const status = JSON.parse(readFileSync(join(dsm.var, 'status.json'), 'utf8'));
		assert.is(status.state, 'stopped');
		assert.is(status.lastRun.outcome, 'stopped', JSON.stringify(status.lastRun));
		assert.ok(readFileSync(db).equals(before), 'the database is the one from before the run');
		const torn = readdirSync(dsm.configDir).filter((name) => /\.(new|tmp)$|\.lock$/.test(name));
		assert.equal(torn, [], `no half-written file or lock left; log:\n${readFileSync(join(dsm.var, 'equilybrium.log'), 'utf8').slice(-1500)}`);
	} finally {
		rmSync(many, { recursive: true, force: true });
		writeFileSync(ini, saved);
	}
});

lifecycle('the start script prefers a newer Synology Node.js package; "run now" from the page runs B', async () => {
	const ini = join(dsm.configDir, 'equilybrium.config.ini');
	writeFileSync(ini, readFileSync(ini, 'utf8').replace('Schedule = */2 * * * * *', 'Schedule = 0 3 * * *'));
	const v24 = join(dsm.root, 'var/packages/Node.js_v24/target/usr/local/bin');
	mkdirSync(v24, { recursive: true });
	symlinkSync(process.execPath, join(v24, 'node'));
	assert.is((await sss('start', { EQUILYBRIUM_POLL_MS: '200' })).code, 0);
	assert.is((await sss('status')).code, 0);
	const log = readFileSync(join(dsm.var, 'equilybrium.log'), 'utf8');
	assert.match(log.split('\n').filter((l) => l.includes('starting with')).at(-1)!, /Node\.js_v24/);
	const asked = await callCgi(dsm, { method: 'POST', query: 'action=run', session: ADMIN, body: {} });
	assert.is(asked.status, 202);
	const manual = await waitFor('the manual run', () => {
		try {
			const s = JSON.parse(readFileSync(join(dsm.var, 'status.json'), 'utf8'));
			return s.lastRun?.reason === 'manual' ? s : undefined;
		} catch {
			return undefined;
		}
	}, 20_000);
	assert.is(manual.lastRun.outcome, 'ok', JSON.stringify(manual.lastRun));
	assert.equal(manual.lastRun.counts, {}, 'no changes, from the run record');
	assert.is(manual.lastRun.files, 2);
	assert.is((await sss('stop')).code, 0);
	assert.is((await sss('status')).code, 3);
	assert.equal(processesUnder(dsm.root), []);
});

lifecycle('a folder the package user may not read is reported with the permission to grant', async () => {
	const locked = join(dsm.root, 'volume1/private');
	mkdirSync(locked, { mode: 0o700 });
	chownSync(locked, 0, 0);
	const ini = join(dsm.configDir, 'equilybrium.config.ini');
	writeFileSync(ini, readFileSync(ini, 'utf8').replace(/^B = \[.*\]$/m, `B = ["${dsm.photo}", "${locked}"]`));
	assert.is((await sss('start', { EQUILYBRIUM_POLL_MS: '200' })).code, 0);
	const status = await waitFor('the permission problem', () => {
		const s = JSON.parse(readFileSync(join(dsm.var, 'status.json'), 'utf8'));
		return s.problems?.length ? s : undefined;
	}, 10_000);
	assert.match(status.problems.join('\n'), /the package cannot read .*volume1\/private: .*Shared Folder.*Permissions ▸ "System internal user", and give "equilybrium" Read only/);
	assert.is((await sss('stop')).code, 0);
	assert.equal(processesUnder(dsm.root), []);
});

lifecycle('with only Synology\'s Node.js v20 (end of life), the package does not start and says which Node.js to install', async () => {
	const packages = join(dsm.root, 'var/packages');
	const aside = join(dsm.root, 'node-aside');
	mkdirSync(aside);
	for (const v of ['Node.js_v22', 'Node.js_v24']) renameSync(join(packages, v), join(aside, v));
	const v20 = join(packages, 'Node.js_v20/target/usr/local/bin');
	mkdirSync(v20, { recursive: true });
	symlinkSync(process.execPath, join(v20, 'node'));
	try {
		writeFileSync(logFile, '');
		chownSync(logFile, dsm.uid, dsm.gid);
		const started = await sss('start', { SYNOPKG_TEMP_LOGFILE: logFile });
		assert.is(started.code, 1);
		assert.match(readFileSync(logFile, 'utf8'), /Node\.js v22 from Synology is not installed; install it in Package Center/);
		assert.is((await sss('status')).code, 3);
	} finally {
		rmSync(join(packages, 'Node.js_v20'), { recursive: true });
		for (const v of ['Node.js_v22', 'Node.js_v24']) renameSync(join(aside, v), join(packages, v));
	}
});

lifecycle('uninstall keeps the config folder; "delete data" removes only the package state', async () => {
	const env = dsm.env({ SYNOPKG_PKG_STATUS: 'UNINSTALL', wizard_delete_data: 'true' });
	assert.is((await runAs(dsm, '/bin/sh', [script('preuninst')], env)).code, 0);
	assert.is((await runAs(dsm, '/bin/sh', [script('postuninst')], env)).code, 0);
	assert.ok(!existsSync(join(dsm.var, 'config-folder')));
	assert.ok(!existsSync(join(dsm.var, 'status.json')));
	assert.ok(existsSync(join(dsm.configDir, 'equilybrium.B.DB.json')), 'the database in the config folder stays');
	assert.ok(existsSync(join(dsm.configDir, 'equilybrium.config.ini')));
});

lifecycle.run();
