import { existsSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { CONFIG_FILE, machineIds, parseConfig, renderStarterConfig, type IdMethod } from '@equilybrium/core';
import { flag, has, type ParsedArgs } from '../args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { configDir, roleFlag } from './_shared.ts';
import type { Io } from '../io.ts';

export async function initCommand(args: ParsedArgs, io: Io): Promise<number> {
	const dir = configDir(args, io);
	const file = join(dir, CONFIG_FILE);
	const method = (flag(args, 'id-method') ?? 'Python uuid') as IdMethod;
	if (method !== 'Python uuid' && method !== 'hostname') throw new UsageError(`--id-method must be "Python uuid" or hostname`);
	if (existsSync(file) && !has(args, 'force')) {
		io.err(`equilybrium: ${file} already exists; it was left as it is (--force replaces it, keeping a .bak)`);
		return EXIT.USAGE;
	}
	const id = machineIds(io.machine())[method][0] ?? '';
	const folders = (args.flags.get('folder') ?? []).map((f) => resolve(io.cwd, f));
	const text = renderStarterConfig({ role: roleFlag(args) ?? 'A', idMethod: method, id, folders });
	parseConfig(text, file, dir); // what we write must be a config we accept
	await mkdir(dir, { recursive: true });
	if (existsSync(file)) await copyFile(file, file + '.bak');
	await writeFile(file, text);
	io.out(`wrote ${file}`);
	io.out(id ? `this machine is ${roleFlag(args) ?? 'A'} by ${method} (${id}); edit the file to add the other machine and the folders` : `no ID found for ${method}: fill in the ID by hand`);
	return EXIT.OK;
}
