import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { validateSpk } from '../../../tools/validate-spk.ts';
import { readTar, writeTar, type TarEntry } from '../../../tools/spk/tar.ts';
import { drawIcon } from '../../../tools/spk/png.ts';
import { ensureSpk, root } from './util/build.ts';

const spkPath = ensureSpk();
const built = readFileSync(spkPath);

const valid = suite('the built SPK');

valid('passes every check', () => {
	assert.equal(validateSpk(built), []);
});

valid('pnpm build:spk names it equilybrium-<version>-noarch.spk with a version like 1.0.0-0001', () => {
	assert.match(spkPath, /dist\/equilybrium-\d+\.\d+\.\d+-0001-noarch\.spk$/);
	const info = readTar(built).find((e) => e.name === 'INFO')!.data.toString('utf8');
	assert.match(info, /^version="\d+\.\d+\.\d+-0001"$/m);
	assert.match(info, /^install_dep_packages="Node\.js_v22"$/m);
	assert.match(info, /^os_min_ver="7\.2-\d+"$/m);
	assert.match(info, /^maintainer_url="(https:\/\/|\/webman\/3rdparty\/equilybrium\/)\S+"$/m);
	assert.match(info, /^helpurl="\S+"$/m);
	assert.match(info, /^changelog=".+"$/m);
	assert.match(info, /^dsmappname="SYNO\.SDS\.Equilybrium\.Application"$/m);
});

valid('the config share is granted by the package itself (data-share), and picked in the wizard from DSM\'s list of shares', () => {
	const resource = JSON.parse(readTar(built).find((e) => e.name === 'conf/resource')!.data.toString('utf8'));
	assert.equal(resource, { 'data-share': { shares: [{ name: '{{wizard_config_share}}', permission: { rw: ['equilybrium'] } }] } });
	const wizard = JSON.parse(readTar(built).find((e) => e.name === 'WIZARD_UIFILES/install_uifile')!.data.toString('utf8'));
	const item = wizard.flatMap((step: { items: unknown[] }) => step.items).find((i: { subitems?: { key: string }[] }) => i.subitems?.some((s) => s.key === 'wizard_config_share'));
	assert.is(item.type, 'combobox');
	assert.equal(item.subitems[0].api_store.api, 'SYNO.Core.Share');
	assert.equal(item.subitems[0].api_store.method, 'list');
	assert.is(item.subitems[0].editable, false);
});

