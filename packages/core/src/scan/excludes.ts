import { OWN_FILES } from '../config/folder.ts';

// What users expect a scanner to skip without being told (SPEC §7).
export const DEFAULT_EXCLUDES: readonly string[] = [
	// Synology
	'@eaDir', '#recycle', '#snapshot', '@tmp', '@sharebin', '.SynologyWorkingDirectory',
	// Windows
	'Thumbs.db', 'desktop.ini', '$RECYCLE.BIN', 'System Volume Information', '~$*',
	// macOS
	'.DS_Store', '._*',
	// FreeFileSync
	'*.ffs_db', '*.ffs_lock', '*.ffs_tmp',
	// Equilybrium's own files, should the config folder sit inside a monitored one
	...OWN_FILES,
];
