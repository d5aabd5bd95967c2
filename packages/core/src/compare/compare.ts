import { join } from 'node:path';
import { Bits } from './bits.ts';
import { ContentSet } from './contentset.ts';
import { openDb, type DbEntry, type OpenedDb } from '../db/index.ts';
import { dbFileName } from '../config/folder.ts';
import { CoreError, isCoreError } from '../errors.ts';
import { compareKeys } from '../scan/scan.ts';

// A versus B (SPEC §8): every file of A should have a file on B with the same content,
// wherever B keeps it. Both databases are streamed; what is held is two compact content
// sets and the few entries that need a path looked up on the other side. Each of A's keys
// stands in exactly one list; a key both sides hold with other contents is A's edit that B
// has not received (outdated on B, or pending), never "missing" plus "only on B".

export type BState = 'ok' | 'missing' | 'unsealed' | 'stale';

export const VERDICTS = ['backedUp', 'pending', 'missingOnB', 'outdatedOnB', 'corruptedOnB', 'corruptedOnA', 'onlyOnB'] as const;
export type Verdict = (typeof VERDICTS)[number];

/**
 * Verdicts that mean a file is at risk: the run's exit code is 1. An edit older than B's last
 * run that B still holds the old version of is as much a gap as a missing file (the sync
 * skipped it); an edit made since is pending, like a new file.
 */
export const AT_RISK: readonly Verdict[] = ['missingOnB', 'outdatedOnB', 'corruptedOnB', 'corruptedOnA'];

export interface VerdictItem {
	verdict: Verdict;
	/** A's M key (B's for onlyOnB). */
	key: string;
	size: number;
	hash: string;
	/** Where the content is on B: the good copy to restore (corruptedOnA), the rotted one (corruptedOnB), the older version (outdatedOnB). */
	bKey?: string;
	/** The same as a path on B, from the roots B recorded in its last run. */
	bPath?: string;
}

export interface SideRun {
	startedAt: string;
	finishedAt: string;
	files: number;
	bytes: number;
	algorithm: string;
}

export interface Comparison {
	b: BState;
	/** Why B cannot be trusted, in a sentence (missing, unsealed, stale, another algorithm). */
	bProblem?: string;
	a: SideRun;
	bRun?: SideRun;
	counts: Record<Verdict, { files: number; bytes: number }>;
	/** The first `sampleLimit` items of each verdict, in key order. */
	samples: Record<Verdict, VerdictItem[]>;
	/** Every item of one verdict, streamed again from the databases. */
	items(verdict: Verdict): AsyncGenerator<VerdictItem>;
}

export interface CompareOptions {
	configDir: string;
	/** Where A's database is read from instead of the config folder (a dry run's own folder). */
	aDir?: string;
	now: number;
	staleAfterDays: number;
	/** Items kept per verdict for the report; the rest are counted and streamed on demand. */
	sampleLimit?: number;
	/** The process runs with a small heap (RunHost.lowMemory): the databases are read in smaller chunks. */
	lowMemory?: boolean;
}

export async function compareSides(options: CompareOptions): Promise<Comparison> {
	const lowMemory = options.lowMemory ?? false;
	const aPath = join(options.aDir ?? options.configDir, dbFileName('A'));
	const a = await openDb(aPath, { lowMemory });
	if (!a) throw new CoreError('E_IO', `${aPath}: A has no database yet; run "equilybrium run" on A first`);
	const aRun = sideRun(a);
	const counts = Object.fromEntries(VERDICTS.map((v) => [v, { files: 0, bytes: 0 }])) as Comparison['counts'];
	const samples = Object.fromEntries(VERDICTS.map((v) => [v, []])) as unknown as Comparison['samples'];
	const base: Comparison = { b: 'ok', a: aRun, counts, samples, items: async function* () {} };

	let b: OpenedDb | undefined;
	try {
		b = await openDb(join(options.configDir, dbFileName('B')), { lowMemory });
	} catch (error) {
		if (!isCoreError(error)) throw error;
		return { ...base, b: 'unsealed', bProblem: `B's database cannot be trusted: ${error.message}` };
	}
	if (!b) return { ...base, b: 'missing', bProblem: `B's database (${dbFileName('B')}) is not in the config folder: B has never run, or the sync tool does not bring B's files to A` };
	const bRun = sideRun(b);
	if (b.header.algorithm !== a.header.algorithm) {
		return { ...base, b: 'unsealed', bRun, bProblem: `B hashed with ${b.header.algorithm} and A with ${a.header.algorithm}: their contents cannot be compared until both have run with the config's algorithm` };
	}
	const engine = await CompareEngine.build(a, b);
	const ageDays = (options.now - Date.parse(bRun.finishedAt)) / 86_400_000;
	const stale = ageDays > options.staleAfterDays;
	const limit = options.sampleLimit ?? 200;
	await engine.summarise(counts, samples, limit);
	const result: Comparison = { ...base, b: stale ? 'stale' : 'ok', bRun, items: (v) => engine.items(v) };
	if (stale) result.bProblem = `B last ran ${Math.floor(ageDays)} days ago (stale after ${options.staleAfterDays}): is B's schedule running, and does the sync tool bring its files here?`;
	return result;
}

