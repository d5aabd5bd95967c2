// A's scheduled task on the PC takes a daily time, or days of the week with a time (SPEC §3);
// the settings page must refuse a `Schedule A` it cannot express, where it is saved. Which
// cron expressions fit is the core's knowledge (`taskCanExpress`); the CGI entry passes this
// check to the handler, so the handler and its tests take any check of that shape.
import { taskCanExpress } from '@equilybrium/core';

export type ScheduleCheck = (cron: string) => string | undefined;

/** The check the settings page uses for A's schedule: undefined when the PC's task can keep it, else why not. */
export const pcTaskCheck: ScheduleCheck = taskCanExpress;
