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
	assert.match(info, /^install_dep_packages="Node\.js_v20"$/m);
	assert.match(info, /^os_min_ver="7\.2-\d+"$/m);
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
