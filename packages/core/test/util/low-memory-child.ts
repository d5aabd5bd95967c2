// Child of run-unchanged.test.ts: one run under the launchers' small heap, printing its
// events as JSON lines (the parent cannot shrink its own heap).
import { loadConfig, runMonitor } from '../../src/index.ts';
import { host } from './host.ts';

const [configDir, role] = process.argv.slice(2);
const result = await runMonitor({
	host,
	config: await loadConfig(configDir!),
	role: role as 'A' | 'B',
	toolVersion: 'test',
	onEvent: (event) => console.log(JSON.stringify(event)),
});
console.log(JSON.stringify({ files: result.files }));
