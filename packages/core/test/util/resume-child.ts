// Child process of resume-killed.test.ts: one run that the parent kills with SIGKILL
// part-way. It tells the parent how far it got; the checkpoint goes to the OS every line.
import { loadConfig, runMonitor } from '../../src/index.ts';
import { host } from './host.ts';

const [dir, after] = process.argv.slice(2);
const config = await loadConfig(dir!);
let told = false;
await runMonitor({
	host,
	config,
	role: 'A',
	toolVersion: 'test',
	checkpointFlushMs: 0,
	onProgress: (p) => {
		if (!told && p.hashedFiles >= Number(after)) {
			told = true;
			process.send!({ hashed: p.hashedFiles });
		}
	},
});
process.send!({ finished: true });
