// The Windows exe under Wine sends its toast: Windows PowerShell is found at its path under
// %SystemRoot%, started with the arguments and environment the toast needs, and its exit code
// decides the delivery. Wine has no real PowerShell, so the prefix's powershell.exe is replaced
// by a stand-in that records what it was given: a copy of equilybrium.exe itself (a Node single
// executable honours NODE_OPTIONS), with a preloaded script that writes its arguments and the
// toast's environment to a file and exits — only in the copy started as PowerShell.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOAST_SCRIPT } from '../src/notify/desktop-windows.ts';
import { dist, ensureWinBuild, openWine, removeTree, winPath, type Wine } from './util/wine.ts';
import { tempDir } from '../../core/test/util/tree.ts';

const toast = suite('the toast from the Windows exe, under Wine');
let wine: Wine;
let dir = '';
let standIn = '';

toast.before(() => {
	ensureWinBuild();
	wine = openWine('notify');
	dir = tempDir('eq-toast-');
	standIn = join(wine.prefix, 'drive_c/windows/system32/WindowsPowerShell/v1.0/powershell.exe');
	mkdirSync(join(standIn, '..'), { recursive: true });
	copyFileSync(dist.exe, standIn);
	writeFileSync(
		join(dir, 'record.cjs'),
		`if (process.argv.includes('-NoProfile')) {
			require('node:fs').writeFileSync(${JSON.stringify(winPath(join(dir, 'powershell.json')))}, JSON.stringify({
				exe: process.execPath, args: process.argv.slice(2),
				xml: process.env.EQUILYBRIUM_TOAST_XML, app: process.env.EQUILYBRIUM_TOAST_APP,
			}));
			process.exit(Number(process.env.STAND_IN_EXIT || 0));
		}`,
	);
});
toast.after(() => {
	// Wine's own stub goes back for the next test file that uses this prefix
	rmSync(standIn, { force: true });
	wine?.stop();
	removeTree(dir);
});

function config(notifications: string): string {
	const cfg = join(dir, `cfg-${Math.random().toString(36).slice(2, 8)}`);
	mkdirSync(join(cfg, 'data'), { recursive: true });
	writeFileSync(join(cfg, 'data', 'Zoë’s notes.txt'), 'hello');
	writeFileSync(join(cfg, 'equilybrium.config.ini'), `[Settings]\nID method = hostname\nA = pc\n[Monitored Directories]\nA = {"Notes": ${JSON.stringify(winPath(join(cfg, 'data')))}}\n[Notifications]\n${notifications}\n`);
	return cfg;
}

const env = (extra: Record<string, string> = {}) => ({ NODE_OPTIONS: `--require=${winPath(join(dir, 'record.cjs'))}`, ...extra });

toast('notify --test: PowerShell 5.1 at its Windows path, the exact arguments, the toast in the environment; exit 0', () => {
	const cfg = config('Desktop = yes');
	const r = wine.run([dist.exe, 'notify', '--test', '--config', winPath(cfg), '--role', 'A'], { env: env() });
	assert.is(r.code, 0, r.stdout + r.stderr);
	assert.is(r.stdout.replace(/\r\n/g, '\n'), 'desktop: delivered (Windows notification shown)\n');
	const seen = JSON.parse(readFileSync(join(dir, 'powershell.json'), 'utf8'));
	assert.match(seen.exe, /^C:\\windows\\system32\\WindowsPowerShell\\v1\.0\\powershell\.exe$/i);
	assert.equal(seen.args, ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-WindowStyle', 'Hidden', '-Command', TOAST_SCRIPT]);
	assert.is(seen.app, 'Equilybrium.Monitor');
	assert.match(seen.xml, /<text>test message<\/text><text>Notifications from A \(the PC\) reach you here\.<\/text>/);
});

toast('a run: the toast names what is wrong, in the text a person reads; a PowerShell error is recorded, not fatal', () => {
	const cfg = config('Desktop = yes');
	rmSync(join(dir, 'powershell.json'), { force: true });
	assert.is(wine.run([dist.exe, 'run', '--config', winPath(cfg), '--role', 'A'], { env: env() }).code, 1, 'first run: B has no database, not verified');
	const seen = JSON.parse(readFileSync(join(dir, 'powershell.json'), 'utf8'));
	assert.match(seen.xml, /^<toast activationType="protocol" launch="equilybrium:open-report" scenario="reminder"><visual><binding template="ToastGeneric"><text>B's database cannot be used<\/text>/);
	const record = () => JSON.parse(readFileSync(join(cfg, 'equilybrium.A.last-run.json'), 'utf8'));
	assert.equal(record().notifications, [{ channel: 'desktop', ok: true, detail: 'Windows notification shown' }]);
	writeFileSync(join(cfg, 'data', 'new.txt'), 'new');
	rmSync(join(cfg, 'equilybrium.A.notify-state.json'));
	const r = wine.run([dist.exe, 'run', '--config', winPath(cfg), '--role', 'A'], { env: env({ STAND_IN_EXIT: '1' }) });
	assert.is(r.code, 1, 'the exit code is the run\'s, not the toast\'s');
	assert.equal(record().notifications, [{ channel: 'desktop', ok: false, detail: 'Windows PowerShell exited with 1' }]);
	assert.ok(existsSync(join(cfg, 'equilybrium.report.txt')));
});

toast.run();
