// A side with no folders to monitor checks nothing. Such a run must never pass for a quiet
// night: it ends as a config error (exit 2) naming what to do, and on A it also appends a
// report section whose verdict line says NOTHING CHECKED, where the person looks.
import { configError, type CoreError } from '../errors.ts';
import { appendReportSection, sectionHeading } from './reportfile.ts';
import type { Config, Role } from '../config/config.ts';

export const noFoldersHeadline = (role: Role) => `NOTHING CHECKED — no folders to monitor on ${role}`;

/** The error such a run ends with: the file, the key, and the command that fixes it. */
export function noFoldersError(config: Config, role: Role): CoreError {
	const example = role === 'A' ? 'D:\\Photos' : '/volume1/photo';
	return configError(
		config.file,
		config.lines[`monitored directories/${role.toLowerCase()}`],
		`[Monitored Directories] ${role}: no folders to monitor on ${role}, so nothing was checked. Add them: equilybrium init --config "${config.dir}" --folder "${example}" (repeat --folder for more), or list them under [Monitored Directories] ${role} in the file`,
	);
}

/** The report section of a run of A that had nothing to check. */
export function renderNoFoldersSection(config: Config, at: number): string {
	return [
		sectionHeading(at),
		noFoldersHeadline('A'),
		'',
		`The config (${config.file}) lists no folders for A under [Monitored Directories],`,
		'so this run read no file, and nothing on this PC is known to be backed up.',
		'Add the folders to monitor, then run a check again:',
		`  equilybrium init --config "${config.dir}" --folder "D:\\Photos" --folder "E:\\Music"`,
		'or run the installer again and choose them, or edit [Monitored Directories] A in the file.',
		'',
	].join('\n');
}

/** Says so where the person looks (A's report), and returns the error the run ends with. */
export async function reportNoFolders(config: Config, role: Role, at: number): Promise<CoreError> {
	if (role === 'A') await appendReportSection(config.dir, renderNoFoldersSection(config, at));
	return noFoldersError(config, role);
}
