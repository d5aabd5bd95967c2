// quickStat reads Node's lstat and fstat numbers without a Stats object (see scan/quickstat.ts).
// It must say exactly what lstatSync and fstatSync say, for every kind of entry and error,
// take over from them only once they have agreed on a real file, and step aside wherever it
// cannot be trusted.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, fstatSync, lstatSync, mkdirSync, openSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join, toNamespacedPath } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { quickStat, type Fstat, type Lstat } from '../src/scan/quickstat.ts';
import { removeDir, tempDir } from './util/tree.ts';

const NO_THROW = { throwIfNoEntry: false } as const;

/** lstatSync, counting its calls. */
function counted(): { lstat: Lstat; calls: () => number } {
	let calls = 0;
	return { lstat: (path, options) => (calls++, lstatSync(path, options)), calls: () => calls };
}

/** What statFolder reads of a result, copied (quickStat reuses its object). */
const facts = (stats: ReturnType<Lstat>) => (stats ? { size: stats.size, mtimeMs: stats.mtimeMs, file: stats.isFile() } : undefined);

/** The facts, or the error's code and message. */
function outcome(lstat: Lstat, path: string): ReturnType<typeof facts> | [string?, string?] {
	try {
		return facts(lstat(path, NO_THROW));
	} catch (error) {
		const e = error as NodeJS.ErrnoException;
		return [e.code, e.message];
	}
}

const agrees = suite('quickStat agrees with lstatSync and fstatSync');

agrees('files, folders, symlinks, missing paths and errors', () => {
	const dir = tempDir();
	writeFileSync(join(dir, 'a.txt'), 'x'.repeat(1234));
	utimesSync(join(dir, 'a.txt'), 1_700_000_000.123, 1_700_000_000.123456);
	writeFileSync(join(dir, 'empty'), '');
	mkdirSync(join(dir, 'sub'));
	symlinkSync(join(dir, 'a.txt'), join(dir, 'link'));
	const quick = quickStat('lstat', lstatSync, toNamespacedPath);
	assert.is.not(quick, lstatSync, 'Node 20 has the binding: the quick path is in use');
	const paths = ['a.txt', 'empty', 'sub', 'link', 'missing', 'a.txt/below', 'sub/missing'].map((name) => join(dir, name));
	for (const path of paths) assert.equal(outcome(quick, path), outcome(lstatSync, path), path);
	assert.equal(facts(quick(join(dir, 'a.txt'), NO_THROW)), { size: 1234, mtimeMs: lstatSync(join(dir, 'a.txt')).mtimeMs, file: true });
	assert.is(quick(join(dir, 'link'), NO_THROW)!.isFile(), false, 'a symlink is not followed');
	// errors lstatSync throws are thrown as it throws them, before and after the quick path is trusted
	const tooLong = join(dir, 'n'.repeat(5000));
	assert.equal(outcome(lstatSync, tooLong), ['ENAMETOOLONG', `ENAMETOOLONG: name too long, lstat '${tooLong}'`]);
	assert.equal(outcome(quickStat('lstat', lstatSync, toNamespacedPath), tooLong), outcome(lstatSync, tooLong));
	assert.equal(outcome(quick, tooLong), outcome(lstatSync, tooLong));
	assert.equal((outcome(quick, join(dir, 'a.txt/below')) as string[])[0], 'ENOTDIR');
	removeDir(dir);
});

agrees('trusted after one agreeing file: lstatSync no longer called, changes still seen', () => {
	const dir = tempDir();
	const file = join(dir, 'f');
	writeFileSync(file, 'one');
	const { lstat, calls } = counted();
	const quick = quickStat('lstat', lstat, toNamespacedPath);
	assert.is(quick(join(dir, 'missing'), NO_THROW), undefined);
	assert.is(calls(), 1, 'a missing path proves nothing: lstatSync asked as well');
	quick(file, NO_THROW);
	assert.is(calls(), 2);
	const before = calls();
	for (let i = 0; i < 10; i++) quick(file, NO_THROW);
	assert.is(calls(), before, 'trusted: the binding alone');
	writeFileSync(file, 'longer content');
	utimesSync(file, 1_600_000_000, 1_600_000_000.5);
	assert.equal(facts(quick(file, NO_THROW)), { size: 14, mtimeMs: 1_600_000_000_500, file: true });
	assert.equal(facts(quick(file, NO_THROW)), facts(lstatSync(file)));
	removeDir(dir);
});

