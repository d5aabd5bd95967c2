// A world for crash tests (SPEC §13): a PC tree and a NAS tree, a config folder, the built
// CLI run as a real process with faults injected by fault.cjs, and what a run must leave.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dbFileName, EVENT_TYPES, eventLogName, openDb, parseEventLine, REPORT_FILE, type Role } from '../../src/index.ts';
import { ensureBundle } from './bundle.ts';
import { corruptInPlace, removeDir, tempDir, writeConfig, writeTree } from './tree.ts';

const FAULT = fileURLToPath(new URL('./fault.cjs', import.meta.url));
/** The bundle under test: EQ_BUNDLE runs these tests against another build (an older one, to see them fail). */
const bundle = () => process.env.EQ_BUNDLE ?? ensureBundle();

export interface Fault {
	op: string;
	path: string;
	nth?: number;
	when?: 'before' | 'after' | 'half';
	action: 'kill' | 'enospc';
	sticky?: boolean;
}

export interface World {
	dir: string;
	cfg: string;
	pc: string;
	nas: string;
}

const EDITED = new Date('2024-05-03T08:00:00Z');

/** Twelve files a side, the same content on both (B's under another label and path). */
export function makeWorld(): World {
	const dir = tempDir('eq-crash-');
	const pc = join(dir, 'pc');
	const nas = join(dir, 'nas');
	const cfg = join(dir, 'cfg');
	const files: Record<string, string> = {};
	for (let i = 0; i < 12; i++) files[`d${i % 3}/f${String(i).padStart(2, '0')}.txt`] = `file number ${i} `.repeat(i + 1);
	writeTree(pc, files);
	writeTree(nas, files);
	writeConfig(cfg, { a: { Docs: pc }, b: { Docs: nas }, extra: 'Workers = 0' });
	return { dir, cfg, pc, nas };
}

/** A day of changes on one side's tree: new files, an edit, bit rot, a move, a removal. */
export function changeTree(root: string): void {
	writeTree(root, { 'd0/new-1.txt': 'a new file', 'd1/new-2.txt': 'another new file' });
	writeTree(root, { 'd1/f01.txt': 'edited content' }, EDITED);
	corruptInPlace(join(root, 'd2/f02.txt'), 'rotten bytes!!!!!!!!!!!!!'.slice(0, 'file number 2 '.repeat(3).length));
	renameSync(join(root, 'd0/f03.txt'), join(root, 'd1/f03-moved.txt'));
	unlinkSync(join(root, 'd2/f05.txt'));
}

export function copyWorld(world: World): World {
	const dir = tempDir('eq-crash-');
	cpSync(world.dir, dir, { recursive: true, preserveTimestamps: true });
	// the config names the trees by their paths: point it at the copies
	const ini = join(dir, 'cfg', 'equilybrium.config.ini');
	const text = readFileSync(ini, 'utf8').split(JSON.stringify(world.dir).slice(1, -1)).join(JSON.stringify(dir).slice(1, -1));
	writeTree(join(dir, 'cfg'), { 'equilybrium.config.ini': text }, new Date());
	return { dir, cfg: join(dir, 'cfg'), pc: join(dir, 'pc'), nas: join(dir, 'nas') };
}

export function dropWorld(world: World): void {
	removeDir(world.dir);
}

/** One run of the built CLI, with faults when given; never hangs a test (SIGKILL after 60 s). */
export function runSide(world: World, role: Role, faults: Fault[] = [], args: string[] = []): SpawnSyncReturns<string> {
	const env: NodeJS.ProcessEnv = { ...process.env };
	delete env.EQ_FAULT;
	if (faults.length) env.EQ_FAULT = JSON.stringify(faults);
	return spawnSync(process.execPath, ['--require', FAULT, bundle(), 'run', '--role', role, '--config', world.cfg, '--quiet', ...args], {
		encoding: 'utf8',
		env,
		timeout: 60_000,
		killSignal: 'SIGKILL',
	});
}

/** Every event line of a side's logs, without its time: `Type\tkey[\tdetails]`, sorted. */
export function loggedEvents(world: World, role: Role): string[] {
	const lines: string[] = [];
	for (const type of EVENT_TYPES) {
		const path = join(world.cfg, eventLogName(role, type));
		if (!existsSync(path)) continue;
		for (const line of readFileSync(path, 'utf8').split('\n')) {
			if (line === '') continue;
			const event = parseEventLine(line);
			lines.push(event ? `${event.type}\t${event.key}${event.details ? `\t${event.details}` : ''}` : `UNPARSED ${line}`);
		}
	}
	return lines.sort();
}

/** The database opens, sealed (undefined when there is none). */
export async function sealedRun(world: World, role: Role): Promise<string | undefined> {
	const db = await openDb(join(world.cfg, dbFileName(role)));
	return db?.run.startedAt;
}

/** The keys A's report sections name under "A's events" after the first `skip` sections. */
export function reportedAEventKeys(world: World, skip: number): string[] {
	const path = join(world.cfg, REPORT_FILE);
	if (!existsSync(path)) return [];
	const sections = readFileSync(path, 'utf8').split(/^(?==== Equilybrium report )/m).slice(skip);
	const keys: string[] = [];
	for (const section of sections) {
		const part = /^A's events [^\n]*:\n([\s\S]*?)(?:\n\n|\nB's events|$)/m.exec(section)?.[1] ?? '';
		for (const line of part.split('\n')) {
			const item = /^ {4}(\S.*?)(?: \(| — |$)/.exec(line);
			if (item) keys.push(item[1]!);
		}
	}
	return keys.sort();
}

export function leftovers(world: World): string[] {
	return readdirSync(world.cfg).filter((name) => /\.(tmp|new|plan|lock|checkpoint|next)$/.test(name)).sort();
}

export { removeDir, rmSync };
