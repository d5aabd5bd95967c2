import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './util/build.ts';

// The package's rules, kept by a test: DSM's environment is read in one file, and the NAS
// side never imports the command line (it runs its bundle).

const src = join(root, 'packages/dsm/src');
const files = readdirSync(src).filter((f) => f.endsWith('.ts'));
const boundaries = suite('packages/dsm boundaries');

boundaries('only env.ts reads SYNOPKG_* or knows DSM paths', () => {
	const readers = files.filter((f) => /SYNOPKG_|\/usr\/syno|\/var\/packages/.test(readFileSync(join(src, f), 'utf8')));
	assert.equal(readers, ['env.ts']);
});

boundaries('imports only core, node-cron and node built-ins', () => {
	for (const file of files) {
		const text = readFileSync(join(src, file), 'utf8');
		for (const [, spec] of text.matchAll(/from '([^']+)'/g)) {
			assert.ok(spec!.startsWith('./') || spec!.startsWith('node:') || spec === '@equilybrium/core' || spec === 'node-cron', `${file} imports ${spec}`);
		}
	}
});

boundaries('only the two process shells touch the process (exit, signals)', () => {
	const touching = files.filter((f) => /process\.(exit|on)\(/.test(readFileSync(join(src, f), 'utf8')));
	assert.ok(touching.every((f) => f === 'cgi-bin.ts' || f === 'daemon-bin.ts'), `process touched in: ${touching.join(', ')}`);
	assert.ok(touching.includes('daemon-bin.ts'), 'the daemon shell handles its signals');
});

boundaries.run();
