import { access, constants } from 'node:fs/promises';

// What the package says when DSM has not given its system internal user access to a folder:
// the one thing every user of a DSM 7 package has to do by hand (see docs/synology.md).

export function permissionMessage(path: string, user: string, what: 'read' | 'read and write'): string {
	const right = what === 'read' ? 'Read only' : 'Read/Write';
	return `the package cannot ${what} ${path}: in Control Panel ▸ Shared Folder, select its shared folder ▸ Edit ▸ Permissions ▸ "System internal user", and give "${user}" ${right}`;
}

/** A plain-words message when the package user lacks access to `path`, else undefined. */
export async function permissionHint(path: string, user: string, what: 'read' | 'read and write'): Promise<string | undefined> {
	const mode = what === 'read' ? constants.R_OK | constants.X_OK : constants.R_OK | constants.W_OK | constants.X_OK;
	try {
		await access(path, mode);
		return undefined;
	} catch (error) {
		const code = (error as NodeJS.ErrnoException).code;
		if (code === 'ENOENT') return `${path} does not exist (check [Monitored Directories] B)`;
		return permissionMessage(path, user, what);
	}
}
