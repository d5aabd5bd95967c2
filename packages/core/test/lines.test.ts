// Reading a file as lines, a chunk at a time: whatever the chunk size, lines longer than a
// chunk and multi-byte characters split across chunks come out whole, with their offsets.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLineBlocksSync, readLineChunks, readLines } from '../src/files/lines.ts';

const lines = suite('lines');

function blocksOf(file: string, start?: number, chunkSize?: number): Buffer[] {
	const fd = openSync(file, 'r');
	try {
		// a block is valid until the next is read: copied as it comes
		return Array.from(readLineBlocksSync(fd, start, chunkSize), (block) => Buffer.from(block));
	} finally {
		closeSync(fd);
	}
}
const dir = mkdtempSync(join(tmpdir(), 'eq-lines-'));
lines.after(() => rmSync(dir, { recursive: true, force: true }));

const texts = Array.from({ length: 500 }, (_, i) => (i % 50 === 7 ? 'long é ✓ 𝄞 '.repeat(40) : `${i} ${'ab€'.repeat(i % 13)}`));
const path = join(dir, 'text');
writeFileSync(path, texts.join('\n') + '\nno newline at the end');
const all = [...texts, 'no newline at the end'];

for (const chunkSize of [7, 64, 1000, 1 << 20]) {
	lines(`chunks of ${chunkSize} bytes: every line whole, with its offset and length`, async () => {
		const out: { text: string; offset: number; bytes: number }[] = [];
		for await (const line of readLines(path, 0, chunkSize)) out.push(line);
		assert.equal(out.map((l) => l.text), all);
		let offset = 0;
		out.forEach((line, i) => {
			assert.is(line.offset, offset, `offset of line ${i}`);
			assert.is(line.bytes, Buffer.byteLength(all[i]!));
			offset += line.bytes + 1;
		});
		const chunked: string[] = [];
		for await (const batch of readLineChunks(path, 0, chunkSize)) chunked.push(...batch);
		assert.equal(chunked, all);
		const blocks: Buffer[] = [];
		blocks.push(...blocksOf(path, 0, chunkSize));
		assert.ok(blocks.slice(0, -1).every((b) => b.length > 0 && b[b.length - 1] === 10), 'each block but the last ends with a whole line');
		assert.is(Buffer.concat(blocks).toString('utf8'), all.join('\n'), 'the blocks make the file');
		if (chunkSize < 1000) assert.ok(blocks.length > 10, 'read in many blocks');
	});
}

lines('from an offset: the lines after it', async () => {
	const start = Buffer.byteLength(texts.slice(0, 10).join('\n') + '\n');
	const out: string[] = [];
	for await (const line of readLines(path, start, 64)) out.push(line.text);
	assert.equal(out, all.slice(10));
	const blocks: Buffer[] = [];
	blocks.push(...blocksOf(path, start, 64));
	assert.is(Buffer.concat(blocks).toString('utf8'), all.slice(10).join('\n'));
});

lines('blocks of an empty file, and of one line without its newline', async () => {
	const empty = join(dir, 'empty');
	writeFileSync(empty, '');
	assert.equal(blocksOf(empty), []);
	const one = join(dir, 'one');
	writeFileSync(one, 'just this');
	assert.equal(blocksOf(one, 0, 4).map(String), ['just this']);
});

lines.run();
