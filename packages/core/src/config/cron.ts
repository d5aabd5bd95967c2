// A cron expression as node-cron takes it (5 fields, or 6 with seconds first), checked field by
// field: `0 3 * * 8` or `60 3 * * *` were accepted, and then never fired or failed at the daemon.

const FIELDS: { name: string; min: number; max: number; names?: string[] }[] = [
	{ name: 'minute', min: 0, max: 59 },
	{ name: 'hour', min: 0, max: 23 },
	{ name: 'day of the month', min: 1, max: 31 },
	{ name: 'month', min: 1, max: 12, names: ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] },
	{ name: 'day of the week', min: 0, max: 7, names: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] },
];
const SECONDS = { name: 'second', min: 0, max: 59 };

/** What is wrong with a cron expression, in words, or undefined when node-cron can run it. */
export function cronProblem(expression: string): string | undefined {
	const fields = expression.trim().split(/\s+/);
	if (fields.length !== 5 && fields.length !== 6) return `expected 5 fields "minute hour day month weekday", e.g. "0 3 * * *" (found ${fields.length})`;
	const specs = fields.length === 6 ? [SECONDS, ...FIELDS] : FIELDS;
	for (let i = 0; i < fields.length; i++) {
		const problem = fieldProblem(fields[i]!, specs[i]!);
		if (problem) return `${specs[i]!.name} "${fields[i]}": ${problem}`;
	}
	return undefined;
}

function fieldProblem(field: string, spec: (typeof FIELDS)[number]): string | undefined {
	for (const part of field.split(',')) {
		const [range, step, extra] = part.split('/');
		if (extra !== undefined || range === undefined || range === '') return 'not a value, a range or a list';
		if (step !== undefined && !(/^\d+$/.test(step) && Number(step) >= 1)) return `the step "${step}" is not a whole number of at least 1`;
		if (range === '*' || range === '?') continue;
		const bounds = range.split('-');
		if (bounds.length > 2) return `"${range}" is not a value or a range`;
		const values: number[] = [];
		for (const bound of bounds) {
			const value = valueOf(bound, spec);
			if (value === undefined) return `"${bound}" is not a number${spec.names ? ' or a name' : ''} from ${spec.min} to ${spec.max}`;
			values.push(value);
		}
		if (values.length === 2 && values[0]! > values[1]!) return `the range "${range}" runs backwards`;
	}
	return undefined;
}

function valueOf(text: string, spec: (typeof FIELDS)[number]): number | undefined {
	const named = spec.names?.indexOf(text.toLowerCase().slice(0, 3));
	if (named !== undefined && named >= 0 && /^[a-z]+$/i.test(text)) return named + (spec.min === 1 ? 1 : 0);
	if (!/^\d+$/.test(text)) return undefined;
	const value = Number(text);
	return value >= spec.min && value <= spec.max ? value : undefined;
}
