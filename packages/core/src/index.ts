// What the shells (cli, dsm) and the tests use of the core, by hand: anything else is the
// core's own. In the order of a run (see README.md).

export { CoreError, configError, isCoreError, type CoreErrorCode } from './errors.ts';
export type { Disk, RunHost, WorkingDirectory } from './host.ts';

// config/
export { ID_METHODS, loadConfig, parseConfig, type Config, type IdMethod, type Role, type Root } from './config/config.ts';
export { CONFIG_FILE, REPORT_FILE, RUN_HISTORY_FILE, RUN_RECORD_FILE, dbFileName, eventJournalName, eventLogName, eventLogsPattern, lockFileName } from './config/folder.ts';
export { detectRole, machineIds, pythonUuidNodes, type MachineFacts } from './config/identity.ts';
export { readIniValue, removeIniValue, setIniValue } from './config/ini-edit.ts';
export { NOTIFICATION_DEFAULTS, type NotificationSettings, type SmtpServer } from './config/notifications.ts';
export { WEEKDAYS, describeTrigger, taskCanExpress, taskTrigger, type TaskTrigger } from './config/schedule.ts';
export { addFolders, renderStarterConfig } from './config/starter.ts';

// scan/
export { scanRoots, type ScanItem } from './scan/scan.ts';

// hashing/
export { ALGORITHMS, ALL_ALGORITHMS, FAST_ALGORITHMS, isAlgorithm, type AlgorithmName } from './hashing/names.ts';
export { createDigest, digestOf, prepareAlgorithm } from './hashing/algorithms.ts';
export { crc32Js } from './hashing/digests.ts';
export { FileChangingError, hashFile } from './hashing/hash.ts';
export { prestartThreads } from './hashing/threads.ts';

// db/
export { DB_VERSION, DbWriter, openDb, type DbEntry } from './db/index.ts';

// run/
export { runMonitor } from './run/monitor.ts';
export type { Progress, RunResult } from './run/options.ts';
export { acquireLock } from './run/lock.ts';

// legacy/: the original Equilybrium's database made into M
export { importLegacyDb, type ImportResult } from './legacy/import.ts';

// events/
export { ALARMING, EVENT_TYPES, emptyCounts, parseEventLine, type EventType, type FileEvent } from './events/events.ts';

// compare/
export { AT_RISK, VERDICTS, compareJson, compareSides, type Comparison, type Verdict } from './compare/compare.ts';

// report/
export { VERDICT_LABEL, renderReportSection, whatToDo, type ReportInput } from './report/report.ts';
export { appendReportSection, emptyDigest, latestReportSection, readEventsSince, type EventDigest } from './report/reportfile.ts';
export { noFoldersError, noFoldersHeadline, reportNoFolders } from './report/nofolders.ts';
export { count, humanBytes, humanDuration, humanShare, humanTime, thousands } from './report/format.ts';
export { buildRunRecord, readRunHistory, readRunRecord, writeFileAtomic, writeRunRecord, type Delivery, type ExitCode, type NotificationChannel, type RunOutcome, type RunRecord, type RunVerdict } from './report/runrecord.ts';

// notify/
export { planNotification, readNotifyState, testMessage, writeNotifyState, type Findings, type Message, type NotifyInput, type NotifyState } from './notify/notify.ts';
export { readProgressRecord, PROGRESS_PHASES, type ProgressPhase, type ProgressRecord } from './report/progressfile.ts';
