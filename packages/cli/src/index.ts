import { parseArgs, flag, type FlagSpec } from './args.ts';
import { exitFor, EXIT, UsageError } from './errors.ts';
import { runCommand } from './commands/run.ts';
import { idCommand } from './commands/id.ts';
import { initCommand } from './commands/init.ts';
import { benchAlgorithmsCommand } from './commands/bench-algorithms.ts';
import { compareCommand } from './commands/compare.ts';
import { reportCommand } from './commands/report.ts';
import { scheduleCommand } from './commands/schedule.ts';
import { notifyCommand } from './commands/notify.ts';
import { openReportCommand } from './commands/open-report.ts';
import { importLegacyCommand } from './commands/import-legacy.ts';
import type { Io } from './io.ts';

export type { Io } from './io.ts';
export { EXIT } from './errors.ts';

interface Command {
	summary: string;
	usage: string;
	help: string;
	flags: FlagSpec;
	/** Words allowed after the command name (e.g. `schedule install`); none by default. */
	positionals?: number;
	run(args: ReturnType<typeof parseArgs>, io: Io): Promise<number>;
}

const COMMON = `  --config DIR    the config folder (default: the current folder)`;

const COMMANDS: Record<string, Command> = {
	run: {
		summary: 'hash the monitored folders, record what changed (A also compares with B and reports)',
		usage: 'equilybrium run [--config DIR] [--role A|B] [--dry-run] [--new-only] [--quiet] [--json] [--progress-file FILE]',
		help: `${COMMON}
  --role A|B      play this role instead of matching this machine's ID
  --dry-run       (or --simulate, the original Equilybrium's name) the whole run, every event
                  and A's verdict printed, and nothing written in the config folder: no
                  database, event log, report, run record or checkpoint; no notification.
                  It holds the side's lock while it runs, as a run does, and removes it
  --new-only      (or --differential-scan, the original's --differential_scan) read only
                  the files the database does not hold yet; known files keep their entries
                  as they are, for the next full run
  --quiet         no progress line and no event lines; the summary line, A's verdict and
                  what to do about files at risk are still printed
  --json          print the run record (SPEC §12, also written to
                  equilybrium.<role>.last-run.json) and nothing else
  --progress-file FILE
                  keep the run's progress in FILE as JSON (rewritten about once a second,
                  removed at the end), for a page to show; totals from the last run

On a terminal a progress line shows the files and bytes read, against the last run's totals
when there was one (share, rate, time left). A's run ends with the report's verdict line and,
when there is something to do, its "What to do" (the first files of each list; the report
has more).`,
		flags: { values: ['config', 'role', 'progress-file'], booleans: ['quiet', 'json', 'help', 'dry-run', 'simulate', 'new-only', 'differential-scan'] },
		run: runCommand,
	},
	id: {
		summary: "print this machine's IDs for every ID method",
		usage: 'equilybrium id [--config DIR]',
		help: `${COMMON}   (if a config is there, also say which role this machine matches)`,
		flags: { values: ['config'], booleans: ['help'] },
		run: idCommand,
	},
	compare: {
		summary: 'A versus B from the two databases alone: what is backed up, missing, outdated, corrupted',
		usage: 'equilybrium compare [--config DIR] [--json]',
		help: `${COMMON}
  --json          print every verdict list as JSON (SPEC §8) for tools and scripts`,
		flags: { values: ['config'], booleans: ['json', 'help'] },
		run: compareCommand,
	},
	report: {
		summary: "print the latest section of A's report (equilybrium.report.txt)",
		usage: 'equilybrium report [--config DIR]',
		help: COMMON,
		flags: { values: ['config'], booleans: ['help'] },
		run: reportCommand,
	},
	init: {
		summary: 'write a commented starter config for this machine',
		usage: 'equilybrium init [--config DIR] [--role A|B] [--folder PATH]... [--folders-file FILE] [--id-method "Python uuid"|hostname] [--force]',
		help: `${COMMON}
  --role A|B      the role this machine plays (default A)
  --folder PATH   a folder to monitor on this machine (repeat for several); with an
                  existing config, the folders it does not list yet are added to it
  --folders-file FILE  folders to monitor, one a line (UTF-8, or UTF-16LE with a BOM)
  --id-method M   "Python uuid" (default) or hostname
  --force         replace an existing config (the old one is kept as .bak)`,
		flags: { values: ['config', 'role', 'folder', 'folders-file', 'id-method'], booleans: ['force', 'help'] },
		run: initCommand,
	},
	'bench-algorithms': {
		summary: 'measure each hash algorithm and block size on this machine and recommend one',
		usage: 'equilybrium bench-algorithms [--seconds S] [--file PATH] [--workers N]',
		help: `  --seconds S     time spent on each algorithm and each block size (default 0.5)
  --file PATH     measure block sizes reading this file (a large one on the disk to monitor)
                  instead of a temporary file in the page cache
  --workers N     cores a run would hash on (default: this machine's)`,
		flags: { values: ['seconds', 'file', 'workers'], booleans: ['help'] },
		run: benchAlgorithmsCommand,
	},
	notify: {
		summary: 'send a test message on every channel [Notifications] sets (webhook, e-mail, desktop)',
		usage: 'equilybrium notify --test [--config DIR] [--role A|B] [--json]',
		help: `  --test          send the test message (works before the first run)
${COMMON}
  --role A|B      the role named in the message (default: this machine's)
  --json          print {"channels":[{"channel":"webhook","ok":true,"detail":"HTTP 200"}]}
Exit codes: 0 every channel delivered, 1 one failed, 2 no channel set or a bad config.`,
		flags: { values: ['config', 'role'], booleans: ['test', 'json', 'help'] },
		run: notifyCommand,
	},
	'import-legacy': {
		summary: "make this side's database from the original Equilybrium's (its data/A.DB.json or B.DB.json)",
		usage: 'equilybrium import-legacy FILE [--role A|B] [--config DIR]',
		help: `  FILE            the original Equilybrium's database, {"<digest>": [[size, "path"], ...]};
                  only read, never changed
  --role A|B      the side it was made on (default: this machine's, from its ID)
${COMMON}

Each path is put under the label of the folder of [Monitored Directories] it was written
under (absolute, relative like "./pics", or "D:\\video"); no folder is read, so it may be
run on either machine. Digests become lowercase hex of the config's Hash algorithm: set it
to the original's (zlib.adler32, hashlib.sha256…) first. A database already in the config
folder is never replaced: the import is refused, nothing written; move it away first.
The next run reads every file once: unchanged files say nothing, content changed since the
original's last run is reported as ChangedSinceImport (neither an edit nor corruption: the
original kept no modification times), and the one after reports as usual.`,
		flags: { values: ['config', 'role'], booleans: ['help'] },
		positionals: 1,
		run: importLegacyCommand,
	},
	'open-report': {
		summary: "open A's report (equilybrium.report.txt) with this desktop's usual program (what a click on the toast runs)",
		usage: 'equilybrium open-report [--config DIR] [URI]',
		help: `${COMMON}
  URI             the equilybrium: URI Windows passes when the toast is clicked (not used)`,
		flags: { values: ['config'], booleans: ['help'] },
		positionals: 1,
		run: openReportCommand,
	},
	schedule: {
		summary: 'Windows: register, remove or show the scheduled task that runs "run --role A"',
		usage: 'equilybrium schedule install|remove|status [--config DIR] [--save-xml FILE]',
		help: `  install         register the task at the config's Schedule A (or Schedule), for this user:
                  one time of day, every day or on chosen days of the week
  remove          unregister it
  status          show it; exit code 1 when there is none or its runs would check nothing
${COMMON}
  --save-xml FILE also keep the task definition registered (UTF-16LE)`,
		flags: { values: ['config', 'save-xml'], booleans: ['help'] },
		positionals: 1,
		run: scheduleCommand,
	},
};

