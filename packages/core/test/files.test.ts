// BufferedFile encodes text as it is put and writes whole chunks: whatever the mix of
// strings, buffers and sizes, the file holds exactly what was put, in order, and the seal
// is the digest of those bytes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferedFile } from '../src/files/buffered.ts';

const files = suite('buffered file');
const dir = mkdtempSync(join(tmpdir(), 'eq-files-'));
files.after(() => rmSync(dir, { recursive: true, force: true }));

files('strings, buffers, multi-byte text and pieces larger than a chunk come out as put, sealed', async () => {
	const path = join(dir, 'mixed');
	const file = await BufferedFile.create(path, createHash('sha3-512'));
	const expected: Buffer[] = [];
	const put = (data: string | Buffer) => {
		file.put(data);
		expected.push(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
	};
	let flushes = 0;
	for (let i = 0; i < 40_000; i++) {
		// 1- to 4-byte UTF-8, a surrogate pair among them
		put(`line ${i} é ✓ 𝄞 ${'x'.repeat(i % 97)}\n`);
		if (i % 5000 === 0) put(Buffer.from([0, 255, i & 255]));
		if (i === 20_000) put('y'.repeat(3 << 20)); // more than one chunk in one piece
		if (i === 30_000) put('');
		if (file.full) {
			flushes++;
			await file.flush();
		}
	}
	assert.ok(flushes > 2, `written a chunk at a time (${flushes} flushes before the end)`);
	const all = Buffer.concat(expected);
	assert.is(file.size, all.length, 'size counts what is buffered');
	await file.writeUnsealed('"seal"\n');
	await file.close(true);
	const written = readFileSync(path);
	assert.ok(written.equals(Buffer.concat([all, Buffer.from('"seal"\n')])), 'the same bytes in the same order');
	assert.is(file.seal!.digest('hex'), createHash('sha3-512').update(all).digest('hex'), 'the seal covers all but the unsealed tail');
});

files('writeFull leaves one chunk being written while the next fills: the file still holds everything in order', async () => {
	const path = join(dir, 'pipelined');
	const file = await BufferedFile.create(path, createHash('sha256'));
	const expected: string[] = [];
	let writes = 0;
	for (let i = 0; i < 60_000; i++) {
		const line = `${i} ${'z'.repeat(i % 131)}\n`;
		file.put(line);
		expected.push(line);
		if (file.full) {
			writes++;
			await file.writeFull();
			assert.not.ok(file.full, 'the full chunks are on their way');
		}
	}
	assert.ok(writes > 3, `${writes} chunks written while filling`);
	await file.close();
	const text = expected.join('');
	assert.is(readFileSync(path, 'utf8'), text);
	assert.is(file.seal!.digest('hex'), createHash('sha256').update(text).digest('hex'));
});

files('a write that fails is thrown by the next write or flush, not lost', async () => {
	const path = join(dir, 'failing');
	const file = await BufferedFile.create(path);
	file.put('a'.repeat(3 << 20));
	// the handle closed under it: the chunk's write fails
	await (file as unknown as { handle: { close(): Promise<void> } }).handle.close();
	let thrown: unknown;
	try {
		await file.writeFull();
		await file.flush();
	} catch (error) {
		thrown = error;
	}
	assert.ok(thrown instanceof Error, 'the failed write surfaced');
});

files('discard closes without writing what is buffered (a committed run’s checkpoint, removed next)', async () => {
	const path = join(dir, 'discarded');
	const file = await BufferedFile.create(path);
	await file.write('kept\n');
	await file.flush();
	file.put('never written\n');
	await file.discard();
	assert.is(readFileSync(path, 'utf8'), 'kept\n');
});

files.run();
