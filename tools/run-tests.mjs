// Runs every *.test.ts in its own node process (each file also runs alone with
// `node --import tsx FILE`), two at a time, and ends with the line CI reads:
// "N passed, N failed" from uvu's own totals. A file that dies before its summary counts
// as one failure, so a crash can never pass unseen.
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';

const root = join(fileURLToPath(import.meta.url), '../..');
const filter = process.argv[2] ? new RegExp(process.argv[2]) : null;
const files = find(join(root, 'packages')).concat(find(join(root, 'tools'))).filter((f) => !filter || filter.test(f)).sort();
const width = Math.max(1, Math.min(Number(process.env.TEST_JOBS) || cpus().length, 4));

const WINE_FILE = /[\\/](win-(exe|installer|installer-pages|leftout)|notify-wine)\.test\.ts$/;

function passedAll(output, code) {
	const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
	const total = /Total:\s+(\d+)/.exec(plain)?.[1];
	const ok = /Passed:\s+(\d+)/.exec(plain)?.[1];
	return code === 0 && total !== undefined && total === ok;
}

let passed = 0;
let failed = 0;
const failures = [];

// Build every artefact once, before the tests, so that no two test files race to build the
// same one. A build that fails counts as a failure; the tests that need it fail on their own.
if (!process.env.TEST_NO_BUILD) {
	for (const script of ['build', 'build:win', 'build:spk']) {
		const started = Date.now();
		const { code, output } = await run('pnpm', ['-s', script]);
		const name = `pnpm ${script}`;
		if (code === 0) {
			passed++;
			process.stdout.write(`✔ ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
		} else {
			failed++;
			failures.push(name);
			process.stdout.write(`✘ ${name} failed (exit ${code}):\n${output}\n`);
		}
	}
}

const queue = [...files];
await Promise.all(Array.from({ length: width }, worker));
if (failures.length) console.log(`\nFailed files:\n${failures.map((f) => '  ' + f).join('\n')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed > 0 || files.length === 0 ? 1 : 0;

async function worker() {
	for (let file = queue.shift(); file; file = queue.shift()) {
		const started = Date.now();
		let { code, output } = await runFile(file);
		// Under Wine the exe now and then exits 1 with "wine client error:0: recvmsg: Connection
		// reset by peer": the wineserver went away under it, nothing of ours ran. A Wine test
		// file that fails is run once more, and says so; a real fault fails both times.
		if (WINE_FILE.test(file) && !passedAll(output, code)) {
			process.stdout.write(`↻ ${relative(root, file)} failed under Wine; running it once more. Its first output:\n${output}\n`);
			({ code, output } = await runFile(file));
		}
		const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
		const total = Number(/Total:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
		const ok = Number(/Passed:\s+(\d+)/.exec(plain)?.[1] ?? NaN);
		const name = relative(root, file);
		if (Number.isNaN(total) || Number.isNaN(ok)) {
			failed += 1;
			failures.push(name);
			process.stdout.write(`\n✘ ${name}: no summary (exit ${code})\n${plain}\n`);
			continue;
		}
		const bad = total - ok + (code !== 0 && total === ok ? 1 : 0);
		passed += ok;
		failed += bad;
		if (bad) failures.push(name);
		process.stdout.write(`${bad ? '✘' : '✔'} ${name}: ${ok}/${total} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
		if (bad || process.env.TEST_VERBOSE) process.stdout.write(plain + '\n');
	}
}

function runFile(file) {
	return run(process.execPath, ['--import', 'tsx', file]);
}

function run(command, args) {
	return new Promise((resolve) => {
		const child = spawn(command, args, {
			cwd: root,
			env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		child.stdout.on('data', (d) => (output += d));
		child.stderr.on('data', (d) => (output += d));
		child.on('close', (code) => resolve({ code, output }));
	});
}

function find(dir) {
	let out = [];
	let names = [];
	try {
		names = readdirSync(dir);
	} catch {
		return out;
	}
	for (const name of names) {
		if (name === 'node_modules' || name === 'fixtures' || name === 'dist') continue;
		const path = join(dir, name);
		if (statSync(path).isDirectory()) out = out.concat(find(path));
		else if (name.endsWith('.test.ts')) out.push(path);
	}
	return out;
}
