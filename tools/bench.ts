// `pnpm bench`: Equilybrium beside the Debian peers on the same files in the same run,
// printed as a table with ratios (issue 6). Not a test: numbers depend on the machine.
//
//   pnpm bench                 large + small + rolling + adler32 rows (about three minutes)
//   pnpm bench --million       also the 1,000,000-file memory rows (~12 min, ~4 GB of inodes)
//   pnpm bench --runs 15       repetitions per timing (best of; default 9)
//   BENCH_DIR=/path pnpm bench where the trees go (default: the system temp folder)
//
// Every timing is best-of-N wall time of a whole process (Node's start-up included), with
// the files in the page cache: CPU and system-call cost, not the disk's speed. Ours and the
// peer's runs take turns, so a busy spell on a shared machine slows both sides of a ratio.
// N is 9: on a shared VM a sub-second run varies by a fifth from one second to the next
// (ours more than a single-threaded peer's, as a run uses every core), and the best of 5
// still moved a ratio by ±5 % between two bench runs a minute apart.
//
// NODE_EXTRA_CA_CERTS is removed from the environment of every timed command: with it, Node
// reads and parses those certificates before running anything (~60 ms a start on the project's
// VM, whose shell sets it for its own tools), and Equilybrium opens no TLS connection. The
// NAS package and the Windows scheduled task start runs in environments that do not set it.
// When it was set, info rows show the small-file runs with it: the table says what it costs.
import { existsSync, mkdirSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildAll } from './build.ts';
import { makeTree, type TreeSpec } from './make-tree.ts';
import { diskOf } from '../packages/cli/src/machine.ts';
import { alternating, bestOf, mib, quote, seconds, table, timeCommand, type Row } from './bench-lib.ts';
import { LOW_MEMORY_FLAGS as LAUNCHER_FLAGS } from '../packages/dsm/src/low-memory.ts';

const root = join(fileURLToPath(import.meta.url), '../..');
const cli = join(root, 'dist/equilybrium.cjs');
const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 9;
const work = process.env.BENCH_DIR ?? join(tmpdir(), 'equilybrium-bench');
// see the header: taken out of the environment every timed command inherits
const extraCerts = process.env.NODE_EXTRA_CA_CERTS;
delete process.env.NODE_EXTRA_CA_CERTS;
const withCerts = extraCerts ? { ...process.env, NODE_EXTRA_CA_CERTS: extraCerts } : undefined;

