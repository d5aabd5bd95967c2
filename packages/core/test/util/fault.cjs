// Fault injection for crash tests, preloaded into a real run: `node --require fault.cjs
// dist/equilybrium.cjs run …` with EQ_FAULT set to a JSON rule or a list of them:
//
//   { "op": "rename", "path": "DB\\.json$", "nth": 1, "when": "before", "action": "kill" }
//
// op: open | read | write | sync | close | rename | unlink | append | link | copy | truncate | any
//     (`read`: fs.promises.readFile, as a lock is read)
//     (`write` covers FileHandle.write/writev/writeFile/appendFile and writeSync/writevSync;
//     `sync` covers FileHandle.sync/datasync and fsyncSync/fdatasyncSync)
// path: a regular expression tested on the file's path (a rename: "from -> to")
// nth: the matching call that faults (1 = the first); "sticky": true also faults every later one
// when: before (the call does not happen) | after (it happens, then the fault) | half
//       (writes only: half the bytes are written, then the fault: a full disk's partial write)
// action: kill (SIGKILL, now) | enospc (the call fails with ENOSPC) | sleep (the thread waits
//         `ms` milliseconds before the call, or after it with when: after: to hold a run at a
//         point while others race)
//
// Only the main thread is patched (the hashing threads write nothing of the commit). Each
// faulted call is reported on stderr as "EQ_FAULT: <op> <path>", so a test can tell that its
// fault point was reached. Nothing of this ships: it lives beside the tests.
'use strict';
const { isMainThread } = require('node:worker_threads');
const fs = require('node:fs');
const fsp = fs.promises;

const rules = (() => {
	const text = process.env.EQ_FAULT;
	if (!text || !isMainThread) return [];
	const parsed = JSON.parse(text);
	return (Array.isArray(parsed) ? parsed : [parsed]).map((r) => ({ ...r, re: new RegExp(r.path ?? ''), seen: 0, when: r.when ?? 'before', nth: r.nth ?? 1 }));
})();

if (rules.length) install();

