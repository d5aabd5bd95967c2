// Schedule A / Schedule B, and which schedules A's Windows task can keep (taskCanExpress: the
// NAS page asks it before saving, `schedule install` before registering).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeTrigger, parseConfig, taskCanExpress, taskTrigger, type TaskTrigger } from '../src/index.ts';

const trigger = (cron: string): TaskTrigger => {
	const found = taskTrigger(cron);
	if ('reason' in found) throw new Error(`${cron}: ${found.reason}`);
	return found.trigger;
};

const keys = suite('Schedule, Schedule A, Schedule B');
const parse = (settings: string) => parseConfig(`[Settings]\n${settings}\n[Monitored Directories]\n`, 'equilybrium.config.ini');

keys('none: both sides at the default, 03:00', () => {
	const c = parse('');
	assert.equal(c.schedules, { A: '0 3 * * *', B: '0 3 * * *' });
	assert.equal(c.scheduleFrom, { A: { key: 'Schedule' }, B: { key: 'Schedule' } });
});

keys('Schedule alone sets both; each side key overrides it for that side only', () => {
	assert.equal(parse('Schedule = 15 4 * * 1-5').schedules, { A: '15 4 * * 1-5', B: '15 4 * * 1-5' });
	const c = parse('Schedule = */10 * * * *\nschedule a = 0 22 * * *');
	assert.equal(c.schedules, { A: '0 22 * * *', B: '*/10 * * * *' });
	assert.equal(c.scheduleFrom, { A: { key: 'Schedule A', line: 3 }, B: { key: 'Schedule', line: 2 } });
	assert.is(c.schedule, '*/10 * * * *', "the older field is B's schedule");
	assert.equal(c.warnings, [], 'known keys');
	assert.equal(parse('Schedule B = 0 * * * *').schedules, { A: '0 3 * * *', B: '0 * * * *' });
});

keys('a malformed side key is refused with its line and key', () => {
	assert.throws(() => parse('Schedule = 0 3 * * *\nSchedule B = every night'), /equilybrium\.config\.ini:3: \[Settings\] Schedule B: "every night" is not a cron expression/);
});

keys.run();

const can = suite('taskCanExpress');

can('a time every day, or on chosen days of the week', () => {
	for (const ok of ['0 3 * * *', '15 4 * * 1-5', ' 30  21 * * * ', '0 9 * * sat,sun', '0 9 * * MON-FRI', '0 1 ? * *', '0 15 6 * * *', '59 23 * * 0,7', '0 3 * * */2', '0 3 * * 5-1', '0 3 * * monday']) {
		assert.is(taskCanExpress(ok), undefined, ok);
	}
});

can('refuses, saying what is wrong and what the task can keep', () => {
	const cases: [string, RegExp][] = [
		['*/5 * * * *', /^the minute "\*\/5" is not one number from 0 to 59; /],
		['0 3,15 * * *', /^the hour "3,15" is not one number from 0 to 23; /],
		['0 24 * * *', /^the hour "24" is not one number/],
		['60 1 * * *', /^the minute "60"/],
		['0 3 1,15 * *', /^the day of the month "1,15" is not "\*" \(the task cannot pick days of the month\); /],
		['0 3 * 1-6 *', /^the month "1-6" is not "\*"/],
		['0 3 * * L', /^"L" is not a list of days of the week/],
		['0 3 * * 8', /^"8" is not a list of days of the week/],
		['0 3 * * 1#2', /^"1#2" is not a list of days of the week/],
		['*/2 0 3 * * *', /^the second "\*\/2" is not one number/],
		['0 3 * *', /^"0 3 \* \*" is not a cron expression of 5 fields/],
		['nonsense', /is not a cron expression of 5 fields/],
	];
	for (const [cron, why] of cases) {
		const reason = taskCanExpress(cron);
		assert.ok(reason, cron);
		assert.match(reason!, why, cron);
		assert.match(reason!, /A's Windows task runs at one time of day, every day or on chosen days of the week, e\.g\. "0 3 \* \* \*" \(03:00 daily\) or "15 4 \* \* 1-5" \(04:15, Monday to Friday\)$/, cron);
	}
});

can.run();

const days = suite('taskTrigger');

days('the days a cron weekday field means, as node-cron reads it', () => {
	assert.equal(trigger('15 4 * * 1-5'), { hour: 4, minute: 15, second: 0, days: [1, 2, 3, 4, 5] });
	assert.equal(trigger('0 3 * * *').days, [0, 1, 2, 3, 4, 5, 6]);
	assert.equal(trigger('0 3 * * 0-7').days, [0, 1, 2, 3, 4, 5, 6], '0-7 is the whole week');
	assert.equal(trigger('0 3 * * 7').days, [0], '7 is Sunday');
	assert.equal(trigger('0 3 * * 5-1').days, [0, 1, 5, 6], 'a range wraps round the week');
	assert.equal(trigger('0 3 * * */2').days, [0, 2, 4, 6]);
	assert.equal(trigger('0 3 * * 1-5/2').days, [1, 3, 5]);
	assert.equal(trigger('0 3 * * Sun,wed,SATURDAY').days, [0, 3, 6]);
	assert.equal(trigger('5 0 12 * * 3'), { hour: 12, minute: 0, second: 5, days: [3] }, "node-cron's seconds field");
});

days('describeTrigger reads as a person says it', () => {
	assert.is(describeTrigger(trigger('0 3 * * *')), 'every day at 03:00');
	assert.is(describeTrigger(trigger('15 4 * * 1-5')), 'Monday to Friday at 04:15');
	assert.is(describeTrigger(trigger('30 9 * * 6,0')), 'on Saturday and Sunday at 09:30');
	assert.is(describeTrigger(trigger('0 20 * * 1,3,5')), 'on Monday, Wednesday and Friday at 20:00');
	assert.is(describeTrigger(trigger('0 20 * * 5-1')), 'Friday to Monday at 20:00');
	assert.is(describeTrigger(trigger('7 0 12 * * 0')), 'on Sunday at 12:00:07');
});

days.run();
