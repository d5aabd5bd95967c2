// Version resource and icon of the exe, set on the base node.exe before the SEA blob goes
// in (resedit keeps other resources, and postject adds NODE_SEA_BLOB after). Without this,
// Explorer, Task Manager and antivirus tools see "Node.js JavaScript Runtime".
import { NtExecutable, NtExecutableResource, Data, Resource } from 'resedit';

export interface ExeIdentity {
	version: string;
	icon: Buffer;
}

const LANG = 1033; // en-US
const CODEPAGE = 1200; // UTF-16, what Windows' version resources use

/** Returns an unsigned copy with our icon and version info; the input stays untouched. */
export function brandExe(nodeExe: Buffer, identity: ExeIdentity): Buffer {
	// the npm node.exe is signed by the OpenJS Foundation; any change voids that signature,
	// so it is dropped here rather than left behind broken
	const exe = NtExecutable.from(nodeExe, { ignoreCert: true });
	const res = NtExecutableResource.from(exe);

	const groups = Resource.IconGroupEntry.fromEntries(res.entries);
	const groupId = groups[0]?.id ?? 1;
	const icons = Data.IconFile.from(identity.icon).icons.map((item) => item.data);
	Resource.IconGroupEntry.replaceIconsForResource(res.entries, groupId, groups[0]?.lang ?? LANG, icons);

	const [major = 0, minor = 0, patch = 0] = identity.version.split(/[.+-]/).map((n) => Number(n) || 0);
	const vi = Resource.VersionInfo.fromEntries(res.entries)[0] ?? Resource.VersionInfo.createEmpty();
	for (const language of vi.getAllLanguagesForStringValues()) {
		vi.removeAllStringValues(language);
	}
	vi.lang = LANG;
	vi.setFileVersion(major, minor, patch, 0, LANG);
	vi.setProductVersion(major, minor, patch, 0, LANG);
	vi.setStringValues(
		{ lang: LANG, codepage: CODEPAGE },
		{
			CompanyName: 'Equilybrium project',
			FileDescription: 'Equilybrium - is every file of your PC correctly backed up on your NAS?',
			FileVersion: identity.version,
			InternalName: 'equilybrium',
			LegalCopyright: 'Equilybrium project',
			OriginalFilename: 'equilybrium.exe',
			ProductName: 'Equilybrium',
			ProductVersion: identity.version,
		},
	);
	vi.outputToResourceEntries(res.entries);
	res.outputResource(exe);
	return Buffer.from(exe.generate());
}

/** The version strings back out of an exe: the build checks what it wrote. */
export function readVersionStrings(exeBytes: Buffer): Record<string, string> {
	const exe = NtExecutable.from(exeBytes, { ignoreCert: true });
	const res = NtExecutableResource.from(exe);
	const vi = Resource.VersionInfo.fromEntries(res.entries)[0];
	if (!vi) return {};
	const language = vi.getAllLanguagesForStringValues()[0];
	return language ? vi.getStringValues(language) : {};
}
