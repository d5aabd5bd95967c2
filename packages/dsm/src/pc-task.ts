// A's scheduled task on the PC takes a daily time, or days of the week with a time (SPEC §3);
// the settings page must refuse a `Schedule A` it cannot express, where it is saved. Which
// cron expressions fit is the core's knowledge (contracts §5: `taskCanExpress(cron)`,
// undefined = it fits, else the reason), plugged in here; the CGI entry passes it to the
// handler, so the handler and its tests take any check of that shape.

export type ScheduleCheck = (cron: string) => string | undefined;

/**
 * The check the settings page uses for A's schedule. Without the core's, it takes every
 * expression node-cron takes, and the PC's `schedule install` is where an unfit one is refused.
 */
export const pcTaskCheck: ScheduleCheck = () => undefined;
