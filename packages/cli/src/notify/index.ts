import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Delivery, Message, NotificationChannel, NotificationSettings } from '@equilybrium/core';
import { sendEmail } from './email.ts';
import { dsmNotify } from './desktop-dsm.ts';
import { showToast } from './desktop-windows.ts';
import { sendWebhook } from './webhook.ts';

// The channels of [Notifications], delivered side by side after a run. Each has its own hard
// time limit, and none can fail the run: a failure is a Delivery with ok = false.

/** A network channel's whole exchange; PowerShell's first start on a busy PC takes longer. */
export const NETWORK_TIMEOUT_MS = 5000;
export const DESKTOP_TIMEOUT_MS = 10_000;

export interface ChannelHost {
	env: Record<string, string | undefined>;
	platform: NodeJS.Platform;
	version: string;
}

export type DesktopKind = 'windows' | 'dsm';

/**
 * Which desktop this process can notify: the NAS daemon says "dsm" in EQUILYBRIUM_DESKTOP
 * (nothing else tells a run on DSM from one on any Linux); Windows is Windows.
 */
export function desktopOf(host: ChannelHost): DesktopKind | undefined {
	const said = host.env.EQUILYBRIUM_DESKTOP?.trim().toLowerCase();
	if (said === 'dsm' || said === 'windows') return said;
	if (said === 'none') return undefined;
	return host.platform === 'win32' ? 'windows' : undefined;
}

export function channelsOf(settings: NotificationSettings, host: ChannelHost): NotificationChannel[] {
	const channels: NotificationChannel[] = [];
	if (settings.webhook) channels.push('webhook');
	if (settings.smtp && settings.email.length > 0) channels.push('email');
	if (settings.desktop && desktopOf(host)) channels.push('desktop');
	return channels;
}

/**
 * The machine-local folder (never synced) for what must not be in the shared config: the SMTP
 * password file. The NAS daemon gives the package's var folder in EQUILYBRIUM_STATE_DIR.
 */
export function stateDir(host: ChannelHost): string {
	const env = host.env;
	if (env.EQUILYBRIUM_STATE_DIR) return env.EQUILYBRIUM_STATE_DIR;
	if (host.platform === 'win32') return join(env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local'), 'Equilybrium');
	return join(env.XDG_STATE_HOME || join(env.HOME || homedir(), '.local', 'state'), 'equilybrium');
}

export async function deliver(message: Message, settings: NotificationSettings, host: ChannelHost): Promise<Delivery[]> {
	const sending: Promise<Delivery>[] = [];
	for (const channel of channelsOf(settings, host)) {
		if (channel === 'webhook') sending.push(sendWebhook(settings.webhook!, message, NETWORK_TIMEOUT_MS, `Equilybrium/${host.version}`));
		if (channel === 'email') {
			sending.push(sendEmail(message, { server: settings.smtp!, to: settings.email, env: host.env, stateDir: stateDir(host), timeoutMs: NETWORK_TIMEOUT_MS }));
		}
		if (channel === 'desktop') {
			sending.push(desktopOf(host) === 'dsm' ? dsmNotify(message, host.env, DESKTOP_TIMEOUT_MS) : showToast(message, host.env, DESKTOP_TIMEOUT_MS));
		}
	}
	// a channel's own bug is one failed delivery, not a failed run
	return Promise.all(sending.map((p, i) => p.catch((error: unknown): Delivery => ({ channel: channelsOf(settings, host)[i]!, ok: false, detail: `internal error: ${String(error)}` }))));
}