valid('the app opens in a window of its own: ui/config names equilybrium.js, which defines the app and its window', () => {
	const tgz = readTar(built).find((e) => e.name === 'package.tgz')!;
	const inner = readTar(gunzipSync(tgz.data));
	const config = JSON.parse(inner.find((e) => e.name === 'ui/config')!.data.toString('utf8'));
	const app = config['equilybrium.js']['SYNO.SDS.Equilybrium.Application'];
	assert.is(app.type, 'app');
	assert.is(app.appWindow, 'SYNO.SDS.Equilybrium.MainWindow');
	assert.is(app.allUsers, false, 'administrators only');
	const script = inner.find((e) => e.name === 'ui/equilybrium.js')!.data.toString('utf8');
	assert.match(script, /Ext\.define\('SYNO\.SDS\.Equilybrium\.MainWindow'/);
	assert.match(script, /<iframe src="' \+ src/);
});

valid('the desktop notification can be found: synodsmnotify is called with INFO\'s app and the keys ui/texts preloads', async () => {
	const { DSM_APP_ID, DSM_TITLE_KEY, DSM_MESSAGE_KEY } = await import('../../cli/src/notify/desktop-dsm.ts');
	const info = readTar(built).find((e) => e.name === 'INFO')!.data.toString('utf8');
	assert.ok(info.includes(`dsmappname="${DSM_APP_ID}"`), 'the app id the CLI sends is the package\'s dsmappname');
	const inner = readTar(gunzipSync(readTar(built).find((e) => e.name === 'package.tgz')!.data));
	const app = JSON.parse(inner.find((e) => e.name === 'ui/config')!.data.toString('utf8'))['equilybrium.js'][DSM_APP_ID];
	assert.is(app.texts, 'texts');
	const keys = [DSM_TITLE_KEY, DSM_MESSAGE_KEY].map((k) => k.replace(/^equilybrium:/, ''));
	assert.equal(app.preloadTexts, keys);
	const strings = inner.find((e) => e.name === 'ui/texts/enu/strings')!.data.toString('utf8');
	assert.match(strings, /^\[notify\]\ntitle="Equilybrium"\nmsg="\{0\}"\n$/);
});

valid('the validator command says so and exits 0', () => {
	const ran = spawnSync(process.execPath, ['--import', 'tsx', 'tools/validate-spk.ts', spkPath], { cwd: root, encoding: 'utf8', timeout: 60_000 });
	assert.is(ran.status, 0, ran.stdout + ran.stderr);
	assert.match(ran.stdout, /: valid/);
});

valid.run();

// Each defect DSM would reject, made in a copy of the built SPK, must be caught.
const broken = suite('a broken SPK');

function mutate(change: (entries: TarEntry[]) => void): Buffer {
	const entries: TarEntry[] = readTar(built).map((e) => (e.type === '5' ? { name: e.name, mode: e.mode } : { name: e.name, mode: e.mode, data: e.data }));
	change(entries);
	return writeTar(entries, 0);
}
const entry = (entries: TarEntry[], name: string) => entries.find((e) => e.name === name)!;
const text = (e: TarEntry) => e.data!.toString('utf8');
const problems = (spk: Buffer) => validateSpk(spk).join('\n');

broken('a compressed outer file', () => {
	assert.match(problems(gzipSync(built)), /gzip-compressed; DSM wants a plain tar/);
});

broken('a wrong checksum', () => {
	assert.match(problems(mutate((es) => (entry(es, 'INFO').data = Buffer.from(text(entry(es, 'INFO')).replace(/checksum="\w+"/, 'checksum="0123"'))))), /checksum 0123 does not match/);
});

broken('INFO: a line that is not key="value", a wrong arch, a version without build number, a missing key', () => {
	const out = problems(
		mutate((es) => {
			const info = text(entry(es, 'INFO')).replace('arch="noarch"', 'arch="x86_64"').replace(/version="[^"]+"/, 'version="1.0.0-beta"').replace(/^maintainer=.*\n/m, '');
			entry(es, 'INFO').data = Buffer.from(info + 'oops\n');
		}),
	);
	assert.match(out, /INFO line \d+ is not key="value": oops/);
	assert.match(out, /arch is "x86_64", expected noarch/);
	assert.match(out, /version "1\.0\.0-beta" is not like 1\.0\.0-0001/);
	assert.match(out, /INFO: maintainer is missing/);
});

broken('a privilege that runs as root', () => {
	const out = problems(mutate((es) => (entry(es, 'conf/privilege').data = Buffer.from('{"defaults":{"run-as":"root"}}'))));
	assert.match(out, /defaults\.run-as must be "package"/);
	assert.match(out, /mentions root/);
});

broken('a setuid script and a world-writable file', () => {
	const out = problems(
		mutate((es) => {
			entry(es, 'scripts/start-stop-status').mode = 0o4755;
			entry(es, 'LICENSE').mode = 0o666;
		}),
	);
	assert.match(out, /scripts\/start-stop-status has the setuid\/setgid bit/);
	assert.match(out, /LICENSE is group- or world-writable/);
});

broken('a missing script, CRLF endings, a syntax error', () => {
	const out = problems(
		mutate((es) => {
			es.splice(es.indexOf(entry(es, 'scripts/postupgrade')), 1);
			entry(es, 'scripts/postinst').data = Buffer.from(text(entry(es, 'scripts/postinst')).replace(/\n/g, '\r\n'));
			entry(es, 'scripts/preinst').data = Buffer.from('#!/bin/sh\nif true; then\n');
		}),
	);
	assert.match(out, /scripts\/postupgrade is missing/);
	assert.match(out, /scripts\/postinst has CRLF line endings/);
	assert.match(out, /scripts\/preinst: sh -n:/);
});

function info(change: (text: string) => string): Buffer {
	return mutate((es) => (entry(es, 'INFO').data = Buffer.from(change(text(entry(es, 'INFO'))))));
}

broken('a dependency on an end-of-life Node.js, or on none', () => {
	assert.match(problems(info((t) => t.replace('Node.js_v22', 'Node.js_v20'))), /names Node\.js_v20; Node 20 has reached its end of life: depend on Node\.js_v22/);
	assert.match(problems(info((t) => t.replace('install_dep_packages="Node.js_v22"', 'install_dep_packages="WebStation"'))), /does not name Synology's Node\.js package \(Node\.js_v22\)/);
	assert.equal(validateSpk(info((t) => t.replace('Node.js_v22', 'Node.js_v24'))), [], 'a newer one is fine');
});

broken('INFO without its links and changelog, or with a link that is not one', () => {
	const out = problems(info((t) => t.replace(/^maintainer_url=.*\n/m, '').replace(/^helpurl=.*$/m, 'helpurl="javascript:alert(1)"').replace(/^changelog=.*\n/m, '')));
	assert.match(out, /INFO: maintainer_url "" is not a web address/);
	assert.match(out, /INFO: helpurl "javascript:alert\(1\)" is not a web address/);
	assert.match(out, /INFO: changelog is missing/);
	assert.match(problems(info((t) => t.replace(/^helpurl=.*$/m, 'helpurl="/webman/3rdparty/equilybrium/nothing.html"'))), /helpurl points to ui\/nothing\.html, which package\.tgz does not hold/);
});

broken('a data-share whose share is typed (a typo would make a new share), given to another user, or with another worker', () => {
	const out = problems(
		mutate((es) => {
			const wizard = JSON.parse(text(entry(es, 'WIZARD_UIFILES/install_uifile')));
			const item = wizard[0].items[1];
			item.type = 'textfield';
			delete item.subitems[0].api_store;
			entry(es, 'WIZARD_UIFILES/install_uifile').data = Buffer.from(JSON.stringify(wizard));
			entry(es, 'conf/resource').data = Buffer.from(JSON.stringify({ 'data-share': { shares: [{ name: '{{wizard_config_share}}', permission: { rw: ['admin'] } }] }, sysnotify: {} }));
		}),
	);
	assert.match(out, /"wizard_config_share" names the shared folder given to data-share; it must be picked from DSM's list/);
	assert.match(out, /data-share gives "rw" to \["admin"\]; only the package user "equilybrium" may be named/);
	assert.match(out, /"sysnotify" is not a resource worker a package without root may use/);
	const unknown = problems(mutate((es) => (entry(es, 'conf/resource').data = Buffer.from('{"data-share":{"shares":[{"name":"{{wizard_nope}}","permission":{"rw":["equilybrium"]}}]}}'))));
	assert.match(unknown, /names a wizard key that WIZARD_UIFILES\/install_uifile does not ask for/);
});

broken('an app in ui/config whose script or window is missing', () => {
	const out = problems(
		mutate((es) => {
			const tgz = entry(es, 'package.tgz');
			const inner: TarEntry[] = readTar(gunzipSync(tgz.data!)).map((e) => (e.type === '5' ? { name: e.name, mode: e.mode } : { name: e.name, mode: e.mode, data: e.data }));
			inner.splice(inner.indexOf(entry(inner, 'ui/equilybrium.js')), 1);
			const config = JSON.parse(text(entry(inner, 'ui/config')));
			delete config['equilybrium.js']['SYNO.SDS.Equilybrium.MainWindow'];
			entry(inner, 'ui/config').data = Buffer.from(JSON.stringify(config));
			tgz.data = gzipSync(writeTar(inner, 0));
			entry(es, 'INFO').data = Buffer.from(text(entry(es, 'INFO')).replace(/checksum="\w+"/, `checksum="${createHash('md5').update(tgz.data).digest('hex')}"`));
		}),
	);
	assert.match(out, /ui\/config names equilybrium\.js, which package\.tgz does not hold/);
	assert.match(out, /the app SYNO\.SDS\.Equilybrium\.Application names the window "SYNO\.SDS\.Equilybrium\.MainWindow", which is not defined beside it/);
});

broken('icons of the wrong size', () => {
	assert.match(problems(mutate((es) => (entry(es, 'PACKAGE_ICON_256.PNG').data = drawIcon(64)))), /PACKAGE_ICON_256\.PNG is 64×64, expected 256×256/);
});

broken('JSON that does not parse (wizard; ui/config inside package.tgz, checksum kept right)', () => {
	const out = problems(
		mutate((es) => {
			entry(es, 'WIZARD_UIFILES/install_uifile').data = Buffer.from('[{"step_title": }]');
			const tgz = entry(es, 'package.tgz');
			const inner: TarEntry[] = readTar(gunzipSync(tgz.data!)).map((e) => (e.type === '5' ? { name: e.name, mode: e.mode } : { name: e.name, mode: e.mode, data: e.data }));
			entry(inner, 'ui/config').data = Buffer.from('{ not json');
			tgz.data = gzipSync(writeTar(inner, 0));
			const md5 = createHash('md5').update(tgz.data).digest('hex');
			entry(es, 'INFO').data = Buffer.from(text(entry(es, 'INFO')).replace(/checksum="\w+"/, `checksum="${md5}"`));
		}),
	);
	assert.match(out, /WIZARD_UIFILES\/install_uifile is not valid JSON/);
	assert.match(out, /ui\/config is not valid JSON/);
	assert.not.match(out, /checksum/);
});

broken.run();
