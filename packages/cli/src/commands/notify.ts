import { detectRole, isCoreError, loadConfig, testMessage, type Role } from '@equilybrium/core';
import { flag, has, type ParsedArgs } from '../args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { channelsOf, deliver, type ChannelHost } from '../notify/index.ts';
import { configDir, roleFlag } from './_shared.ts';
import type { Io } from '../io.ts';

// `equilybrium notify --test`: a test message on every channel [Notifications] sets, before any
// run, so a person (or the NAS page's "send a test" button) knows the settings work.

export async function notifyCommand(args: ParsedArgs, io: Io): Promise<number> {
	if (!has(args, 'test')) throw new UsageError('say what to do: "equilybrium notify --test" sends a test message on every channel');
	const config = await loadConfig(configDir(args, io));
	for (const warning of config.warnings) io.err(`equilybrium: warning: ${warning}`);
	const role = roleOf(args, config, io);
	const host: ChannelHost = { env: io.env, platform: process.platform, version: io.version };
	const json = has(args, 'json');
	if (channelsOf(config.notifications, host).length === 0) {
		if (json) io.out(JSON.stringify({ channels: [] }));
		io.err(`equilybrium: ${config.file}: [Notifications] sets no channel this machine can use: add "Webhook = https://…", or "Email = …" with "SMTP = smtp://user@host:587"${flag(args, 'role') === undefined && process.platform !== 'win32' ? ' (Desktop works on Windows and on the NAS)' : ''}`);
		return EXIT.USAGE;
	}
	const deliveries = await deliver(testMessage(role, config.dir), config.notifications, host);
	if (json) io.out(JSON.stringify({ channels: deliveries }));
	else for (const d of deliveries) io.out(`${d.channel}: ${d.ok ? 'delivered' : 'failed'}${d.detail ? `${d.ok ? ' (' : ': '}${d.detail}${d.ok ? ')' : ''}` : ''}`);
	return deliveries.every((d) => d.ok) ? EXIT.OK : EXIT.FOUND;
}

/** The role only words the message; a machine that matches neither ID can still test. */
function roleOf(args: ParsedArgs, config: Parameters<typeof detectRole>[0], io: Io): Role | undefined {
	try {
		return detectRole(config, io.machine(), roleFlag(args));
	} catch (error) {
		if (isCoreError(error) && error.code === 'E_ROLE') return undefined;
		throw error;
	}
}
