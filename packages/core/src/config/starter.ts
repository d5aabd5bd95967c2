import { parseConfig, type IdMethod, type Role, type Root } from './config.ts';
import { parseIni } from './ini.ts';
import { setIniValue } from './ini-edit.ts';
import { labelOf } from './paths.ts';

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
	const folders = foldersValue(withFolders([], options.folders).roots).replace(/\n/g, '\n    ');
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
# When both sides run (cron: minute hour day month weekday); "Schedule A" or "Schedule B"
# gives one side its own. A's Windows task runs at one time of day, every day or on chosen
# days of the week: "0 3 * * *" (03:00 daily), "15 4 * * 1-5" (04:15, Monday to Friday).
Schedule = 0 3 * * *
# Extra patterns to skip, added to the built-in ones (@eaDir, #recycle, Thumbs.db, ~$*, .DS_Store, *.ffs_db…).
Exclude = []
# Filters of the original Equilybrium (its config files work here unchanged); as written
# below, they leave every file in. Files smaller than this many bytes are left out:
Min file size = 0
# "False" leaves out files whose name has no dot (no extension).
Include files with no extension = True
# Extensions left out, in any case, comma-separated: e.g. "log, .tmp".
Excluded extensions =
# File names left out at any depth, exactly as written, comma-separated: e.g. "index.dat, private.txt".
Excluded files =
# The sides (A, B or "A, B") that skip every folder whose name starts with @ (Synology's own).
Avoid at dirs =
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
${options.role} = ${folders}
${other} = []
`;
}

/**
 * The config text with folders added to one side's `[Monitored Directories]` list: those it
 * lists already are skipped, the rest get a unique label. Only that key's lines change.
 */
export function addFolders(text: string, file: string, role: Role, paths: string[]): { text: string; added: Root[] } {
	const existing = parseConfig(text, file).roots[role] ?? [];
	const { roots, added } = withFolders(existing, paths);
	if (added.length === 0) return { text, added };
	const written = parseIni(text, file).get('Monitored Directories')?.values.get(role.toLowerCase())?.value.trim() ?? '';
	return { text: setIniValue(text, 'Monitored Directories', role, foldersValue(roots, written.startsWith('{'))), added };
}

/** `roots` and then the paths not among them yet, each labelled by its folder name made unique. */
export function withFolders(roots: Root[], paths: string[]): { roots: Root[]; added: Root[] } {
	const all = [...roots];
	const added: Root[] = [];
	const taken = new Set(roots.map((r) => fold(r.label)));
	for (const path of paths) {
		if (all.some((r) => sameFolder(r.path, path))) continue;
		const name = labelOf(path) || driveLabel(path);
		let label = name;
		for (let n = 2; taken.has(fold(label)); n++) label = `${name} ${n}`;
		taken.add(fold(label));
		const root = { label: label.normalize('NFC'), path };
		all.push(root);
		added.push(root);
	}
	return { roots: all, added };
}

/**
 * A `[Monitored Directories]` value: a JSON list when every label is its folder's own name,
 * else the object form {"label": "path"}. Paths stay native; JSON escapes their backslashes.
 */
export function foldersValue(roots: Root[], objectForm = false): string {
	if (roots.length === 0) return objectForm ? '{}' : '[]';
	const named = !objectForm && roots.every((r) => labelOf(r.path).normalize('NFC') === r.label);
	const items = roots.map((r) => (named ? JSON.stringify(r.path) : `${JSON.stringify(r.label)}: ${JSON.stringify(r.path)}`));
	return named ? `[\n${items.join(',\n')}\n]` : `{\n${items.join(',\n')}\n}`;
}

// --- internal ---

const fold = (label: string) => label.normalize('NFC').toLowerCase();

/** The same folder written twice: slashes, a trailing one and, for Windows paths, letter case aside. */
function sameFolder(a: string, b: string): boolean {
	const plain = (p: string) => {
		const slashes = p.normalize('NFC').replace(/\\/g, '/').replace(/(.)\/+$/, '$1');
		return /^([A-Za-z]:|\/\/)/.test(slashes) ? slashes.toLowerCase() : slashes;
	};
	return plain(a) === plain(b);
}

/** A drive root has no folder name: "D drive". */
function driveLabel(path: string): string {
	const drive = /([A-Za-z]):[\\/]*$/.exec(path);
	return drive ? `${drive[1]!.toUpperCase()} drive` : 'Folder';
}
