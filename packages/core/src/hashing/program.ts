// A hashing thread's program as text. The command line is one bundled file, also run inside
// the Windows exe and the DSM package, where no file of the thread's own exists: a thread is
// started from its text (`new Worker(text, { eval: true })`, a script that may require
// Node's built-in modules). The text is thread.ts and what it imports, bundled by esbuild:
// by the build, which puts the text in place of this module (tools/build.ts), and, run from
// the sources (tests, tools), here, by the same esbuild with the same options, when the
// first thread starts.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/**
 * How thread.ts becomes the program, for the build and the sources alike. In a function
 * (iife): the script's top-level names would be the thread's globals, and `var crypto` is
 * Node's global Web Crypto there. hash-wasm's ES build: only the WebAssembly the thread
 * uses is kept (its CommonJS build holds every algorithm's).
 */
export const THREAD_BUNDLE = { bundle: true, platform: 'node', format: 'iife', target: 'node20', charset: 'utf8', legalComments: 'none', logLevel: 'warning', mainFields: ['module', 'main'] } satisfies BuildOptions;

/** The thread's own source file. */
export const threadEntry = (): string => fileURLToPath(new URL('./thread.ts', import.meta.url));

let program: string | undefined;

/** The program a hashing thread runs. */
export function threadProgram(): string {
	return (program ??= fromSources());
}

function fromSources(): string {
	const esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
	const { outputFiles } = esbuild.buildSync({ ...THREAD_BUNDLE, entryPoints: [threadEntry()], write: false });
	return outputFiles[0]!.text;
}
