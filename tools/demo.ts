// pnpm demo: the real CLI (dist/equilybrium.cjs) plays A and B on the bundled demo tree in a
// temp folder: a first run on each side, then a day of life — an edit, silent rot on each
// side, a move, a deletion, a new file — and the runs, events, comparison and report after.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
const bundle = join(repo, 'dist/equilybrium.cjs');
if (!existsSync(bundle) || process.argv.includes('--build')) {
	const built = spawnSync('pnpm', ['-s', 'build'], { cwd: repo, stdio: 'inherit' });
	if (built.status !== 0) process.exit(1);
}

const root = mkdtempSync(join(tmpdir(), 'equilybrium-demo-'));
const pc = join(root, 'PC');
const nas = join(root, 'NAS/volume1/backup');
const config = join(root, 'config folder (synced between A and B)');
const yesterday = new Date(Date.now() - 86_400_000);
// the person's phone: a local webhook server (ntfy would take the same POST), in its own process
// so that the demo's runs, started synchronously, can reach it
const phone = await startPhone(join(root, 'phone.jsonl'));

// A's folders, and B's copy of them as a sync tool would have made it, under other names
cpSync(join(repo, 'fixtures/demo/pc'), pc, { recursive: true });
cpSync(join(pc, 'Photos'), join(nas, 'photos'), { recursive: true });
cpSync(join(pc, 'Documents'), join(nas, 'docs'), { recursive: true });
for (const dir of [pc, nas]) dateAll(dir, yesterday);
mkdirSync(config, { recursive: true });
writeFileSync(
	join(config, 'equilybrium.config.ini'),
	`[Settings]
# The demo names the roles with --role; a real setup matches each machine's ID.
ID method = hostname
A = demo-pc
B = demo-nas
Hash algorithm = sha256
Block size = 2 ** 18

[Monitored Directories]
A = [
    ${JSON.stringify(join(pc, 'Photos'))},
    ${JSON.stringify(join(pc, 'Documents'))}
    ]
B = {"Photos": ${JSON.stringify(join(nas, 'photos'))}, "Docs": ${JSON.stringify(join(nas, 'docs'))}}

[Notifications]
# ntfy, Gotify-style services and most push services take this POST; here, a local server
Webhook = ${phone.url}
Desktop = no
`,
);

title(`Demo folder: ${root}`);
say('A (the PC) is PC/Photos and PC/Documents; B (the NAS) keeps them as NAS/volume1/backup/{photos,docs}.');

title('Notifications: a test message to the webhook before any run');
cli('notify', '--test', '--role', 'A');

title('Day 1 — first runs: B, then A (A compares with B and appends the report)');
cli('run', '--role', 'B');
cli('run', '--role', 'A');

title('Day 2 — life happens on A, the sync tool mirrors it to B, B runs at night');
step('edit PC/Documents/todo.txt', () => writeFileSync(join(pc, 'Documents/todo.txt'), 'shopping: milk, eggs, bread\n'));
step('bit rot in PC/Photos/2023/mountain.jpg (one byte flipped, modification time kept)', () => rot(join(pc, 'Photos/2023/mountain.jpg')));
step('move PC/Documents/letter.txt to PC/Documents/taxes/letter.txt', () => renameSync(join(pc, 'Documents/letter.txt'), join(pc, 'Documents/taxes/letter.txt')));
step('delete PC/Documents/empty-notes.txt', () => rmSync(join(pc, 'Documents/empty-notes.txt')));
step('save PC/Documents/contract.pdf', () => writeFileSync(join(pc, 'Documents/contract.pdf'), '%PDF-1.7 a signed contract\n'));
step('the sync tool copies todo.txt, moves letter.txt and deletes empty-notes.txt on B — but misses contract.pdf', () => {
	cpSync(join(pc, 'Documents/todo.txt'), join(nas, 'docs/todo.txt'), { preserveTimestamps: true });
	renameSync(join(nas, 'docs/letter.txt'), join(nas, 'docs/taxes/letter.txt'));
	rmSync(join(nas, 'docs/empty-notes.txt'));
});
step("bit rot on the NAS in docs/taxes/2023.txt (the sync tool sees the same size and time, and copies nothing)", () => rot(join(nas, 'docs/taxes/2023.txt')));
cli('run', '--role', 'B');

