import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { HashIndex, hex32 } from '../src/run/hashindex.ts';

const index = suite('HashIndex in chunks');

index('a digest’s 32-bit prefixes read as parseInt reads them', () => {
	const digests = Array.from({ length: 2000 }, (_, i) => createHash(i % 2 ? 'sha256' : 'md5').update(String(i)).digest('hex'));
	for (const hash of [...digests, 'ffffffffffffffff', '0000000000000000', '0123456789abcdef', '89ABCDEF01234567', '1234abcd', '12ab']) {
		assert.is(hex32(hash, 0), parseInt(hash.slice(0, 8), 16) >>> 0, hash);
		if (hash.length > 8) assert.is(hex32(hash, 8), parseInt(hash.slice(8, 16), 16) >>> 0, hash);
	}
	// not hex: digits up to the first other character, or 0, as parseInt's NaN becomes
	assert.is(hex32('12zz5678', 0), parseInt('12zz5678', 16) >>> 0);
	assert.is(hex32('zz', 0), 0);
});

index('collision candidates across chunk boundaries; quiet when nothing is flagged', () => {
	const hex = (i: number) => i.toString(16).padStart(16, '0') + 'ff';
	const quiet = new HashIndex();
	const flagged = new HashIndex();
	for (let i = 0; i < 140_000; i++) {
		// entry 66_000 (second chunk) has the digest of entry 5 (first chunk) and another size;
		// entry 131_000 (third chunk) the digest of entry 7 and the same size: not a collision
		const hash = i === 66_000 ? hex(5) : i === 131_000 ? hex(7) : hex(i);
		const size = i === 131_000 ? 7 : i;
		quiet.add(hash, size, 0);
		flagged.add(hash, size, i === 66_000 || i === 131_000 ? 1 : 0);
	}
	assert.is(flagged.length, 140_000);
	assert.is(flagged.flag(66_000), 1);
	assert.is(flagged.size(131_000), 7);
	assert.equal([...flagged.collisionCandidates(1)].sort((a, b) => a - b), [5, 66_000]);
	assert.is(quiet.collisionCandidates(1).size, 0);
});

index('prefixes that round to the same number are told apart: only equal prefixes make a group', () => {
	const index = new HashIndex();
	// ffffffff00000000 and ffffffff00000001 are one number once rounded to 53 bits
	index.add('ffffffff00000000aa', 10, 1);
	index.add('ffffffff00000001aa', 20, 1);
	assert.is(index.collisionCandidates(1).size, 0, 'different prefixes, different sizes: no collision');
	index.add('ffffffff00000001bb', 30, 0);
	assert.equal([...index.collisionCandidates(1)].sort((a, b) => a - b), [1, 2], 'the equal prefix, another size');
});

index.run();

const changed = suite('ChangedDigests');

changed('marks places and digest prefixes; finds them again, across growth', async () => {
	const { ChangedDigests } = await import('../src/run/hashindex.ts');
	const marked = new ChangedDigests();
	const hex = (i: number) => (i * 2654435761 >>> 0).toString(16).padStart(8, '0') + 'abcdef';
	for (let i = 0; i < 200_000; i += 7) marked.mark(i, hex(i));
	assert.is(marked.count, Math.ceil(200_000 / 7));
	assert.ok(marked.has(0) && marked.has(7) && marked.has(199_997));
	assert.not.ok(marked.has(1) || marked.has(8) || marked.has(10_000_000));
	const prefixOf = (hash: string) => parseInt(hash.slice(0, 8), 16);
	const distinct = [...marked.distinct()];
	assert.ok(distinct.includes(prefixOf(hex(14))));
	assert.not.ok(distinct.includes(prefixOf(hex(15))));
	assert.equal(distinct, [...new Set(distinct)].sort((a, b) => a - b), 'sorted, each once');
	// marking after a lookup is seen by the next lookup
	marked.mark(300_001, 'ffffffff00');
	assert.ok(marked.distinct().includes(0xffffffff));
	assert.ok(marked.has(300_001));
});

changed('shared prefixes: suspect only where a changed prefix meets another size', async () => {
	const { ChangedDigests, SharedPrefixes } = await import('../src/run/hashindex.ts');
	const marked = new ChangedDigests();
	marked.mark(0, 'aaaaaaaa01');
	marked.mark(1, 'bbbbbbbb01');
	marked.mark(2, 'aaaaaaaa01'); // the same prefix twice: counted once
	const shared = new SharedPrefixes(marked);
	for (const [hash, size] of [['aaaaaaaa01', 10], ['aaaaaaaa02', 20], ['bbbbbbbb01', 5], ['bbbbbbbb99', 5], ['cccccccc01', 1], ['cccccccc02', 2]] as const) shared.see(hash, size);
	assert.ok(shared.any);
	assert.ok(shared.suspect('aaaaaaaa77'), 'a changed prefix seen with two sizes');
	assert.not.ok(shared.suspect('bbbbbbbb01'), 'one size only: duplicates, not a collision');
	assert.not.ok(shared.suspect('cccccccc01'), 'no changed entry begins so');
});

changed.run();
