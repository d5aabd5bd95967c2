// docs/getting-started.md, followed step by step on a simulated PC and NAS: the real program
// plays both sides (as the installer and the NAS page would drive it), a sync is done by
// copying, and the last step must end on "BACKUP OK". If the checklist's steps change, this
// test fails until it follows them again.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, runCli } from '../../core/test/util/bundle.ts';
import { removeDir, tempDir, writeTree } from '../../core/test/util/tree.ts';

/** What this test does for each step of the checklist, by its heading. */
const STEPS = [
	'1. On the NAS: install the package',
	'2. On the NAS: let the package read the folders it checks',
	'3. On the PC: install the program and choose the folders to monitor',
	'4. In FreeFileSync: mirror the folders, and pair the config folder both ways',
	'5. On the NAS: name B\'s folders with the same labels as A\'s',
	'6. Sync again',
	'7. First runs, in order: the NAS, the sync, the PC',
	'8. Read the verdict',
	'9. Be told (optional, recommended)',
];

/** The transient files the checklist tells FreeFileSync to leave out. */
const EXCLUDED = /\.(tmp|new|lock|checkpoint|plan)$/;

/** FreeFileSync's "Two way" on one folder level: each file goes where it is missing or older. */
function twoWay(a: string, b: string): void {
	for (const [from, to] of [[a, b], [b, a]] as const) {
		for (const name of readdirSync(from)) {
			if (EXCLUDED.test(name)) continue;
			const source = join(from, name);
			const target = join(to, name);
			if (existsSync(target) && statSync(target).mtimeMs >= statSync(source).mtimeMs) continue;
			copyFileSync(source, target);
			utimesSync(target, statSync(source).atime, statSync(source).mtime);
		}
	}
}

const test = suite('getting started, as docs/getting-started.md says');

test('the checklist has the steps this test follows, in order', () => {
	const headings = [...readFileSync(join(REPO, 'docs/getting-started.md'), 'utf8').matchAll(/^### (.+)$/gm)].map((m) => m[1]);
	assert.equal(headings, STEPS);
});

test('following it ends on BACKUP OK', () => {
	const world = tempDir('eq-start-');
	try {
		const pc = join(world, 'PC');
		const nas = join(world, 'NAS/volume1/backup');
		const pcConfig = join(world, 'PC/Sync/Equilybrium');
		const nasConfig = join(nas, 'Equilybrium');
		writeTree(join(pc, 'Photos'), { '2024/beach.jpg': 'sand and sea', '2024/hill.jpg': 'green' });
		writeTree(join(pc, 'Documents'), { 'taxes.txt': 'income', 'letters/mum.txt': 'hello' });

		// 1. the package's wizard: the config folder on a shared folder
		mkdirSync(nasConfig, { recursive: true });
		// 2. permissions: nothing to simulate (root reads everything here)
		// 3. the installer writes the config with A's folders (it calls init; --folders-file in the real one)
		const installed = runCli(['init', '--config', pcConfig, '--folder', join(pc, 'Photos'), '--folder', join(pc, 'Documents')]);
		assert.is(installed.status, 0, installed.stdout + installed.stderr);
		// 4. the mirror pairs, then the config folder's two-way pair
		cpSync(join(pc, 'Photos'), join(nas, 'Photos'), { recursive: true, preserveTimestamps: true });
		cpSync(join(pc, 'Documents'), join(nas, 'Documents'), { recursive: true, preserveTimestamps: true });
		twoWay(pcConfig, nasConfig);
		assert.ok(existsSync(join(nasConfig, 'equilybrium.config.ini')), 'the config reached the NAS');
		// 5. the NAS page saves B's folders, labelled as A's (the same key init writes for B)
		const saved = runCli(['init', '--config', nasConfig, '--role', 'B', '--folder', join(nas, 'Photos'), '--folder', join(nas, 'Documents')]);
		assert.is(saved.status, 0, saved.stdout + saved.stderr);
		// 6. sync again
		twoWay(pcConfig, nasConfig);
		// 7. B, the sync, A (the packages say their role: --role)
		const b = runCli(['run', '--role', 'B', '--config', nasConfig]);
		assert.is(b.status, 0, b.stdout + b.stderr);
		twoWay(pcConfig, nasConfig);
		const a = runCli(['run', '--role', 'A', '--config', pcConfig]);
		// 8. the verdict
		assert.is(a.status, 0, a.stdout + a.stderr);
		assert.match(a.stdout, /^BACKUP OK — all 4 files \(.+\) on A have a correct copy on B\.$/m);
		const report = readFileSync(join(pcConfig, 'equilybrium.report.txt'), 'utf8').split('\n');
		assert.match(report[1]!, /^BACKUP OK — all 4 files/);
		// 9. notifications are optional: none set, none sent
		assert.equal(JSON.parse(readFileSync(join(pcConfig, 'equilybrium.A.last-run.json'), 'utf8')).notifications ?? [], []);
	} finally {
		removeDir(world);
	}
});

test.run();
