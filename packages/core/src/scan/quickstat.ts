// lstat and fstat without their Stats object, where Node lets it be skipped. Node 20's
// lstatSync and fstatSync build a Stats of fourteen numbers and four Dates (~1 KB) per call:
// over a listing that is most of a thread's garbage and a third of its JavaScript a file,
// and a hashing thread makes one a small file. Node's own fs binding, which both call,
// leaves the numbers in one Float64Array, read here in place.
//
// That binding is Node's internal layer (process.binding, DEP0111, documentation-only), so
// it is used only where its calls are known (Node 20.11 and later: `lstat(path, bigint,
// undefined, throwIfNoEntry)` and `fstat(fd, bigint, undefined, …)` return the numbers or,
// for lstat, undefined when the path is not there, and throw any other error; before 20.11
// the fourth argument was an object the binding wrote errors into), trusted only once it has
// agreed with the public call on a real file (size, mtimeMs, type), never with Node's
// permission model on (lstatSync checks it; the binding does not), and any error is left to
// the public call to raise in its usual form. Otherwise the public call is used, as it is.
// This is the one module of the core that touches Node's internal layer (the boundaries test
// lets no other).

/** What the scan and the hashing threads read of a Stats, at once: a quick result is reused. */
export interface StatFacts {
	size: number;
	mtimeMs: number;
	isFile(): boolean;
}

/** fs.lstatSync as statFolder calls it. */
export type Lstat = (path: string | Buffer, options: { throwIfNoEntry: false }) => StatFacts | undefined;
/** fs.fstatSync as the hashing threads call it. */
export type Fstat = (fd: number) => StatFacts | undefined;

/** `plain` (fs.lstatSync or fs.fstatSync, as `kind` says) without its Stats object where that is safe. */
export function quickStat(kind: 'lstat', plain: Lstat, toNamespacedPath: (path: string) => string, nodeVersion?: string): Lstat;
export function quickStat(kind: 'fstat', plain: Fstat, toNamespacedPath: (path: string) => string, nodeVersion?: string): Fstat;
export function quickStat(kind: 'lstat' | 'fstat', plain: Lstat | Fstat, toNamespacedPath: (path: string) => string, nodeVersion = process.versions.node): Lstat | Fstat {
	type Call = (target: string | Buffer | number, options?: { throwIfNoEntry: false }) => StatFacts | undefined;
	type Binding = Record<'lstat' | 'fstat', (target: string | Buffer | number, bigint: false, request: undefined, throwIfNoEntry: false) => Float64Array | undefined>;
	const host = process as unknown as { binding?: (name: string) => unknown; permission?: unknown; noDeprecation?: boolean };
	const [major = 0, minor = 0] = nodeVersion.split('.').map(Number);
	if (!(major >= 22 || (major === 20 && minor >= 11))) return plain;
	let binding: Binding | undefined;
	try {
		// with --pending-deprecation process.binding warns: no user's concern (with
		// --no-deprecation, noDeprecation is already true, and read-only)
		const quiet = host.noDeprecation;
		if (!quiet) host.noDeprecation = true;
		try {
			binding = host.permission || typeof host.binding !== 'function' ? undefined : (host.binding('fs') as Binding);
		} finally {
			if (quiet === undefined) delete host.noDeprecation;
			else if (!quiet) host.noDeprecation = quiet;
		}
	} catch {
		binding = undefined;
	}
	if (!binding || typeof binding[kind] !== 'function') return plain;
	const call = plain as Call;
	const found = { size: 0, mtimeMs: 0, file: false, isFile(): boolean { return this.file; } };
	let state: 'probing' | 'quick' | 'plain' = 'probing';
	return ((target: string | Buffer | number, options?: { throwIfNoEntry: false }) => {
		if (state === 'plain') return call(target, options);
		let quick: typeof found | undefined;
		try {
			// the Stats fields in order: dev, mode, nlink, uid, gid, rdev, blksize, ino, size,
			// blocks, then seconds and nanoseconds of atime, mtime, ctime, birthtime
			const values = kind === 'lstat' ? binding!.lstat(typeof target === 'string' ? toNamespacedPath(target) : target, false, undefined, false) : binding!.fstat(target, false, undefined, false);
			if (values !== undefined) {
				found.size = values[8]!;
				found.mtimeMs = values[12]! * 1e3 + values[13]! / 1e6; // as Node computes mtimeMs
				found.file = (values[1]! & 0o170000) === 0o100000;
				quick = found;
			}
		} catch {
			return call(target, options); // the error as the public call spells it (or its result, if the file changed meanwhile)
		}
		if (state === 'quick') return quick;
		const answer = call(target, options);
		if (answer && quick) state = answer.size === quick.size && answer.mtimeMs === quick.mtimeMs && answer.isFile() === quick.isFile() ? 'quick' : 'plain';
		else if (answer || quick) state = 'plain';
		return answer;
	}) as Lstat & Fstat;
}
