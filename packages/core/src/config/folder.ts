// The config folder (SPEC §3): every file Equilybrium keeps in it, named here and nowhere
// else. The sync tool mirrors the folder between A and B; each side writes only its own
// files, `equilybrium.<role>.…` (role: A or B), and A alone the report.

/** The config both sides read. */
export const CONFIG_FILE = 'equilybrium.config.ini';
/** A's report: a section appended by each of A's runs (SPEC §9). */
export const REPORT_FILE = 'equilybrium.report.txt';

const own = (role: string, name: string) => `equilybrium.${role}.${name}`;

/** The side's sealed database M (SPEC §5). */
export const dbFileName = (role: string) => own(role, 'DB.json');
/** Beside the database: the one a run writes (`.new`, renamed over it to commit), the one before (`.bak`), and the local section while it is written. */
export const DB_SUFFIXES = { NEW: '.new', BAK: '.bak', LOCAL_TMP: '.local.tmp' } as const;

/** One log per event type, appended to by every committed run (SPEC §6). */
export const eventLogName = (role: string, type: string) => own(role, `Event.${type}.log`);
/** All of a side's event logs, as a person is told to look for them. */
export const eventLogsPattern = (role: string) => own(role, 'Event.*.log');
/** A run's events until it commits (docs/reliability.md), and the plan of their delivery to the logs. */
export const eventJournalName = (role: string) => own(role, 'events.tmp');
export const eventPlanName = (role: string) => own(role, 'events.plan');

/** The digests of a run that may be stopped, for the next to take (run/checkpoint.ts); `.next` while a resumed run writes its own. */
export const checkpointFile = (role: string) => own(role, 'checkpoint');
export const CHECKPOINT_SUFFIXES = { NEXT: '.next', MERGED: '.tmp' } as const;

/** One run per side (run/lock.ts); `.takeover` while a dead run's lock is taken over. */
export const lockFileName = (role: string) => own(role, 'lock');
export const LOCK_TAKEOVER_SUFFIX = '.takeover';

/** What a run lost and found, for the moves it settles after its merge (run/moves.ts). */
export const scratchFileName = (role: string, what: 'new' | 'gone') => own(role, `${what}.tmp`);

/** `import-legacy`'s sorted runs of entries, when there are too many to sort at once (legacy/sorted.ts). */
export const importScratchName = (role: string, n: number) => own(role, `import-${n}.tmp`);

/** How the side's last run ended (SPEC §12), and the runs before it. */
export const RUN_RECORD_FILE = (role: string) => own(role, 'last-run.json');
export const RUN_HISTORY_FILE = (role: string) => own(role, 'run-history.jsonl');
/** What the side has told a person (SPEC §11). */
export const NOTIFY_STATE_FILE = (role: string) => own(role, 'notify-state.json');

/** A file written whole beside its place, then renamed over it. */
export const TEMPORARY_SUFFIX = '.tmp';

/** The folder's files, as exclude patterns: should the config folder sit inside a monitored one. */
export const OWN_FILES: readonly string[] = [CONFIG_FILE, REPORT_FILE, own('[AB]', '*')];
