import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';

// Who is asking, in DSM's own words: authenticate.cgi reads the session cookie and the
// SynoToken from the environment the web server gave us and prints the user name (nothing
// when not logged in). It runs with REQUEST_METHOD=GET and no stdin so that it can never
// consume a POST body meant for us.

export function authenticate(cgi: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
	return new Promise((resolve) => {
		const child = execFile(cgi, [], { env: { ...env, REQUEST_METHOD: 'GET' }, timeout: 10_000, maxBuffer: 64 * 1024 }, (error, stdout) => {
			if (error) return resolve(undefined);
			const user = String(stdout).split(/\r?\n/)[0]!.trim();
			resolve(/^[^\s:/\\]{1,128}$/.test(user) ? user : undefined);
		});
		child.stdin?.end();
	});
}

/** Members of DSM's "administrators" group, from the group file (members are listed by name). */
export async function isAdministrator(groupFile: string, user: string): Promise<boolean> {
	let text: string;
	try {
		text = await readFile(groupFile, 'utf8');
	} catch {
		return false;
	}
	for (const line of text.split(/\r?\n/)) {
		const [name, , , members] = line.split(':');
		if (name === 'administrators') return (members ?? '').split(',').map((m) => m.trim()).includes(user);
	}
	return false;
}
