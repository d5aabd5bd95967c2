import type { Delivery, NotificationChannel } from '@equilybrium/core';

/** What a channel calls once it knows: the first call wins, later ones are ignored. */
export type Settle = (ok: boolean, detail: string) => void;

/**
 * One delivery that ends once, by its own answer or after `timeoutMs`: a server or a program
 * that hangs cannot hold the run. `start` begins the work and returns how to stop it, which
 * the deadline calls after settling with `late`.
 */
export function deliveryWithin(channel: NotificationChannel, timeoutMs: number, late: string, start: (settle: Settle) => () => void): Promise<Delivery> {
	return new Promise((resolve) => {
		let settled = false;
		let timer: NodeJS.Timeout | undefined;
		const settle: Settle = (ok, detail) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve({ channel, ok, detail });
		};
		const stop = start(settle);
		timer = settled
			? undefined
			: setTimeout(() => {
					settle(false, late);
					stop();
				}, timeoutMs);
	});
}