/** Runs one command line; returns the exit code. Never exits the process itself. */
export async function main(argv: readonly string[], io: Io): Promise<number> {
	try {
		const first = argv[0];
		// `help run` is `run --help`
		if (first === 'help' && argv[1] !== undefined && COMMANDS[argv[1]]) return help(COMMANDS[argv[1]]!, io);
		if (first === undefined || isHelp(first) || first === 'help') {
			io.out(usage(io.version));
			return first === undefined ? EXIT.USAGE : EXIT.OK;
		}
		if (first === '--version' || first === '-v' || first === 'version') {
			io.out(io.version);
			return EXIT.OK;
		}
		const command = COMMANDS[first];
		if (!command) throw new UsageError(`unknown command "${first}"`);
		// asked anywhere, whatever else the line holds (a wrong flag too): the command's own usage
		if (wantsHelp(argv)) return help(command, io);
		const args = parseArgs(argv, command.flags);
		const extra = args.positionals[command.positionals ?? 0];
		if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
		const role = flag(args, 'role');
		if (role !== undefined && role !== 'A' && role !== 'B') throw new UsageError(`--role must be A or B, not "${role}"`);
		return await command.run(args, io);
	} catch (error) {
		return exitFor(error, io.err, Boolean(io.env.EQUILYBRIUM_DEBUG));
	}
}

const isHelp = (arg: string) => arg === '-h' || arg === '--help';

/** -h or --help among the arguments (before a `--`, after which all are positionals). */
function wantsHelp(argv: readonly string[]): boolean {
	const end = argv.indexOf('--');
	return argv.slice(1, end < 0 ? undefined : end).some(isHelp);
}

function help(command: Command, io: Io): number {
	io.out(`${command.summary}\n\nUsage: ${command.usage}\n\n${command.help}`);
	return EXIT.OK;
}

export function registerCommand(name: string, command: Command): void {
	COMMANDS[name] = command;
}

function usage(version: string): string {
	const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
	const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
	return `Equilybrium ${version} — is every file of your PC correctly backed up on your NAS?

Usage: equilybrium <command> [options]

Commands:
${lines.join('\n')}

"equilybrium <command> --help" (or -h) tells more. Exit codes: 0 all well, 1 something
to look at, 2 bad usage or config, 3 failed to run.`;
}