agrees('fstat: files and folders by descriptor, trusted after the first, closed descriptors as fstatSync says', () => {
	const dir = tempDir();
	writeFileSync(join(dir, 'a'), 'abc');
	writeFileSync(join(dir, 'b'), 'x'.repeat(70_000));
	utimesSync(join(dir, 'b'), 1_650_000_000, 1_650_000_000.25);
	let calls = 0;
	const counting: Fstat = (fd) => (calls++, fstatSync(fd));
	const quick = quickStat('fstat', counting, toNamespacedPath);
	assert.is.not(quick, counting, 'Node 20 has the binding: the quick path is in use');
	const outcomeOf = (f: Fstat, fd: number) => { try { return facts(f(fd)); } catch (error) { return (error as NodeJS.ErrnoException).code; } };
	for (const name of ['a', 'b', '.']) {
		const fd = openSync(join(dir, name), 'r');
		assert.equal(outcomeOf(quick, fd), outcomeOf(fstatSync, fd), name);
		closeSync(fd);
	}
	assert.is(calls, 1, 'trusted once the first file agreed');
	const fd = openSync(join(dir, 'b'), 'r');
	assert.equal(facts(quick(fd)), { size: 70_000, mtimeMs: 1_650_000_000_250, file: true });
	closeSync(fd);
	assert.is(outcomeOf(fstatSync, fd), 'EBADF');
	assert.is(outcomeOf(quick, fd), 'EBADF', 'a closed descriptor: fstatSync\'s error');
	removeDir(dir);
});

const aside = suite('quickStat steps aside');

aside('a binding that disagrees on the first file: the public call from then on', () => {
	const dir = tempDir();
	const file = join(dir, 'f');
	writeFileSync(file, 'content');
	// an "lstat" reporting another size stands for a binding whose layout is not the one read
	let calls = 0;
	const other: Lstat = (path, options) => {
		calls++;
		const stats = lstatSync(path, options);
		return stats && { size: stats.size + 1, mtimeMs: stats.mtimeMs, isFile: () => stats.isFile() };
	};
	const quick = quickStat('lstat', other, toNamespacedPath);
	for (let i = 0; i < 5; i++) assert.is(quick(file, NO_THROW)!.size, 8, 'lstat\'s answer, every time');
	assert.is(calls, 5);
	removeDir(dir);
});

aside('without process.binding (a Node that has dropped it): the public calls themselves', () => {
	const host = process as unknown as { binding: unknown };
	const saved = host.binding;
	try {
		host.binding = undefined;
		assert.is(quickStat('lstat', lstatSync, toNamespacedPath), lstatSync);
		assert.is(quickStat('fstat', fstatSync, toNamespacedPath), fstatSync);
		host.binding = () => { throw new Error('No such module'); };
		assert.is(quickStat('lstat', lstatSync, toNamespacedPath), lstatSync);
	} finally {
		host.binding = saved;
	}
});

aside('Node\'s permission model on: the public calls themselves (the binding would bypass it)', () => {
	const host = process as unknown as { permission?: unknown };
	const had = Object.getOwnPropertyDescriptor(process, 'permission');
	try {
		Object.defineProperty(process, 'permission', { value: { has: () => true }, configurable: true });
		assert.is(quickStat('lstat', lstatSync, toNamespacedPath), lstatSync);
		assert.is(quickStat('fstat', fstatSync, toNamespacedPath), fstatSync);
	} finally {
		if (had) Object.defineProperty(process, 'permission', had);
		else delete host.permission;
	}
});

aside('a Node before 20.11, whose binding took other arguments (or 21): the public calls themselves', () => {
	for (const version of ['20.10.0', '20.0.0', '18.19.1', '21.7.3']) {
		assert.is(quickStat('lstat', lstatSync, toNamespacedPath, version), lstatSync, version);
		assert.is(quickStat('fstat', fstatSync, toNamespacedPath, version), fstatSync, version);
	}
	for (const version of ['20.11.0', '20.20.2', '22.0.0', '24.1.0']) assert.is.not(quickStat('lstat', lstatSync, toNamespacedPath, version), lstatSync, version);
});

aside('process.noDeprecation left as it was; under --no-deprecation (where it is read-only) the quick path still works', () => {
	assert.not.ok(Object.hasOwn(process, 'noDeprecation'), 'no property left behind');
	quickStat('lstat', lstatSync, toNamespacedPath);
	assert.not.ok(Object.hasOwn(process, 'noDeprecation'), 'no property left behind');
	const module = fileURLToPath(new URL('../src/scan/quickstat.ts', import.meta.url));
	const code = `import { quickStat } from ${JSON.stringify(module)}; import { lstatSync } from 'node:fs'; import { toNamespacedPath } from 'node:path'; process.stdout.write(String(quickStat('lstat', lstatSync, toNamespacedPath) !== lstatSync));`;
	for (const flag of ['--no-deprecation', '--pending-deprecation']) {
		const child = spawnSync(process.execPath, [flag, '--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8' });
		assert.is(child.stdout, 'true', `${flag}: ${child.stderr}`);
		assert.not.match(child.stderr, /DEP0111|DeprecationWarning/, `${flag}: no warning`);
	}
});

agrees.run();
aside.run();