async function main(): Promise<void> {
	for (const tool of ['rhash', 'b3sum', 'sha256sum', 'find', '/usr/bin/time', 'python3']) {
		if (timeCommand(`command -v ${tool}`).status !== 0) throw new Error(`${tool} is not installed (apt-get install rhash b3sum coreutils findutils time python3)`);
	}
	await buildAll(['cli']);
	mkdirSync(work, { recursive: true });
	const rows: Row[] = [];
	const large = tree('large', { kind: 'large', count: 41, bytes: 25 << 20 });
	const small = tree('small', { kind: 'small', count: 50_000 });
	const legacy = tree('legacy', { kind: 'legacy', count: 20_000 });
	warm(large);
	warm(small);
	warm(legacy);

	// 1 GiB of 25 MiB files, sha256
	// "parallel" is the target's setting: the files are in the page cache. "auto" is what a
	// run does by default on this disk, shown as information: a disk that says it rotates
	// gets one large read at a time (virtual disks often say so, whatever is behind them).
	const rotational = (await diskOf(large)).rotational;
	for (const reads of ['parallel', 'auto'] as const) {
		const cfg = config(`large-${reads}`, large, `Verify = full\nDisk reads = ${reads}`);
		const { ours, peer } = alternating(runs, () => timeCommand(run(cfg), { before: () => fresh(cfg) }), () => timeCommand(`rhash --sha256 -r ${quote(large)}`));
		const row = compareRow(`1 GiB, 41 × 25 MiB, sha256 (Disk reads = ${reads})`, ours.seconds, 'rhash --sha256 -r', peer.seconds, 1.0);
		if (reads === 'auto') rows.push({ ...row, case: `${row.case.slice(0, -1)}: disk says rotational=${rotational ?? 'unknown'})`, target: 'info', met: undefined });
		else rows.push(row);
	}
	const b3 = bestOf(runs, () => timeCommand(`find ${quote(large)} -type f -print0 | xargs -0 b3sum`));
	const sha = bestOf(runs, () => timeCommand(`find ${quote(large)} -type f -print0 | xargs -0 sha256sum`));
	rows.push(infoRow('1 GiB, for reference', 'b3sum (multi-threaded)', b3.seconds));
	rows.push(infoRow('1 GiB, for reference', 'sha256sum', sha.seconds));

	// 50,000 small files, sha256: a first run (everything hashed)
	const smallCfg = config('small', small, 'Verify = rolling 30');
	const rhashSmall = () => timeCommand(`rhash --sha256 -r ${quote(small)}`);
	const first = alternating(runs, () => timeCommand(run(smallCfg), { before: () => fresh(smallCfg) }), rhashSmall);
	rows.push(compareRow('50,000 files 100 B – 8 KiB, sha256, first run', first.ours.seconds, 'rhash --sha256 -r', first.peer.seconds, 1.5));
	if (withCerts) {
		const again = alternating(runs, () => timeCommand(run(smallCfg), { before: () => fresh(smallCfg), env: withCerts }), rhashSmall);
		rows.push(certsRow('50,000 files, first run', again.ours.seconds, 'rhash --sha256 -r', again.peer.seconds));
	}

	// the same files again, Verify = rolling 30, nothing due
	timeCommand(run(smallCfg), { before: () => fresh(smallCfg) });
	const findSmall = () => timeCommand(`find ${quote(small)} -type f -printf '%s %T@\\n'`);
	const second = alternating(runs, () => timeCommand(run(smallCfg)), findSmall);
	rows.push(compareRow('50,000 files, second run, rolling 30, nothing due', second.ours.seconds, "find -type f -printf '%s %T@'", second.peer.seconds, 3.0));
	if (withCerts) {
		const again = alternating(runs, () => timeCommand(run(smallCfg), { env: withCerts }), findSmall);
		rows.push(certsRow('50,000 files, second run', again.ours.seconds, "find -type f -printf '%s %T@'", again.peer.seconds));
	}

	// the original Equilybrium's default algorithm, on the case measured against it (issue 19):
	// its first run is a Python loop of zlib.adler32 over each file's blocks (tools/bench-adler32.py)
	const legacyCfg = config('legacy', legacy, 'Verify = full', 'adler32');
	const adler = alternating(runs, () => timeCommand(run(legacyCfg), { before: () => fresh(legacyCfg) }), () => timeCommand(`python3 ${quote(join(root, 'tools/bench-adler32.py'))} ${quote(legacy)}`));
	rows.push(compareRow('20,000 files 1 – 64 KiB + 20 × 20 MiB, adler32, first run', adler.ours.seconds, 'Python zlib.adler32 loop', adler.peer.seconds, 1.0));

	if (args.includes('--million')) rows.push(...million());

	console.log(`\nEquilybrium ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${availableParallelism()} logical CPUs, best of ${runs} (ours and the peer alternating), files in the page cache\n`);
	if (extraCerts) console.log(`NODE_EXTRA_CA_CERTS (${extraCerts}) was set in this shell: every timed command ran without it but the row that says so\n`);
	console.log(table(rows));
}

/**
 * The heap limits the launchers start a run with (the DSM daemon, the Windows exe's SEA
 * configuration): V8 sizes its young generation and lets old garbage grow only as it starts.
 */
export const LOW_MEMORY_FLAGS = LAUNCHER_FLAGS.join(' ');

