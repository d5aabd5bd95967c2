import type { Progress } from '@equilybrium/core';
import { humanBytes, thousands } from './format.ts';

/** One line redrawn in place on a terminal, at most ten times a second; nothing otherwise. */
export function createProgress(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }, enabled: boolean) {
	let last = 0;
	let shown = false;
	const started = Date.now();
	return {
		update(p: Progress) {
			if (!enabled) return;
			const now = Date.now();
			if (now - last < 100) return;
			last = now;
			const rate = p.hashedBytes / Math.max(0.001, (now - started) / 1000);
			const head = `${thousands(p.files)} files, ${humanBytes(p.hashedBytes)} read, ${humanBytes(rate)}/s  `;
			const width = Math.max(20, (stream.columns ?? 80) - 1);
			const tail = p.current ?? '';
			const room = width - head.length;
			const line = head + (tail.length > room ? '…' + tail.slice(tail.length - room + 1) : tail);
			stream.write(`\r${line.slice(0, width).padEnd(width)}`);
			shown = true;
		},
		clear() {
			if (shown) stream.write(`\r${' '.repeat(Math.max(20, (stream.columns ?? 80) - 1))}\r`);
			shown = false;
		},
	};
}
