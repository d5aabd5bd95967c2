// Pieces of `pnpm bench`, importable by a smoke test: timing a command, reading its peak
// memory from /usr/bin/time -v, and the table.
import { spawnSync } from 'node:child_process';

export interface Timing {
	seconds: number;
	/** Peak resident memory in KiB, when measured through /usr/bin/time -v. */
	maxRssKiB?: number;
	status: number;
}

/** Runs a shell command (output discarded) and measures its wall time, and peak RSS if asked; `env` replaces the environment. */
export function timeCommand(command: string, options: { rss?: boolean; before?: () => void; env?: NodeJS.ProcessEnv } = {}): Timing {
	options.before?.();
	const wrapped = options.rss ? `/usr/bin/time -v sh -c ${quote(command)} 2>&1 >/dev/null | grep -E 'Maximum resident|Exit status' ` : `${command} >/dev/null`;
	const start = process.hrtime.bigint();
	const result = spawnSync('sh', ['-c', wrapped], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'], ...(options.env ? { env: options.env } : {}) });
	const seconds = Number(process.hrtime.bigint() - start) / 1e9;
	if (!options.rss) return { seconds, status: result.status ?? -1 };
	const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stdout)?.[1];
	const status = /Exit status: (\d+)/.exec(result.stdout)?.[1];
	return { seconds, maxRssKiB: rss ? Number(rss) : undefined, status: status ? Number(status) : -1 };
}

/** Best of `n`: on a shared machine the fastest run is the one least disturbed. */
export function bestOf(n: number, run: () => Timing): Timing & { all: number[] } {
	return best(Array.from({ length: n }, run));
}

/**
 * Best of `n` each, ours and the peer's taking turns: a neighbour that loads the machine for
 * a few seconds then slows both alike, where n of one followed by n of the other would put
 * the whole disturbance on one side of the ratio.
 */
export function alternating(n: number, ours: () => Timing, peer: () => Timing): { ours: Timing & { all: number[] }; peer: Timing & { all: number[] } } {
	const a: Timing[] = [];
	const b: Timing[] = [];
	for (let i = 0; i < n; i++) {
		a.push(ours());
		b.push(peer());
	}
	return { ours: best(a), peer: best(b) };
}

function best(runs: Timing[]): Timing & { all: number[] } {
	const fastest = runs.reduce((x, y) => (y.seconds < x.seconds ? y : x));
	return { ...fastest, all: runs.map((r) => r.seconds) };
}

export interface Row {
	case: string;
	ours: string;
	peer: string;
	peerName: string;
	ratio?: number;
	target: string;
	met: boolean | undefined;
}

export function table(rows: Row[]): string {
	const head = ['case', 'Equilybrium', 'peer', 'peer time', 'ratio', 'target', 'met'];
	const body = rows.map((r) => [
		r.case,
		r.ours,
		r.peerName,
		r.peer,
		r.ratio === undefined ? '' : `${r.ratio.toFixed(2)} ×`,
		r.target,
		r.met === undefined ? '—' : r.met ? 'yes' : 'NO',
	]);
	const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
	const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
	return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export const seconds = (s: number) => `${s.toFixed(2)} s`;
export const mib = (kib: number | undefined) => (kib === undefined ? '?' : `${(kib / 1024).toFixed(0)} MiB`);

export function quote(s: string): string {
	return `'${s.replace(/'/g, `'\\''`)}'`;
}
