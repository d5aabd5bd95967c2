import type { Role } from '../config/config.ts';
import type { Filters } from '../config/filters.ts';

// The original Equilybrium's filters (config/filters.ts) as one side's listing applies them,
// wherever the folder is listed (here or on a hashing thread): what a folder request carries,
// so plain data. A file they leave out is never listed, as if an exclude named it.

export interface FolderFilters {
	/** Files smaller than this are left out (0: none; the listing then stats only when asked). */
	minFileSize: number;
	/** False: files whose name holds no dot are left out (the original's `*.*` test). */
	includeNoExtension: boolean;
	/** Lower case, with the dot: a file whose name ends so, in any case, is left out. */
	excludedExtensions: string[];
	/** File names left out, case and all. */
	excludedFiles: string[];
	/** This side skips every folder whose name starts with "@" (Avoid at dirs names its role). */
	skipAtFolders: boolean;
}

/** The filters `role` applies; undefined when they leave everything in (the defaults). */
export function folderFilters(filters: Filters, role: Role): FolderFilters | undefined {
	const side: FolderFilters = {
		minFileSize: filters.minFileSize,
		includeNoExtension: filters.includeNoExtension,
		excludedExtensions: filters.excludedExtensions,
		excludedFiles: filters.excludedFiles,
		skipAtFolders: filters.avoidAtDirs.includes(role),
	};
	const none = side.minFileSize === 0 && side.includeNoExtension && side.excludedExtensions.length === 0 && side.excludedFiles.length === 0 && !side.skipAtFolders;
	return none ? undefined : side;
}

/** Whether a file called `name` (NFC) is left out by its name: extension, no extension, or the name itself. */
export function fileNameLeftOut(name: string, filters: FolderFilters): boolean {
	if (!filters.includeNoExtension && !name.includes('.')) return true;
	if (filters.excludedFiles.includes(name)) return true;
	if (filters.excludedExtensions.length > 0) {
		const lower = name.toLowerCase();
		for (const extension of filters.excludedExtensions) if (lower.endsWith(extension)) return true;
	}
	return false;
}

/** Whether a subfolder called `name` is skipped, with all below it. */
export const folderLeftOut = (name: string, filters: FolderFilters): boolean => filters.skipAtFolders && name.startsWith('@');
