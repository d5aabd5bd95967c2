import { readFileSync } from 'node:fs';

export const seedText = readFileSync(new URL('../../../../fixtures/configs/seed-example.ini', import.meta.url), 'utf8');

/** [what, edit of the seed text, expected message]. */
export const MALFORMED_CONFIGS: [string, (t: string) => string, RegExp][] = [
	['unknown algorithm', (t) => t.replace('= sha256', '= sha9'), /equilybrium\.config\.ini:9: \[Settings\] Hash algorithm: unknown algorithm "sha9"; expected one of md5, .*adler32/],
	['bad block size', (t) => t.replace('2 ** 18', 'big'), /equilybrium\.config\.ini:11: \[Settings\] Block size: "big" is not a block size/],
	['zero block size', (t) => t.replace('2 ** 18', '0'), /:11: \[Settings\] Block size: "0" is not a block size/],
	['a list that is not JSON', (t) => t.replace('"D:/video",', '"D:/video"'), /equilybrium\.config\.ini:17: \[Monitored Directories\] A: not valid JSON/],
	['single quotes are not JSON', (t) => t.replace('"F:/myvideos"', "'F:/myvideos'"), /:17: \[Monitored Directories\] A: not valid JSON/],
	['a missing section', (t) => t.slice(0, t.indexOf('[Monitored')), /equilybrium\.config\.ini: missing section \[Monitored Directories\]$/],
	['no [Settings]', (t) => t.slice(t.indexOf('[Monitored')), /equilybrium\.config\.ini: missing section \[Settings\]$/],
	['duplicate labels', (t) => t.replace('"F:/myvideos"', '"F:/other/video"'), /:17: \[Monitored Directories\] A: two folders share the label "video"/],
	// a relative path is no mistake since issue 19: it counts from the config folder, as the original Equilybrium's did
	['a bad filter of the original Equilybrium', (t) => t.replace('Block size = 2 ** 18', 'Block size = 2 ** 18\nMin_file_size = lots'), /:12: \[Settings\] Min_file_size: "lots" is not a file size/],
	['a key given twice', (t) => t.replace('B = 924784692', 'B = 924784692\nA = 1'), /:7: \[Settings\] A: given twice \(first on line 5\)/],
	['unknown ID method', (t) => t.replace('= Python uuid', '= serial'), /:4: \[Settings\] ID method: "serial" is not one of "Python uuid", "hostname"/],
	['a bad verify mode', (t) => t.replace('Block size = 2 ** 18', 'Block size = 2 ** 18\nVerify = sometimes'), /:12: \[Settings\] Verify: "sometimes" is not a verify mode/],
	['a bad schedule', (t) => t.replace('Block size = 2 ** 18', 'Block size = 2 ** 18\nSchedule = nightly'), /:12: \[Settings\] Schedule: "nightly" is not a cron expression/],
	['a line without "="', (t) => t.replace('Block size = 2 ** 18', 'Block size 2 ** 18'), /:11: "Block size 2 \*\* 18" is not "key = value"/],
	['a value before any section', (t) => 'oops = 1\n' + t, /equilybrium\.config\.ini:1: "oops = 1" stands before any \[section\] header$/],
];
