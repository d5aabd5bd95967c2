// The exe as a Node single executable application, made the way Node documents it
// (nodejs.org/api/single-executable-applications.html): a sea-config.json, a blob made from it
// by `node --experimental-sea-config` of the very release of the base node.exe, and postject
// to inject the blob. @yao-pkg/pkg 6.23 `--sea` made the same blob but cannot give it
// `execArgv`: neither of its SEA modes passes a seaConfig on to Node, and its `--options`
// are baked only by its classic (non-SEA) mode.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { LOW_MEMORY_FLAGS } from '../../packages/dsm/src/low-memory.ts';

/** postject's fuse: the character after the colon flips from 0 to 1 when a blob is injected. */
export const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Node's flags the exe starts with: the small young generation of the NAS's low-memory
 * limits, not their 48 MiB old-space cap. On the NAS a run that outgrows the cap (a mass
 * move or removal holds what vanished) is run again without it by the daemon; the scheduled
 * task on Windows has no such second chance, and a PC has the memory to spare. A user can
 * still set a cap for one run: `--node-options="--max-old-space-size=48"`.
 */
export const EXE_EXEC_ARGV: readonly string[] = LOW_MEMORY_FLAGS.filter((flag) => flag.startsWith('--max-semi-space-size'));

type Inject = (file: string, resource: string, data: Buffer, options: { sentinelFuse: string; overwrite: boolean }) => Promise<void>;

export interface SeaBuild {
	/** A Node for this machine of exactly the release of `baseExe` (another one's blob crashes at start). */
	blobMaker: string;
	/** node.exe, already given our icon and version resource. */
	baseExe: Buffer;
	/** The bundle the exe runs. */
	main: string;
	output: string;
	/** A folder for sea-config.json and the blob. */
	work: string;
}

export async function makeSeaExe(build: SeaBuild): Promise<void> {
	const config = join(build.work, 'sea-config.json');
	const blob = join(build.work, 'sea-prep.blob');
	writeFileSync(
		config,
		JSON.stringify({
			main: build.main,
			output: blob,
			disableExperimentalSEAWarning: true,
			useSnapshot: false,
			useCodeCache: false,
			execArgv: EXE_EXEC_ARGV,
			// "cli": NODE_OPTIONS is ignored, so one set for another program cannot change how the
			// exe runs; a `--node-options="…"` argument adds flags instead, after execArgv, so
			// they win: the way to give one run a larger heap (NODE_OPTIONS' would come first
			// and lose).
			execArgvExtension: 'cli',
		}),
	);
	const made = spawnSync(build.blobMaker, ['--experimental-sea-config', config], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 5 * 60_000 });
	if (made.status !== 0) throw new Error(`node --experimental-sea-config: exit ${made.status ?? made.error?.message}`);
	writeFileSync(build.output, build.baseExe);
	const { inject } = createRequire(import.meta.url)('postject') as { inject: Inject };
	await inject(build.output, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: SEA_FUSE, overwrite: true });
}
