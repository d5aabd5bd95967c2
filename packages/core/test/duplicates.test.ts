// DuplicateWatch on its own: which files a new file is told a duplicate of, and how many are
// named. (The runs that find them: events.test.ts, cli/test/legacy-duplicate.test.ts.)
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { FileEvent } from '../src/index.ts';
import { DuplicateWatch } from '../src/run/duplicates.ts';

const H1 = 'aa'.repeat(32);
const H2 = 'bb'.repeat(32);
// the same first 32 bits as H1: a prefix match that is no duplicate
const H1_TWIN = 'aa'.repeat(4) + 'cc'.repeat(28);

async function* files(list: { key: string; size: number; hash: string }[]) {
	yield* list;
}

async function found(watch: DuplicateWatch, newFiles: { key: string; size: number; hash: string }[]): Promise<FileEvent[]> {
	const events: FileEvent[] = [];
	await watch.find(files(newFiles), undefined, () => 0, (e) => events.push(e));
	return events;
}

const test = suite('DuplicateWatch');

test('only unchanged files of the same digest and size are named; not changed ones, another size, or a shared prefix', async () => {
	const watch = new DuplicateWatch();
	watch.noteNew(H1, 10);
	watch.noteNew(H2, 20);
	watch.see({ key: 'd/a', size: 10, hash: H1 }, false);
	watch.see({ key: 'd/other-size', size: 11, hash: H1 }, false);
	watch.see({ key: 'd/twin-prefix', size: 10, hash: H1_TWIN }, false);
	watch.see({ key: 'd/edited', size: 20, hash: H2 }, true);
	const events = await found(watch, [{ key: 'd/n1', size: 10, hash: H1 }, { key: 'd/n2', size: 20, hash: H2 }]);
	assert.equal(events.map((e) => [e.type, e.key, e.details]), [['DuplicateFile', 'd/n1', 'same content as d/a']]);
});

test('five files named, the rest counted; empty files never', async () => {
	const watch = new DuplicateWatch();
	watch.noteNew(H1, 10);
	watch.noteNew(H2, 0);
	for (let i = 1; i <= 7; i++) watch.see({ key: `d/${i}`, size: 10, hash: H1 }, false);
	watch.see({ key: 'd/empty', size: 0, hash: H2 }, false);
	const events = await found(watch, [{ key: 'd/copy', size: 10, hash: H1 }, { key: 'd/empty2', size: 0, hash: H2 }]);
	assert.equal(events.map((e) => e.details), ['same content as d/1, d/2, d/3, d/4, d/5 and 2 more']);
});

test('no new file noted: nothing to find', async () => {
	const watch = new DuplicateWatch();
	assert.is(watch.any, false);
	watch.see({ key: 'd/a', size: 10, hash: H1 }, false);
	assert.equal(await found(watch, [{ key: 'd/a2', size: 10, hash: H1 }]), []);
});

test.run();
