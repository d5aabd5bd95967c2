// One build script: esbuild bundles each shell into one CommonJS file that runs on Node ≥ 20
// with no node_modules. The Windows exe and the DSM package ship exactly these files.
import { build, type BuildOptions, type Plugin } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { THREAD_BUNDLE, threadEntry } from '../packages/core/src/hashing/program.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };

/**
 * The hashing thread's program, bundled, in place of the module that bundles it when the
 * sources run (packages/core/src/hashing/program.ts): the bundle starts its threads from this
 * text, and has no esbuild to make it.
 */
function threadProgram(): Plugin {
	let text: Promise<string> | undefined;
	return {
		name: 'thread-program',
		setup(esbuild) {
			esbuild.onLoad({ filter: /[\\/]hashing[\\/]program\.ts$/ }, async () => {
				text ??= build({ ...THREAD_BUNDLE, entryPoints: [threadEntry()], write: false }).then((r) => r.outputFiles[0]!.text);
				return { contents: `export const threadProgram = () => ${JSON.stringify(await text)};`, loader: 'js' };
			});
		},
	};
}

export const base: BuildOptions = {
	bundle: true,
	platform: 'node',
	format: 'cjs',
	target: 'node20',
	charset: 'utf8',
	legalComments: 'none',
	define: { __VERSION__: JSON.stringify(version) },
	logLevel: 'warning',
	plugins: [threadProgram()],
};

export const targets: Record<string, BuildOptions> = {
	// hash-wasm's ES build lets esbuild keep only the algorithms used (its CommonJS one holds all: 268 KiB)
	cli: { entryPoints: [join(root, 'packages/cli/src/bin.ts')], outfile: join(root, 'dist/equilybrium.cjs'), banner: { js: '#!/usr/bin/env node' }, mainFields: ['module', 'main'] },
	'dsm-daemon': { entryPoints: [join(root, 'packages/dsm/src/daemon-bin.ts')], outfile: join(root, 'dist/equilybrium-dsm-daemon.cjs'), ...esmInCjs() },
	'dsm-cgi': { entryPoints: [join(root, 'packages/dsm/src/cgi-bin.ts')], outfile: join(root, 'dist/equilybrium-dsm-cgi.cjs'), ...esmInCjs() },
};

/** node-cron's ESM build reads import.meta.url at load time, which is empty in a CJS bundle. */
function esmInCjs(): BuildOptions {
	return { define: { ...base.define, 'import.meta.url': '__importMetaUrl' }, banner: { js: 'var __importMetaUrl = require("url").pathToFileURL(__filename).href;' } };
}

export async function buildAll(names = Object.keys(targets)): Promise<void> {
	await Promise.all(names.map(async (name) => replaceFile(targets[name]!.outfile!, await bundleOf(name))));
	for (const name of names) {
		const out = targets[name]!.outfile!;
		console.log(`built ${out.slice(root.length + 1)} (${(statSync(out).size / 1024).toFixed(0)} KiB)`);
	}
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
	const wanted = process.argv.slice(2);
	buildAll(wanted.length ? wanted : undefined).catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
}

/** One target's bundle, built in memory (each target is one file). */
export async function bundleOf(name: string): Promise<Uint8Array> {
	const { outputFiles } = await build({ ...base, ...targets[name], write: false });
	return outputFiles[0]!.contents;
}

/**
 * Written beside and renamed into place: a program started meanwhile (a test file that found
 * the bundle older than its sources, while another rebuilt it) runs the old file or the new
 * one, never half of one.
 */
export function replaceFile(path: string, contents: Uint8Array): void {
	mkdirSync(dirname(path), { recursive: true });
	const temporary = `${path}.${process.pid}.tmp`;
	writeFileSync(temporary, contents);
	renameSync(temporary, path);
}
