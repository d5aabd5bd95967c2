import type { IdMethod } from './config.ts';

export interface StarterOptions {
	role: 'A' | 'B';
	idMethod: IdMethod;
	/** This machine's ID for `idMethod`. */
	id: string;
	/** Folders to monitor on this machine (native paths). */
	folders: string[];
}

/** A commented config a person can read and finish; it parses as it is. */
export function renderStarterConfig(options: StarterOptions): string {
	const other = options.role === 'A' ? 'B' : 'A';
	const list = (paths: string[]) =>
		paths.length === 0 ? '[]' : `[\n${paths.map((p) => `    ${JSON.stringify(p.replace(/\\/g, '/'))}`).join(',\n')}\n    ]`;
	return `# Equilybrium configuration, shared by A (the PC) and B (the NAS).
# Keep this file in the config folder that your sync tool mirrors between A and B.
# Keys are case-insensitive; a value may continue on indented lines.

[Settings]
# How each machine finds out whether it is A or B: "Python uuid" (the network card's
# address, as Python's uuid.getnode() prints it) or "hostname".
# "equilybrium id" prints this machine's IDs for each method.
ID method = ${options.idMethod}
${options.role} = ${options.id}
# Put the other machine's ID here (run "equilybrium id" on it).
${other} =

# One of: md5 sha1 sha224 sha256 sha384 sha512 blake2b blake2s
#         sha3_224 sha3_256 sha3_384 sha3_512 crc32 adler32 xxh128 blake3
# ("equilybrium bench-algorithms" measures them on this machine and recommends one.)
Hash algorithm = sha256
# Bytes read at a time; 2 ** 18 (256 KiB) suits HDDs and SSDs alike.
Block size = 2 ** 18
# When B's daemon runs, and the time of day A's scheduled task runs (cron: minute hour day month weekday).
Schedule = 0 3 * * *
# Extra patterns to skip, added to the built-in ones (@eaDir, #recycle, Thumbs.db, ~$*, .DS_Store, *.ffs_db…).
Exclude = []
# "full": re-hash every file every run. "rolling N": hash new and changed files every run and
# re-verify each unchanged file at least every N days.
Verify = full
# Budget of one rolling run: re-verification of unchanged files stops when either is spent
# (new and changed files are always hashed). e.g. "2 h", "90 min", "500 GiB"; "none" = no limit.
Max run time = none
Max bytes = none
# Hashing threads: "auto" = one per physical core; 0 = none (hash on the main thread).
Workers = auto
# "auto": large files of a spinning disk are read one at a time (Linux tells which disks
# spin), SSDs in parallel; or force "sequential" or "parallel".
Disk reads = auto
# A's report calls B's database stale when B has not run for this many days.
Stale after days = 3

[Monitored Directories]
# The folders to watch on each machine, as a JSON list of absolute paths (the label of each
# is its last folder name, and must be unique), or as {"label": "path"}.
${options.role} = ${list(options.folders)}
${other} = []
`;
}
