import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The core is shared by the Windows exe and the NAS daemon: it must not know either. It is
// told about the machine and the process (RunHost) by the shell, and probes neither itself.
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

const FORBIDDEN_IMPORTS = [
	/^node-cron$/, /^node:(http|https|http2|net|tls|dgram|child_process|cluster|repl|readline)$/,
	/^(http|https|net|child_process)$/, /^@equilybrium\/(cli|dsm)/, /dsm/i, /win(32|dows)/i, /^playwright/,
	// heap statistics: whether the process runs with a small heap is RunHost.lowMemory
	/^(node:)?v8$/,
];
const FORBIDDEN_CODE: [RegExp, string][] = [
	[/\bprocess\.exit\b/, 'process.exit'],
	[/\bconsole\./, 'console'],
	[/\bSYNOPKG/, 'DSM environment'],
	[/process\.platform/, 'platform branching'],
	[/process\.(stdout|stderr|stdin)/, 'standard streams'],
	[/\bchdir\b|\bprocess\s*\.\s*cwd\b/, 'the working directory (RunHost.workingDirectory)'],
	[/['"`]\/(proc|sys)\b/, '/proc or /sys (machine facts are RunHost\'s)'],
	[/\b(availableParallelism|cpus|getHeapStatistics)\s*\(/, 'a machine probe (RunHost)'],
];

/** Node's internal layer: used in one named module only, which says why. */
const NODE_INTERNALS: RegExp[] = [/\bprocess\s*\.\s*(binding|_linkedBinding)\b/, /\.\s*(binding|_linkedBinding)\s*\(/, /\[\s*['"`](binding|_linkedBinding)['"`]\s*\]/, /\binternalBinding\b/];
const NODE_INTERNALS_MODULE = 'scan/quickstat.ts';

/** The database's format stays in db/: the rest of the core imports its index, and the scan its listing line alone. */
const DB_DOORS = ['db/index.ts', 'db/codecs.ts'];

function sources(dir: string): string[] {
	return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
		e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
	);
}

/** Module specifiers of static imports, re-exports and dynamic imports. */
export function importsOf(code: string): string[] {
	const found: string[] = [];
	for (const m of code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
	for (const m of code.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) found.push(m[1]!);
	for (const m of code.matchAll(/\b(?:import|require)\s*\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]!);
	return found;
}

const boundaries = suite('packages/core/src stays platform-free');

boundaries('the checker itself sees imports and calls', () => {
	const sample = `import { x } from 'node-cron';\nexport * from "./a.ts";\nconst m = await import('node:http');\nconsole.log(1); process.exit(2);`;
	assert.equal(importsOf(sample), ['node-cron', './a.ts', 'node:http']);
	assert.ok(FORBIDDEN_CODE.filter(([r]) => r.test(sample)).length >= 2);
});

boundaries('the checker sees machine probes, working-directory changes and Node internals', () => {
	const probes = [`process.chdir(dir)`, `const c = process.cwd()`, `readFileSync('/proc/cpuinfo')`, "`/sys/dev/block/${x}`", `availableParallelism()`, `os.cpus().length`, `getHeapStatistics()`];
	for (const code of probes) assert.ok(FORBIDDEN_CODE.some(([r]) => r.test(code)), code);
	assert.equal(importsOf(`import { getHeapStatistics } from 'node:v8';`).filter((s) => FORBIDDEN_IMPORTS.some((r) => r.test(s))), ['node:v8']);
	const internals = [`process.binding('fs')`, `const host = process as any; host.binding('fs')`, `process['binding']('fs')`, `internalBinding('fs')`];
	for (const code of internals) assert.ok(NODE_INTERNALS.some((r) => r.test(code)), code);
	assert.not.ok(NODE_INTERNALS.some((r) => r.test(`const processBinding = 1; bind(x)`)));
});

const files = sources(SRC);

boundaries('there are sources to check', () => {
	assert.ok(files.length >= 10, `found ${files.length}`);
});

for (const file of files) {
	const name = file.slice(SRC.length);
	boundaries(name, () => {
		const code = readFileSync(file, 'utf8');
		const here = name.split(sep).join('/');
		for (const spec of importsOf(code)) {
			const bad = FORBIDDEN_IMPORTS.find((r) => r.test(spec));
			assert.not.ok(bad, `${name} imports "${spec}"`);
			if (!spec.startsWith('.') || here.startsWith('db/')) continue;
			const target = relative(SRC, join(dirname(file), spec)).split(sep).join('/');
			if (target.startsWith('db/')) assert.ok(DB_DOORS.includes(target), `${name} imports ${target}: outside db/, the database is reached through ${DB_DOORS.join(' or ')}`);
		}
		const withoutComments = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
		for (const [pattern, what] of FORBIDDEN_CODE) assert.not.ok(pattern.test(withoutComments), `${name} uses ${what}`);
		const internals = NODE_INTERNALS.some((r) => r.test(withoutComments));
		if (here === NODE_INTERNALS_MODULE) assert.ok(internals, `${name} no longer uses Node's internals: drop its exception here`);
		else assert.not.ok(internals, `${name} uses Node's internal layer: only ${NODE_INTERNALS_MODULE} may`);
	});
}

boundaries.run();