/** The JSON of SPEC §8, streamed: a list can hold millions of keys. */
export async function* compareJson(comparison: Comparison): AsyncGenerator<string> {
	yield `{"b":${JSON.stringify(comparison.b)}`;
	for (const verdict of VERDICTS) {
		yield `,\n${JSON.stringify(verdict)}:[`;
		let first = true;
		for await (const item of comparison.items(verdict)) {
			yield (first ? '' : ',') + JSON.stringify(item.key);
			first = false;
		}
		yield ']';
	}
	yield '}\n';
}

// --- internal ---

/** `Docs/taxes/x.txt` on B with root `Docs` = `/volume1/backup/docs` → `/volume1/backup/docs/taxes/x.txt`. */
function pathOnB(b: OpenedDb, key: string): string | undefined {
	const slash = key.indexOf('/');
	const root = b.run.roots.find((r) => r.label === key.slice(0, slash));
	if (!root) return undefined;
	const sep = root.path.includes('\\') && !root.path.includes('/') ? '\\' : '/';
	return root.path.replace(/[\\/]+$/, '') + sep + key.slice(slash + 1).split('/').join(sep);
}

function placeOnB(item: VerdictItem, b: OpenedDb, bKey: string | undefined): VerdictItem {
	if (!bKey) return item;
	item.bKey = bKey;
	const path = pathOnB(b, bKey);
	if (path) item.bPath = path;
	return item;
}

function sideRun(db: OpenedDb): SideRun {
	return { startedAt: db.run.startedAt, finishedAt: db.run.finishedAt, files: db.run.count, bytes: db.run.bytes, algorithm: db.header.algorithm };
}

class CompareEngine {
	private constructor(
		private a: OpenedDb,
		private b: OpenedDb,
		private aContents: ContentSet,
		/** The good content of A's rotted files: B's copies of it are where to restore from. */
		private aRotted: Set<string>,
		private bContents: ContentSet,
		/** B's rotted entries: the content they should hold → where on B. */
		private bRotted: Map<string, string>,
		/** Keys both sides hold, by ordinal in each database: B's copy at A's key; A's file at B's key. */
		private aShared: Bits,
		private bShared: Bits,
		private bStartedAt: number,
	) {}

	/** One pass over both databases together, in key order: their contents, and the keys they share. */
	static async build(a: OpenedDb, b: OpenedDb): Promise<CompareEngine> {
		const aContents = new ContentSet();
		const aRotted = new Set<string>();
		const bContents = new ContentSet();
		const bRotted = new Map<string, string>();
		const aShared = new Bits();
		const bShared = new Bits();
		const aEntries = a.entries();
		const bEntries = b.entries();
		let x = await aEntries.next();
		let y = await bEntries.next();
		for (let i = 0, j = 0; !x.done || !y.done; ) {
			const order = x.done ? 1 : y.done ? -1 : compareKeys(x.value.key, y.value.key);
			if (order <= 0) {
				const e: DbEntry = x.value!;
				aContents.add(e.hash, e.size);
				if (e.goodHash) aRotted.add(e.goodHash);
				if (order === 0) aShared.add(i);
				x = await aEntries.next();
				i++;
			}
			if (order >= 0) {
				const e: DbEntry = y.value!;
				bContents.add(e.hash, e.size);
				if (e.goodHash && !bRotted.has(e.goodHash)) bRotted.set(e.goodHash, e.key);
				if (order === 0) bShared.add(j);
				y = await bEntries.next();
				j++;
			}
		}
		return new CompareEngine(a, b, aContents, aRotted, bContents, bRotted, aShared, bShared, Date.parse(b.run.startedAt));
	}