function million(): Row[] {
	const dir = join(work, 'million');
	const rows: Row[] = [];
	try {
		makeTree(dir, { kind: 'million', count: 1_000_000 });
		const cfg = join(work, 'cfg-million');
		rmSync(cfg, { recursive: true, force: true });
		mkdirSync(cfg, { recursive: true });
		writeFileSync(join(cfg, 'equilybrium.config.ini'), `[Settings]\nID method = hostname\nA = bench-a\nB = bench-b\nVerify = rolling 30\n[Monitored Directories]\nA = ${JSON.stringify({ million: dir })}\nB = ${JSON.stringify({ million: dir })}\n`);
		const eq = (flags: string, rest: string) => timeCommand(`node ${flags} ${quote(cli)} ${rest} --config ${quote(cfg)}`, { rss: true });
		const f = `node ${LOW_MEMORY_FLAGS}`;
		// as the launchers start it (the DSM daemon, the Windows exe), then plain node for comparison
		rows.push(memoryRow(`1,000,000 files, first run, role B (${f})`, eq(LOW_MEMORY_FLAGS, 'run --role B --quiet')));
		// A runs on the PC (the exe has no old-space cap there); here as information: run and compare in one process
		const a = memoryRow(`1,000,000 files, first run, role A: also compares, reports (${f})`, eq(LOW_MEMORY_FLAGS, 'run --role A --quiet'));
		rows.push({ ...a, target: 'info', met: undefined });
		rows.push(memoryRow(`1,000,000 files, second run, rolling, nothing due (${f})`, eq(LOW_MEMORY_FLAGS, 'run --role B --quiet')));
		if (timeCommand(`node ${quote(cli)} compare --help`).status === 0) rows.push(memoryRow(`1,000,000 files, equilybrium compare (${f})`, eq(LOW_MEMORY_FLAGS, 'compare')));
		else rows.push({ case: '1,000,000 files, equilybrium compare', ours: 'command not there yet', peer: '', peerName: '', target: '≤ 128 MiB RSS', met: undefined });
		rows.push(memoryRow('1,000,000 files, second run, plain node (default V8 heap sizing)', eq('', 'run --role B --quiet')));
		fresh(cfg);
		rows.push(memoryRow('1,000,000 files, first run, role B, plain node', eq('', 'run --role B --quiet')));
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	return rows;
}

// --- helpers ---

function tree(name: string, spec: TreeSpec): string {
	const dir = join(work, name);
	const marker = join(work, `${name}.ok`);
	if (!existsSync(marker)) {
		rmSync(dir, { recursive: true, force: true });
		console.log(`making ${dir}…`);
		makeTree(dir, spec);
		writeFileSync(marker, JSON.stringify(spec));
	}
	return dir;
}

/** Reads every file once so all timings start from the page cache. */
function warm(dir: string): void {
	timeCommand(`find ${quote(dir)} -type f -exec cat {} + > /dev/null`);
}

function config(name: string, dir: string, extra: string, algorithm = 'sha256'): string {
	const cfg = join(work, `cfg-${name}`);
	mkdirSync(cfg, { recursive: true });
	// role B: a monitoring run alone (A also compares with B and appends the report)
	writeFileSync(join(cfg, 'equilybrium.config.ini'), `[Settings]\nID method = hostname\nB = bench-b\nHash algorithm = ${algorithm}\n${extra}\n[Monitored Directories]\nB = ${JSON.stringify({ data: dir })}\n`);
	return cfg;
}

const run = (cfg: string) => `node ${quote(cli)} run --config ${quote(cfg)} --role B --quiet`;

/** Removes what a run leaves, so the next one is a first run. */
function fresh(cfg: string): void {
	for (const name of readdirSync(cfg)) if (name.startsWith('equilybrium.B.')) unlinkSync(join(cfg, name));
}

function compareRow(name: string, ours: number, peerName: string, peer: number, target: number): Row {
	const ratio = ours / peer;
	return { case: name, ours: seconds(ours), peerName, peer: seconds(peer), ratio, target: `≤ ${target.toFixed(1)} ×`, met: ratio <= target };
}

/** A run with NODE_EXTRA_CA_CERTS as the shell set it: information beside the target's row. */
function certsRow(name: string, ours: number, peerName: string, peer: number): Row {
	return { ...compareRow(`${name}, with NODE_EXTRA_CA_CERTS as this shell sets it`, ours, peerName, peer, 1), target: 'info', met: undefined };
}

function infoRow(name: string, peerName: string, peer: number): Row {
	return { case: name, ours: '', peerName, peer: seconds(peer), target: '', met: undefined };
}

function memoryRow(name: string, t: ReturnType<typeof timeCommand>): Row {
	const ok = t.status === 0 || t.status === 1;
	return { case: name, ours: `${mib(t.maxRssKiB)} peak, ${seconds(t.seconds)}${ok ? '' : ` (exit ${t.status})`}`, peerName: '', peer: '', target: '≤ 128 MiB RSS', met: ok && t.maxRssKiB !== undefined && t.maxRssKiB <= 128 * 1024 };
}

main().catch((error: unknown) => {
	console.error(error);
	process.exitCode = 1;
});
