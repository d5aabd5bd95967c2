// How numbers and times read in everything a person sees: the report, the CLI, the NAS page.

/** 1536 → "1.5 KiB". */
export function humanBytes(bytes: number): string {
	const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
	let value = bytes;
	let unit = 0;
	while (value >= 1024 && unit < units.length - 1) {
		value /= 1024;
		unit++;
	}
	return unit === 0 ? `${bytes} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function humanDuration(ms: number): string {
	const s = Math.round(ms / 1000);
	if (s < 60) return `${Math.max(0, ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
	const m = Math.floor(s / 60);
	if (m < 60) return `${m} min ${s % 60} s`;
	return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/** 3 → "3 files", 1 → "1 file", with thousands separators. */
export const count = (n: number, word: string) => `${thousands(n)} ${word}${n === 1 ? '' : 's'}`;

/**
 * 1234567 → "1,234,567", as toLocaleString('en-US') writes it, without loading ICU's locale
 * data: that first call alone costs ~20 ms, a tenth of a quick run.
 */
export function thousands(n: number): string {
	const [whole, fraction] = String(Math.abs(n)).split('.');
	const grouped = whole!.replace(/\B(?=(\d{3})+$)/g, ',');
	return (n < 0 ? '-' : '') + grouped + (fraction ? '.' + fraction : '');
}

/**
 * "2026-11-22 04:05 +01:00": this machine's local time, as a person reads it off their clock,
 * with its offset from UTC so that a time read on the other machine is never ambiguous.
 */
export function humanTime(ms: number, seconds = false): string {
	const { date, time, offset } = localTime(ms);
	return `${date} ${time.slice(0, seconds ? 8 : 5)} ${offset}`;
}

/** "2026-11-22 04:05:12.418 +01:00": to the millisecond, and Date.parse reads it back (date, "T", time, offset). */
export function localTimestamp(ms: number): string {
	const { date, time, offset } = localTime(ms);
	return `${date} ${time} ${offset}`;
}

function localTime(ms: number): { date: string; time: string; offset: string } {
	const minutes = -new Date(ms).getTimezoneOffset();
	// the local wall clock is the UTC one shifted by the offset
	const iso = new Date(ms + minutes * 60_000).toISOString();
	const abs = Math.abs(minutes);
	const offset = `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
	return { date: iso.slice(0, 10), time: iso.slice(11, 23), offset };
}

/** "3 days", "5 hours", "12 minutes": how long ago, roughly. */
export function humanAge(ms: number): string {
	const minutes = Math.max(0, Math.round(ms / 60_000));
	if (minutes < 60) return count(minutes, 'minute');
	const hours = Math.round(minutes / 60);
	if (hours < 48) return count(hours, 'hour');
	return count(Math.round(hours / 24), 'day');
}

/** 0.875 → "87.5 %"; 100 % only when it is, so "everything" is never rounded into. */
export function humanShare(share: number): string {
	if (share >= 1) return '100 %';
	return `${Math.min(99.9, Math.floor(share * 1000) / 10)} %`;
}