	/** Counts and first items of every verdict in one pass over each database. */
	async summarise(counts: Comparison['counts'], samples: Comparison['samples'], limit: number): Promise<void> {
		const take = (item: VerdictItem) => {
			counts[item.verdict].files++;
			counts[item.verdict].bytes += item.size;
			if (samples[item.verdict].length < limit) samples[item.verdict].push(item);
		};
		let i = 0;
		for await (const e of this.a.entries()) {
			const item = this.judge(e, i++);
			take(item.verdict === 'corruptedOnA' ? { ...item, hash: e.goodHash! } : item);
		}
		let j = 0;
		for await (const e of this.b.entries()) {
			if (this.isOnlyOnB(e, j++)) take({ verdict: 'onlyOnB', key: e.key, size: e.size, hash: e.hash });
		}
		const rotted = samples.corruptedOnA;
		if (rotted.length === 0) return;
		const wanted = new Map(rotted.map((item) => [item.hash, undefined as string | undefined]));
		for await (const f of this.b.files()) if (wanted.has(f.hash) && !wanted.get(f.hash)) wanted.set(f.hash, f.key);
		for (const item of rotted) placeOnB(item, this.b, wanted.get(item.hash));
	}

	async *items(verdict: Verdict): AsyncGenerator<VerdictItem> {
		if (verdict === 'onlyOnB') {
			let j = 0;
			for await (const e of this.b.entries()) {
				if (this.isOnlyOnB(e, j++)) yield { verdict, key: e.key, size: e.size, hash: e.hash };
			}
			return;
		}
		// corruptedOnA needs the path of the good content on B: found in a second pass over B
		const wantedOnB = new Map<string, string | undefined>();
		const pendingItems: VerdictItem[] = [];
		let i = 0;
		for await (const e of this.a.entries()) {
			const item = this.judge(e, i++);
			if (item.verdict !== verdict) continue;
			if (verdict !== 'corruptedOnA') {
				yield item;
				continue;
			}
			wantedOnB.set(e.goodHash!, undefined);
			pendingItems.push({ ...item, hash: e.goodHash! });
		}
		if (verdict !== 'corruptedOnA') return;
		for await (const f of this.b.files()) {
			if (wantedOnB.has(f.hash) && wantedOnB.get(f.hash) === undefined) wantedOnB.set(f.hash, f.key);
		}
		for (const item of pendingItems) yield placeOnB({ verdict, key: item.key, size: item.size, hash: item.hash }, this.b, wantedOnB.get(item.hash));
	}

	/** B's entry `ordinal`: its content is nowhere on A, and A has no file at its key (that would be an older version of A's). */
	private isOnlyOnB(e: { hash: string; size: number; goodHash?: string }, ordinal: number): boolean {
		return !e.goodHash && !this.aRotted.has(e.hash) && !this.aContents.has(e.hash, e.size) && !this.bShared.has(ordinal);
	}

	/** A's entry `ordinal`, in exactly one list. */
	private judge(e: { key: string; size: number; hash: string; mtimeMs: number; goodHash?: string }, ordinal: number): VerdictItem {
		const item = (verdict: Verdict, bKey?: string): VerdictItem => placeOnB({ verdict, key: e.key, size: e.size, hash: e.hash }, this.b, bKey);
		// A's copy rotted (its content changed with its mtime kept): the good content is the
		// one A had before, whatever B holds now; B may even hold the rotted bytes if the sync
		// tool copied them.
		if (e.goodHash) return item('corruptedOnA');
		if (this.bContents.has(e.hash, e.size)) return item('backedUp');
		const rotted = this.bRotted.get(e.hash);
		if (rotted) return item('corruptedOnB', rotted);
		// content last changed after B's last run began: the sync may simply not have happened yet
		if (e.mtimeMs >= this.bStartedAt) return item('pending');
		// B holds this key with other content: an edit B never received
		return this.aShared.has(ordinal) ? item('outdatedOnB', e.key) : item('missingOnB');
	}
}
