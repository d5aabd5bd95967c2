import { configError, CoreError } from '../errors.ts';
import { ID_METHODS, type Config, type IdMethod, type Role } from './config.ts';

/** What the shell tells the core about the machine (the core does not probe it itself). */
export interface MachineFacts {
	hostname: string;
	/** Shaped like `os.networkInterfaces()`. */
	interfaces: Record<string, ReadonlyArray<{ mac: string; internal: boolean }> | undefined>;
}

/** Every ID this machine answers to, per method. */
export function machineIds(facts: MachineFacts): Record<IdMethod, string[]> {
	return { 'Python uuid': pythonUuidNodes(facts), hostname: hostnames(facts) };
}

/**
 * Python's `uuid.getnode()` prints the 48-bit integer of one interface's MAC, and which
 * interface it picks varies with the machine; so every non-internal interface is a match.
 */
export function pythonUuidNodes(facts: MachineFacts): string[] {
	const nodes = new Set<string>();
	for (const list of Object.values(facts.interfaces)) {
		for (const iface of list ?? []) {
			if (iface.internal || !/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(iface.mac)) continue;
			const value = BigInt('0x' + iface.mac.replace(/[:-]/g, ''));
			if (value !== 0n) nodes.add(value.toString());
		}
	}
	return [...nodes];
}

function hostnames(facts: MachineFacts): string[] {
	const full = facts.hostname.trim();
	const short = full.split('.')[0]!;
	return [...new Set([full, short].filter((h) => h !== ''))];
}

/** An ID as written in the config, in the form `machineIds` returns for its method. */
export function normaliseId(method: IdMethod, id: string): string {
	if (method === 'hostname') return id.trim().toLowerCase();
	const mac = id.trim();
	if (/^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(mac)) return BigInt('0x' + mac.replace(/[:-]/g, '')).toString();
	return mac.replace(/^0+(?=\d)/, '');
}

/** The role this machine plays: `override` wins, else the config's IDs are matched. */
export function detectRole(config: Config, facts: MachineFacts, override?: Role): Role {
	if (override) return override;
	const file = config.file;
	const method = config.idMethod;
	const mine = new Set(machineIds(facts)[method].map((id) => normaliseId(method, id)));
	const matches = (['A', 'B'] as const).filter((role) => {
		const id = config.ids[role];
		return id !== undefined && mine.has(normaliseId(method, id));
	});
	if (matches.length === 1) return matches[0]!;
	const line = config.lines['settings/a'] ?? config.lines['settings/id method'];
	if (matches.length === 2) throw configError(file, line, `[Settings] A and B: both name this machine; give A and B different IDs`);
	const ids = [...mine].join(', ') || '(none found)';
	throw new CoreError(
		'E_ROLE',
		`${file}: this machine is neither A nor B by "${method}" (its IDs: ${ids}); put one of them as A or B in [Settings], or pass --role A|B`,
	);
}

export { ID_METHODS };
