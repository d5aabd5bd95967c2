import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPORT_FILE } from '@equilybrium/core';
import { EXIT } from '../errors.ts';
import { configDir } from './_shared.ts';
import type { ParsedArgs } from '../args.ts';
import type { Io } from '../io.ts';

// What a click on the Windows toast runs: the installer registers the URL protocol
// "equilybrium:" as `equilybrium-windowless.exe open-report --config "<folder>" "%1"`. The URI a
// web page could also invoke carries nothing that is used: the folder comes from the
// installer's registration, and only its report file is opened.

export async function openReportCommand(args: ParsedArgs, io: Io): Promise<number> {
	const report = join(configDir(args, io), REPORT_FILE);
	if (!existsSync(report)) {
		io.err(`equilybrium: ${report}: no report yet (A writes it after its first run)`);
		return EXIT.FAILED;
	}
	const [command, argv] = opener(report);
	return new Promise<number>((resolve) => {
		const child = spawn(command, argv, { detached: true, stdio: 'ignore', windowsHide: true });
		child.on('error', (error) => {
			io.err(`equilybrium: could not open ${report} with ${command}: ${error.message}`);
			resolve(EXIT.FAILED);
		});
		child.on('spawn', () => {
			child.unref();
			resolve(EXIT.OK);
		});
	});
}

/** The desktop's own way to open a file with its usual program. */
export function opener(path: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
	if (platform === 'win32') return ['explorer.exe', [path]];
	if (platform === 'darwin') return ['open', [path]];
	return ['xdg-open', [path]];
}