title('Day 3 — a new file on A after B ran, then A runs in the morning');
step('add PC/Documents/new-recipe.txt', () => writeFileSync(join(pc, 'Documents/new-recipe.txt'), 'pancakes: flour, milk, eggs\n'));
cli('run', '--role', 'A');

title('equilybrium compare — A versus B from the two databases');
cli('compare');

title('equilybrium report — the latest section of equilybrium.report.txt');
cli('report');

title('What landed in the config folder');
for (const name of readdirSync(config).sort()) say(`  ${name.padEnd(42)} ${statSync(join(config, name)).size.toLocaleString('en-US').padStart(8)} bytes`);
title('Event logs (one line per event: time, type, key, details)');
for (const name of readdirSync(config).filter((n) => n.includes('.Event.')).sort()) {
	say(`  ${name}`);
	for (const line of readFileSync(join(config, name), 'utf8').trim().split('\n')) say(`    ${line.length > 150 ? line.slice(0, 147) + '...' : line}`);
}
title('Notifications: what each run did (equilybrium.A.last-run.json, the run record)');
const record = JSON.parse(readFileSync(join(config, 'equilybrium.A.last-run.json'), 'utf8')) as { outcome: string; verdict?: { status: string; headline: string }; notifications?: unknown };
say(`  A: outcome ${record.outcome}, verdict ${record.verdict?.status}: ${record.verdict?.headline}`);
say(`  notifications: ${JSON.stringify(record.notifications ?? 'none: nothing new since the last message')}`);
phone.stop();
say(`\nEverything is in ${root} — remove it when done.`);

// --- helpers ---

function cli(...args: string[]): void {
	say(`\n$ equilybrium ${args.join(' ')}`);
	const r = spawnSync(process.execPath, [bundle, ...args, '--config', config], { encoding: 'utf8', env: { ...process.env, EQUILYBRIUM_DESKTOP: 'none' } });
	process.stdout.write(r.stdout.replace(/^/gm, '  '));
	if (r.stderr) process.stdout.write(r.stderr.replace(/^/gm, '  '));
	say(`  (exit code ${r.status}${r.status === 1 ? ': something to look at' : ''})`);
	phone.show();
}

/** A webhook server in a child process, appending each POST it gets to `log`; show() prints the new ones. */
async function startPhone(log: string): Promise<{ url: string; show(): void; stop(): void }> {
	writeFileSync(log, '');
	const server = spawn(process.execPath, ['-e', `
		const http = require('node:http'), fs = require('node:fs');
		const server = http.createServer((req, res) => {
			const chunks = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', () => {
				fs.appendFileSync(process.argv[1], JSON.stringify({ method: req.method, url: req.url, type: req.headers['content-type'], title: req.headers.title, body: Buffer.concat(chunks).toString('utf8') }) + '\\n');
				res.end('{"ok":true}');
			});
		});
		server.listen(0, '127.0.0.1', () => console.log(server.address().port));
	`, log], { stdio: ['ignore', 'pipe', 'inherit'] });
	const port = await new Promise<string>((resolve) => server.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
	process.on('exit', () => server.kill());
	let shown = 0;
	return {
		url: `http://127.0.0.1:${port}/equilybrium-demo`,
		show() {
			const got = readFileSync(log, 'utf8').split('\n').filter(Boolean).slice(shown);
			shown += got.length;
			for (const line of got) {
				const m = JSON.parse(line) as { method: string; url: string; type: string; title: string; body: string };
				say(`  ↳ the webhook server received: ${m.method} ${m.url} (${m.type})\n    Title: ${m.title}`);
				say(m.body.trimEnd().replace(/^/gm, '    | '));
			}
		},
		stop: () => server.kill(),
	};
}

function rot(path: string): void {
	const { mtime, atime } = statSync(path);
	const bytes = readFileSync(path);
	const middle = Math.floor(bytes.length / 2);
	bytes[middle] = bytes[middle]! ^ 0x20;
	writeFileSync(path, bytes);
	utimesSync(path, atime, mtime);
}

function dateAll(dir: string, when: Date): void {
	for (const entry of readdirSync(dir, { withFileTypes: true })) {
		const path = join(dir, entry.name);
		if (entry.isDirectory()) dateAll(path, when);
		else utimesSync(path, when, when);
	}
}

function step(what: string, action: () => void): void {
	action();
	say(`  • ${what}`);
}

function title(text: string): void {
	say(`\n━━ ${text}`);
}

function say(text: string): void {
	process.stdout.write(text + '\n');
}