function install() {
	const paths = new Map(); // fd → path
	const handlePaths = new WeakMap(); // FileHandle → path

	/** The rule that faults this call, if any (counting every match). */
	function match(op, path) {
		for (const rule of rules) {
			if (rule.op !== op && rule.op !== 'any') continue;
			if (!rule.re.test(String(path))) continue;
			rule.seen++;
			if (rule.seen === rule.nth || (rule.sticky && rule.seen > rule.nth)) return rule;
		}
		return undefined;
	}
	function fault(rule, op, path) {
		process.stderr.write(`EQ_FAULT: ${op} ${path}\n`);
		if (rule.action === 'sleep') {
			Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, rule.ms ?? 1000);
			return undefined;
		}
		if (rule.action === 'kill') {
			process.kill(process.pid, 'SIGKILL');
			for (;;); // the signal is on its way; nothing more of this process may run
		}
		const error = new Error(`ENOSPC: no space left on device, ${op} '${path}'`);
		error.code = 'ENOSPC';
		error.errno = -28;
		error.syscall = op;
		error.path = String(path);
		return error;
	}
	const half = (data) => (typeof data === 'string' ? data.slice(0, data.length >> 1) : Buffer.from(data.buffer, data.byteOffset, data.byteLength >> 1));

	/** Wraps a synchronous call: `pathOf(args)` names the file. */
	function wrapSync(object, name, op, pathOf, dataAt) {
		const original = object[name];
		if (typeof original !== 'function') return;
		object[name] = function (...args) {
			const path = pathOf(args);
			const rule = match(op, path);
			if (!rule) return original.apply(this, args);
			if (rule.action === 'sleep') {
				fault(rule, op, path);
				return original.apply(this, args);
			}
			if (rule.when === 'before') throw fault(rule, op, path);
			if (rule.when === 'half' && dataAt !== undefined && args[dataAt] !== undefined) {
				const cut = [...args];
				cut[dataAt] = Array.isArray(args[dataAt]) ? args[dataAt].slice(0, Math.max(1, args[dataAt].length >> 1)).map(half) : half(args[dataAt]);
				original.apply(this, cut);
				throw fault(rule, op, path);
			}
			const result = original.apply(this, args);
			throw fault(rule, op, path);
			// eslint-disable-next-line no-unreachable
			return result;
		};
	}
	/** Wraps a call returning a promise. */
	function wrapAsync(object, name, op, pathOf, dataAt) {
		const original = object[name];
		if (typeof original !== 'function') return;
		object[name] = async function (...args) {
			const path = pathOf(args, this);
			const rule = match(op, path);
			if (!rule) return original.apply(this, args);
			if (rule.action === 'sleep') {
				if (rule.when !== 'after') fault(rule, op, path);
				const result = await original.apply(this, args);
				if (rule.when === 'after') fault(rule, op, path);
				return result;
			}
			if (rule.when === 'before') throw fault(rule, op, path);
			if (rule.when === 'half' && dataAt !== undefined && args[dataAt] !== undefined) {
				const cut = [...args];
				cut[dataAt] = Array.isArray(args[dataAt]) ? args[dataAt].slice(0, Math.max(1, args[dataAt].length >> 1)).map(half) : half(args[dataAt]);
				await original.apply(this, cut);
				throw fault(rule, op, path);
			}
			await original.apply(this, args);
			throw fault(rule, op, path);
		};
	}

	// synchronous calls
	const first = (args) => args[0];
	const fdPath = (args) => paths.get(args[0]) ?? `fd ${args[0]}`;
	const openSync = fs.openSync;
	fs.openSync = function (path, ...rest) {
		let rule = match('open', path);
		if (rule && rule.action === 'sleep') rule = void fault(rule, 'open', path);
		if (rule && rule.when === 'before') throw fault(rule, 'open', path);
		const fd = openSync.call(this, path, ...rest);
		paths.set(fd, String(path));
		if (rule) throw fault(rule, 'open', path);
		return fd;
	};
	wrapSync(fs, 'writeSync', 'write', fdPath, 1);
	wrapSync(fs, 'writevSync', 'write', fdPath, 1);
	wrapSync(fs, 'fsyncSync', 'sync', fdPath);
	wrapSync(fs, 'fdatasyncSync', 'sync', fdPath);
	wrapSync(fs, 'ftruncateSync', 'truncate', fdPath);
	wrapSync(fs, 'renameSync', 'rename', (a) => `${a[0]} -> ${a[1]}`);
	wrapSync(fs, 'unlinkSync', 'unlink', first);
	wrapSync(fs, 'linkSync', 'link', (a) => `${a[0]} -> ${a[1]}`);
	wrapSync(fs, 'copyFileSync', 'copy', (a) => `${a[0]} -> ${a[1]}`);
	wrapSync(fs, 'appendFileSync', 'append', first, 1);
	wrapSync(fs, 'writeFileSync', 'write', first, 1);
	wrapSync(fs, 'truncateSync', 'truncate', first);
	const closeSync = fs.closeSync;
	fs.closeSync = function (fd) {
		const path = paths.get(fd);
		const rule = path === undefined ? undefined : match('close', path);
		if (rule && rule.when === 'before') throw fault(rule, 'close', path);
		closeSync.call(this, fd);
		paths.delete(fd);
		if (rule) throw fault(rule, 'close', path);
	};

	// promises
	wrapAsync(fsp, 'readFile', 'read', first);
	wrapAsync(fsp, 'rename', 'rename', (a) => `${a[0]} -> ${a[1]}`);
	wrapAsync(fsp, 'unlink', 'unlink', first);
	wrapAsync(fsp, 'link', 'link', (a) => `${a[0]} -> ${a[1]}`);
	wrapAsync(fsp, 'copyFile', 'copy', (a) => `${a[0]} -> ${a[1]}`);
	wrapAsync(fsp, 'appendFile', 'append', first, 1);
	wrapAsync(fsp, 'writeFile', 'write', first, 1);
	wrapAsync(fsp, 'truncate', 'truncate', first);
	const open = fsp.open;
	fsp.open = async function (path, ...rest) {
		let rule = match('open', path);
		if (rule && rule.action === 'sleep') rule = void fault(rule, 'open', path);
		if (rule && rule.when === 'before') throw fault(rule, 'open', path);
		const handle = await open.call(this, path, ...rest);
		handlePaths.set(handle, String(path));
		patchHandle(Object.getPrototypeOf(handle));
		if (rule) throw fault(rule, 'open', path);
		return handle;
	};
	let patched = false;
	function patchHandle(proto) {
		if (patched) return;
		patched = true;
		const handlePath = (args, handle) => handlePaths.get(handle) ?? `fd ${handle && handle.fd}`;
		wrapAsync(proto, 'write', 'write', handlePath, 0);
		wrapAsync(proto, 'writev', 'write', handlePath, 0);
		wrapAsync(proto, 'writeFile', 'write', handlePath, 0);
		wrapAsync(proto, 'appendFile', 'write', handlePath, 0);
		wrapAsync(proto, 'sync', 'sync', handlePath);
		wrapAsync(proto, 'datasync', 'sync', handlePath);
		wrapAsync(proto, 'truncate', 'truncate', handlePath);
		wrapAsync(proto, 'close', 'close', handlePath);
	}
}
