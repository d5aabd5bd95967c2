import { spawn } from 'node:child_process';
import { join } from 'node:path';
import type { Delivery, Message } from '@equilybrium/core';
import { deliveryWithin } from './_within.ts';

// Desktop = yes on the NAS (B): a DSM desktop notification to the administrators through
// /usr/syno/bin/synodsmnotify, the way Synology's developer guide shows for packages. DSM 7
// takes only i18n keys for title and text: the package's ui/texts/enu/strings holds
// [notify] title="Equilybrium" and msg="{0}", and the text goes as the {0} argument. Whether
// DSM lets a package's own user send it is not documented either way: the exit code decides,
// and a refusal is recorded, never more.

/** The app id: the application's key in spk/ui/config, equal to INFO's dsmappname (a test checks both). */
export const DSM_APP_ID = 'SYNO.SDS.Equilybrium.Application';
export const DSM_TITLE_KEY = 'equilybrium:notify:title';
export const DSM_MESSAGE_KEY = 'equilybrium:notify:msg';

/** EQUILYBRIUM_DSM_ROOT puts DSM's absolute paths under a prefix: how the simulated DSM of the tests works. */
export function synodsmnotifyPath(env: Record<string, string | undefined>): string {
	return join(env.EQUILYBRIUM_DSM_ROOT || '/', 'usr/syno/bin/synodsmnotify');
}

export function dsmNotifyArgs(message: Message): string[] {
	const text = `${message.title.replace(/^Equilybrium: /, '')} — ${message.short}`.replace(/\s+/g, ' ');
	return ['-c', DSM_APP_ID, '@administrators', DSM_TITLE_KEY, DSM_MESSAGE_KEY, text.length > 400 ? text.slice(0, 399) + '…' : text];
}

export function dsmNotify(message: Message, env: Record<string, string | undefined>, timeoutMs: number): Promise<Delivery> {
	const command = synodsmnotifyPath(env);
	return deliveryWithin('desktop', timeoutMs, `synodsmnotify did not finish within ${timeoutMs / 1000} s`, (settle) => {
		const child = spawn(command, dsmNotifyArgs(message), { stdio: ['ignore', 'pipe', 'pipe'], env });
		let said = '';
		child.stdout.on('data', (d: Buffer) => (said += d.toString('utf8')));
		child.stderr.on('data', (d: Buffer) => (said += d.toString('utf8')));
		child.on('error', (error) => settle(false, `could not run ${command}: ${error.message}`));
		child.on('close', (code) => {
			const why = said.replace(/\s+/g, ' ').trim().slice(0, 240);
			if (code === 0) settle(true, 'DSM notification sent to the administrators');
			else settle(false, `synodsmnotify exited with ${code}${why ? `: ${why}` : ''} (DSM may not let a package's own user notify)`);
		});
		return () => child.kill('SIGKILL');
	});
}
