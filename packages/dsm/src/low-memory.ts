// The V8 heap limits a run is started with. What a run holds is small (a few MiB of live heap
// and typed arrays of 17 bytes a file), but plain Node reserves a young generation of
// 2 × 16 MiB and lets old garbage grow far past the live heap on a machine with RAM to spare:
// a 1,000,000-file run peaked at ~170 MiB, ~100–125 MiB with these (issue #6: ≤ 128 MiB).
// V8 takes them only when the process starts, so they belong to whoever starts the run:
// the daemon here, and the Windows exe's SEA configuration (tools/win/sea.ts).
export const LOW_MEMORY_FLAGS: readonly string[] = ['--max-semi-space-size=1', '--max-old-space-size=48'];

export interface ProcessEnd {
	code: number | null;
	signal: NodeJS.Signals | null;
}

/**
 * Did the run die because V8 reached its heap limit? V8 then prints "… JavaScript heap out of
 * memory" and aborts: SIGABRT, or exit code 134 when a shell reports it. Both are required, so
 * a run that merely names the message (or exits on its own) is never taken for one.
 */
export function ranOutOfHeap(end: ProcessEnd, stderr: readonly string[]): boolean {
	const aborted = end.signal === 'SIGABRT' || end.code === 134;
	return aborted && stderr.some((line) => line.includes('heap out of memory'));
}
