// A's scheduled task on the PC takes a daily time, or days of the week with a time (SPEC §3);
// the settings page must refuse a `Schedule A` it cannot express, where it is saved. Which
// cron expressions fit is the core's knowledge (contracts §5: `taskCanExpress`, undefined =
// it fits, else the reason). The CGI entry passes this check to the handler, so the handler
// and its tests take any check.

export type ScheduleCheck = (cron: string) => string | undefined;

/** The check the settings page uses for A's schedule. */
export const pcTaskCheck: ScheduleCheck = () => undefined;
