// Which cron schedules A's Windows task can keep. Task Scheduler's calendar triggers start a
// task at one time of day, every day (ScheduleByDay) or on chosen days of the week
// (ScheduleByWeek); node-cron, which runs B, takes any cron expression. A schedule the task
// cannot keep is refused where it is saved (the NAS page, `schedule install`), never
// approximated: a task quietly running at another time than the config says is worse.

export const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** What the task does run: one time of day, on some days of the week (Sunday = 0). */
export interface TaskTrigger {
	hour: number;
	minute: number;
	second: number;
	/** Sorted, unique, 0–6; all seven means daily. */
	days: number[];
}

/** What A's task can express, for messages. */
export const TASK_SCHEDULES =
	'A\'s Windows task runs at one time of day, every day or on chosen days of the week, e.g. "0 3 * * *" (03:00 daily) or "15 4 * * 1-5" (04:15, Monday to Friday)';

/** The task's trigger for a cron expression, or why the task cannot keep it. */
export function taskTrigger(cron: string): { trigger: TaskTrigger } | { reason: string } {
	const fields = cron.trim().split(/\s+/);
	if (fields.length !== 5 && fields.length !== 6) return refuse(`"${cron.trim()}" is not a cron expression of 5 fields (minute hour day month weekday)`);
	const [second, minute, hour, day, month, weekday] = fields.length === 6 ? fields : ['0', ...fields];
	const numbers: [string, string, number][] = [
		['second', second!, 59],
		['minute', minute!, 59],
		['hour', hour!, 23],
	];
	for (const [name, field, max] of numbers) {
		if (!/^\d{1,2}$/.test(field) || Number(field) > max) return refuse(`the ${name} "${field}" is not one number from 0 to ${max}`);
	}
	if (day !== '*' && day !== '?') return refuse(`the day of the month "${day}" is not "*" (the task cannot pick days of the month)`);
	if (month !== '*') return refuse(`the month "${month}" is not "*" (the task cannot pick months)`);
	const days = weekdays(weekday!);
	if (!days) return refuse(`"${weekday}" is not a list of days of the week (0–7 or sun–sat, with ranges such as 1-5)`);
	return { trigger: { hour: Number(hour), minute: Number(minute), second: Number(second), days } };
}

/** undefined when A's task can keep this schedule, else why not and what it can keep. */
export function taskCanExpress(cron: string): string | undefined {
	const result = taskTrigger(cron);
	return 'reason' in result ? result.reason : undefined;
}

/** "every day at 03:00", "Monday to Friday at 04:15", "on Saturday and Sunday at 09:30". */
export function describeTrigger(t: TaskTrigger): string {
	const pad = (n: number) => String(n).padStart(2, '0');
	const at = `${pad(t.hour)}:${pad(t.minute)}${t.second ? `:${pad(t.second)}` : ''}`;
	if (t.days.length === 7) return `every day at ${at}`;
	// days in a row round the week (Friday to Monday too) have one first day: no day before it
	const starts = t.days.filter((d) => !t.days.includes((d + 6) % 7));
	if (starts.length === 1 && t.days.length >= 3) return `${WEEKDAYS[starts[0]!]} to ${WEEKDAYS[(starts[0]! + t.days.length - 1) % 7]} at ${at}`;
	// a week read from Monday, so "Saturday and Sunday" comes out in that order
	const names = [...t.days].sort((a, b) => ((a + 6) % 7) - ((b + 6) % 7)).map((d) => WEEKDAYS[d]!);
	const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
	return `on ${list} at ${at}`;
}

// --- internal ---

function refuse(why: string): { reason: string } {
	return { reason: `${why}; ${TASK_SCHEDULES}` };
}

const DAY_NAMES = WEEKDAYS.map((d) => d.toLowerCase());

/** Cron's weekday field as node-cron reads it: lists, ranges (wrapping too), steps, names, 7 = Sunday. */
function weekdays(field: string): number[] | undefined {
	const days = new Set<number>();
	for (const item of field.split(',')) {
		const m = /^(\*|\?|[a-z0-9]+)(?:-([a-z0-9]+))?(?:\/(\d+))?$/i.exec(item);
		if (!m) return undefined;
		const [, from, to, stepText] = m;
		const step = stepText === undefined ? 1 : Number(stepText);
		if (step < 1) return undefined;
		let first: number | undefined;
		let last: number | undefined;
		if (from === '*' || from === '?') {
			if (to !== undefined) return undefined;
			[first, last] = [0, 6];
		} else {
			first = dayNumber(from!);
			last = to === undefined ? (stepText === undefined ? first : undefined) : dayNumber(to);
		}
		if (first === undefined || last === undefined) return undefined;
		// 0-7 is the whole week; 5-1 wraps round it, Friday to Monday
		const span = first <= last ? last - first : last + 7 - first;
		for (let offset = 0; offset <= span; offset += step) days.add((first + offset) % 7);
	}
	return [...days].sort((a, b) => a - b);
}

function dayNumber(text: string): number | undefined {
	if (/^\d$/.test(text)) return Number(text) <= 7 ? Number(text) : undefined; // 7 is Sunday too, kept for ranges
	const name = text.toLowerCase();
	const index = DAY_NAMES.findIndex((d) => d === name || (name.length === 3 && d.startsWith(name)));
	return index < 0 ? undefined : index;
}
