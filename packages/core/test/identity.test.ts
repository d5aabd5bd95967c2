import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { detectRole, machineIds, parseConfig, pythonUuidNodes, type MachineFacts } from '../src/index.ts';

const facts: MachineFacts = {
	hostname: 'nas.home.lan',
	interfaces: {
		lo: [{ mac: '00:00:00:00:00:00', internal: true }],
		eth0: [{ mac: '00:11:32:ab:cd:ef', internal: false }, { mac: '00:11:32:ab:cd:ef', internal: false }],
		eth1: [{ mac: '00:11:32:ab:cd:f0', internal: false }],
		docker0: [{ mac: '02:42:ac:11:00:02', internal: false }],
	},
};

const ids = suite('machine IDs');

ids('Python uuid: the 48-bit integer of every non-internal MAC, as Python prints it', () => {
	const nodes = pythonUuidNodes(facts);
	const python = execFileSync('python3', ['-c', "for m in ['00:11:32:ab:cd:ef','00:11:32:ab:cd:f0','02:42:ac:11:00:02']: print(int(m.replace(':',''), 16))"], { encoding: 'utf8' }).trim().split('\n');
	assert.equal(nodes, python);
});

ids('hostname: the full name and its first label', () => {
	assert.equal(machineIds(facts).hostname, ['nas.home.lan', 'nas']);
});

ids.run();

// ---

const roles = suite('role detection');
const config = (idMethod: string, a: string, b: string) =>
	parseConfig(`[Settings]\nID method = ${idMethod}\nA = ${a}\nB = ${b}\n[Monitored Directories]\nA = ["C:/x"]\nB = ["/x"]\n`, '/cfg/equilybrium.config.ini');

roles('matches any interface, not only the first', () => {
	assert.is(detectRole(config('Python uuid', '1', String(0x001132abcdf0)), facts), 'B');
	assert.is(detectRole(config('Python uuid', '00:11:32:AB:CD:EF', '2'), facts), 'A', 'a MAC written as such works too');
});

roles('hostname, case-insensitive; --role wins', () => {
	assert.is(detectRole(config('hostname', 'PC', 'NAS'), facts), 'B');
	assert.is(detectRole(config('hostname', 'PC', 'NAS'), facts, 'A'), 'A');
});

roles('neither or both: a clear error naming this machine’s IDs', () => {
	try {
		detectRole(config('hostname', 'pc', 'other'), facts);
		assert.unreachable();
	} catch (error) {
		assert.is((error as { code?: string }).code, 'E_ROLE');
		assert.match((error as Error).message, /neither A nor B by "hostname" \(its IDs: nas\.home\.lan, nas\)/);
	}
	try {
		detectRole(config('hostname', 'nas', 'nas.home.lan'), facts);
		assert.unreachable();
	} catch (error) {
		assert.match((error as Error).message, /A and B: both name this machine/);
	}
});

roles.run();
