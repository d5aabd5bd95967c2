// Sorted typed arrays: the distinct values of a list, and finding one of them.

/** The distinct values, ascending, in a new array (the input is left as it is). */
export function uniqueSorted(values: Uint32Array): Uint32Array {
	const sorted = Uint32Array.from(values).sort();
	let k = 0;
	for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[k - 1]) sorted[k++] = sorted[i]!;
	return sorted.subarray(0, k);
}

/** The index of `value` in an ascending array, or -1. */
export function indexIn(sorted: Uint32Array, value: number): number {
	let lo = 0;
	let hi = sorted.length - 1;
	while (lo <= hi) {
		const mid = (lo + hi) >>> 1;
		const v = sorted[mid]!;
		if (v === value) return mid;
		if (v < value) lo = mid + 1;
		else hi = mid - 1;
	}
	return -1;
}
