import type { Io } from '../../src/io.ts';

/** A minimal PE image: MZ header, PE signature, optional header with the console subsystem. */
export function fakePe(magic: 0x10b | 0x20b | number): Buffer {
	const exe = Buffer.alloc(0x200);
	exe.write('MZ', 0, 'latin1');
	exe.writeUInt32LE(0x80, 0x3c);
	exe.write('PE\0\0', 0x80, 'latin1');
	exe.writeUInt16LE(magic, 0x80 + 24);
	exe.writeUInt16LE(3, 0x80 + 24 + 68);
	return exe;
}

/**
 * Splits a command line the way CommandLineToArgvW (and so Node on Windows) does:
 * 2n backslashes + quote → n backslashes and a quote toggle; 2n+1 → n and a literal quote.
 */
export function splitWindowsCommandLine(line: string): string[] {
	const args: string[] = [];
	let current = '';
	let quoted = false;
	let started = false;
	for (let i = 0; i < line.length; i++) {
		const ch = line[i]!;
		if (ch === '\\') {
			let n = 0;
			while (line[i] === '\\') {
				n++;
				i++;
			}
			if (line[i] === '"') {
				current += '\\'.repeat(Math.floor(n / 2));
				if (n % 2 === 1) current += '"';
				else quoted = !quoted;
			} else {
				current += '\\'.repeat(n);
				i--;
			}
			started = true;
		} else if (ch === '"') {
			quoted = !quoted;
			started = true;
		} else if ((ch === ' ' || ch === '\t') && !quoted) {
			if (started) args.push(current);
			current = '';
			started = false;
		} else {
			current += ch;
			started = true;
		}
	}
	if (started) args.push(current);
	return args;
}

/** An Io that records what a command prints. */
export function testIo(options: { cwd: string; env?: Record<string, string> }): Io & { lines: string[]; errors: string[] } {
	const lines: string[] = [];
	const errors: string[] = [];
	return {
		lines,
		errors,
		out: (line) => lines.push(line),
		write: (text) => lines.push(...text.replace(/\n$/, '').split('\n')),
		err: (line) => errors.push(line),
		cwd: options.cwd,
		env: options.env ?? {},
		machine: () => ({ hostname: 'test-pc', interfaces: {} }),
		version: 'test',
	};
}
