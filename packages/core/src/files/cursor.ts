/**
 * A forward-only cursor over a sorted stream that arrives in batches. `peek` and `shift`
 * are synchronous; only when the buffered batch runs out does the caller `await load()`.
 * Walking a database beside the scan costs one await per chunk of the file, not per entry.
 */
export class BatchCursor<T> {
	private batch: T[] = [];
	private at = 0;
	private ended = false;

	constructor(private source: AsyncGenerator<T[]>) {}

	/** The next item, or undefined if none is buffered (see `needsLoad`). */
	peek(): T | undefined {
		return this.batch[this.at];
	}

	shift(): T | undefined {
		return this.batch[this.at++];
	}

	/** Nothing buffered, and the stream may have more. */
	get needsLoad(): boolean {
		return this.at >= this.batch.length && !this.ended;
	}

	async load(): Promise<void> {
		while (this.needsLoad) {
			const next = await this.source.next();
			if (next.done) this.ended = true;
			else {
				this.batch = next.value;
				this.at = 0;
			}
		}
	}

	async close(): Promise<void> {
		this.ended = true;
		this.batch = [];
		await this.source.return(undefined);
	}
}

/** The first `n` items of batches, in batches (the source is not read further than needed). */
export async function* firstEntries<T>(batches: AsyncGenerator<T[]>, n: number): AsyncGenerator<T[]> {
	try {
		for await (const batch of batches) {
			if (n <= 0) return;
			yield batch.length <= n ? batch : batch.slice(0, n);
			n -= batch.length;
		}
	} finally {
		await batches.return(undefined);
	}
}
