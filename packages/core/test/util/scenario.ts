import { utimesSync } from 'node:fs';
import { join } from 'node:path';
import { corruptInPlace, tempDir, writeConfig, writeTree } from './tree.ts';
import { runSide } from './run.ts';

export const T = {
	aFirst: Date.parse('2024-06-01T08:00:00Z'),
	bFirst: Date.parse('2024-06-01T20:00:00Z'),
	bSecond: Date.parse('2024-06-02T20:00:00Z'),
	aSecond: Date.parse('2024-06-03T08:00:00Z'),
};

/**
 * A PC and a NAS whose folders are named and nested differently, with duplicates, a gap,
 * a pending file, rot on each side, a file only on B and, in a folder both sides name alike,
 * an edit B never received: every verdict of SPEC §8 once.
 */
export async function buildScenario() {
	const dir = tempDir('eq-scenario-');
	const cfg = join(dir, 'config');
	const a = { pics: join(dir, 'pc/Pictures'), docs: join(dir, 'pc/Documents'), music: join(dir, 'pc/Music') };
	const b = { photos: join(dir, 'nas/volume1/photo-backup'), docs: join(dir, 'nas/volume1/backup/2024/docs'), music: join(dir, 'nas/volume1/music') };
	writeTree(a.pics, {
		'a.jpg': 'holiday photo',
		'dup1.jpg': 'same photo twice',
		'sub/dup2.jpg': 'same photo twice',
	});
	writeTree(a.docs, {
		'letter.txt': 'dear B',
		'missing.txt': 'never synced',
		'twin-missing-1.txt': 'duplicated and never synced',
		'twin-missing-2.txt': 'duplicated and never synced',
		'rots-on-b.txt': 'good on A, rots on B',
		'rots-on-a.txt': 'rots on A, good on B',
	});
	writeTree(b.photos, {
		'2023/summer/a.jpg': 'holiday photo',
		'dup.jpg': 'same photo twice',
	});
	writeTree(b.docs, {
		'letter.txt': 'dear B',
		'rots-on-b.txt': 'good on A, rots on B',
		'rots-on-a.txt': 'rots on A, good on B',
		'only-on-b.txt': 'kept only on the NAS',
	});
	writeTree(a.music, { 'song.txt': 'first mix' });
	writeTree(b.music, { 'song.txt': 'first mix' });
	writeConfig(cfg, { a: { Pictures: a.pics, Documents: a.docs, Music: a.music }, b: { Photos: b.photos, Docs: b.docs, Music: b.music } });

	await runSide(cfg, 'A', T.aFirst);
	await runSide(cfg, 'B', T.bFirst);
	corruptInPlace(join(b.docs, 'rots-on-b.txt'), 'good on A, rotS on B');
	// edited on A before B's second run, and the sync never copied it
	writeTree(a.music, { 'song.txt': 'second mix, longer' }, new Date(T.bFirst + 3600_000));
	const bSecond = await runSide(cfg, 'B', T.bSecond);
	corruptInPlace(join(a.docs, 'rots-on-a.txt'), 'rots on A, gXod on B');
	writeTree(a.docs, { 'new.txt': 'written after B ran' }, new Date(T.bSecond + 3600_000));
	const aSecond = await runSide(cfg, 'A', T.aSecond);
	return { dir, cfg, a, b, aSecond, bSecond };
}

export function touch(path: string, ms: number): void {
	utimesSync(path, new Date(ms), new Date(ms));
}
