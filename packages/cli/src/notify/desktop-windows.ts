import { spawn } from 'node:child_process';
import type { Delivery, Message } from '@equilybrium/core';
import { deliveryWithin } from './_within.ts';

// Desktop = yes on Windows (A): a toast through Windows PowerShell 5.1 and WinRT's
// ToastNotificationManager — no native addon, nothing shipped beside the exe. PowerShell 7
// cannot load the WinRT types, so 5.1 is named by its full path. The script is a constant;
// the toast's text reaches it in environment variables, so nothing a file name holds is ever
// parsed as PowerShell. Spawned hidden (windowsHide and no inherited console: no window flashes).

/** The AppUserModelID the installer registers (HKCU\Software\Classes\AppUserModelId\…, and the Start-menu shortcut). */
export const TOAST_APP_ID = 'Equilybrium.Monitor';
/** Clicking the toast opens this URI; the installer registers the protocol to open the report. */
export const TOAST_LAUNCH = 'equilybrium:open-report';

export const TOAST_SCRIPT = [
	"$ErrorActionPreference = 'Stop'",
	'[void][Windows.UI.Notifications.ToastNotificationManager, Windows.UI.Notifications, ContentType = WindowsRuntime]',
	'[void][Windows.Data.Xml.Dom.XmlDocument, Windows.Data.Xml.Dom.XmlDocument, ContentType = WindowsRuntime]',
	'$xml = New-Object Windows.Data.Xml.Dom.XmlDocument',
	'$xml.LoadXml($env:EQUILYBRIUM_TOAST_XML)',
	'$toast = New-Object Windows.UI.Notifications.ToastNotification $xml',
	'[Windows.UI.Notifications.ToastNotificationManager]::CreateToastNotifier($env:EQUILYBRIUM_TOAST_APP).Show($toast)',
].join('; ');

export interface ToastCall {
	command: string;
	args: string[];
	env: Record<string, string>;
}

export function powershellPath(env: Record<string, string | undefined>): string {
	const root = env.SystemRoot ?? env.SYSTEMROOT ?? env.windir ?? 'C:\\Windows';
	return `${root}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe`;
}

/** The exact program, arguments and added environment of one toast. */
export function toastCall(message: Message, env: Record<string, string | undefined>): ToastCall {
	return {
		command: powershellPath(env),
		args: ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-WindowStyle', 'Hidden', '-Command', TOAST_SCRIPT],
		env: { EQUILYBRIUM_TOAST_XML: toastXml(message), EQUILYBRIUM_TOAST_APP: TOAST_APP_ID },
	};
}

/** ToastGeneric: the verdict as title, a few words under it, a button that opens the report. */
export function toastXml(message: Message): string {
	const title = message.title.replace(/^Equilybrium: /, '');
	const scenario = message.level === 'problem' ? ' scenario="reminder"' : '';
	return (
		`<toast activationType="protocol" launch="${TOAST_LAUNCH}"${scenario}>` +
		`<visual><binding template="ToastGeneric">` +
		`<text>${xmlText(clip(title, 120))}</text>` +
		`<text>${xmlText(clip(message.short, 250))}</text>` +
		`<text placement="attribution">Equilybrium</text>` +
		`</binding></visual>` +
		`<actions><action content="Open the report" activationType="protocol" arguments="${TOAST_LAUNCH}"/>` +
		(scenario ? `<action content="Dismiss" activationType="system" arguments="dismiss"/>` : '') +
		`</actions></toast>`
	);
}

export function showToast(message: Message, env: Record<string, string | undefined>, timeoutMs: number): Promise<Delivery> {
	const call = toastCall(message, env);
	return deliveryWithin('desktop', timeoutMs, `Windows PowerShell did not finish within ${timeoutMs / 1000} s`, (settle) => {
		const child = spawn(call.command, call.args, { env: { ...env, ...call.env }, windowsHide: true, stdio: ['ignore', 'pipe', 'pipe'] });
		let stderr = '';
		child.stdout.resume();
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')).length > 4000 && (stderr = stderr.slice(-2000)));
		child.on('error', (error) => settle(false, `could not start Windows PowerShell (${powershellPath(env)}): ${error.message}`));
		child.on('close', (code) => {
			const why = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).slice(0, 2).join(' ');
			if (code === 0) settle(true, 'Windows notification shown');
			else settle(false, `Windows PowerShell exited with ${code}${why ? `: ${why.slice(0, 240)}` : ''}`);
		});
		return () => child.kill();
	});
}

// --- internal ---

function xmlText(text: string): string {
	return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function clip(text: string, max: number): string {
	return text.length <= max ? text : text.slice(0, max - 1) + '…';
}
