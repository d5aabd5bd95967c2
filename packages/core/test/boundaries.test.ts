import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The core is shared by the Windows exe and the NAS daemon: it must not know either.
const SRC = fileURLToPath(new URL('../src/', import.meta.url));

const FORBIDDEN_IMPORTS = [
	/^node-cron$/, /^node:(http|https|http2|net|tls|dgram|child_process|cluster|repl|readline)$/,
	/^(http|https|net|child_process)$/, /^@equilybrium\/(cli|dsm)/, /dsm/i, /win(32|dows)/i, /^playwright/,
];
const FORBIDDEN_CODE: [RegExp, string][] = [
	[/\bprocess\.exit\b/, 'process.exit'],
	[/\bconsole\./, 'console'],
	[/\bSYNOPKG/, 'DSM environment'],
	[/process\.platform/, 'platform branching'],
	[/process\.(stdout|stderr|stdin)/, 'standard streams'],
];

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

const files = sources(SRC);

boundaries('there are sources to check', () => {
	assert.ok(files.length >= 10, `found ${files.length}`);
});

for (const file of files) {
	const name = file.slice(SRC.length);
	boundaries(name, () => {
		const code = readFileSync(file, 'utf8');
		for (const spec of importsOf(code)) {
			const bad = FORBIDDEN_IMPORTS.find((r) => r.test(spec));
			assert.not.ok(bad, `${name} imports "${spec}"`);
		}
		const withoutComments = code.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
		for (const [pattern, what] of FORBIDDEN_CODE) assert.not.ok(pattern.test(withoutComments), `${name} uses ${what}`);
	});
}

boundaries.run();
