import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { addFolders, CONFIG_FILE, machineIds, parseConfig, renderStarterConfig, type IdMethod, type Root } from '@equilybrium/core';
import { flag, has, type ParsedArgs } from '../args.ts';
import { EXIT, UsageError } from '../errors.ts';
import { configDir, roleFlag } from './_shared.ts';
import type { Io } from '../io.ts';

export async function initCommand(args: ParsedArgs, io: Io): Promise<number> {
	const dir = configDir(args, io);
	const file = join(dir, CONFIG_FILE);
	const role = roleFlag(args) ?? 'A';
	const method = (flag(args, 'id-method') ?? 'Python uuid') as IdMethod;
	if (method !== 'Python uuid' && method !== 'hostname') throw new UsageError(`--id-method must be "Python uuid" or hostname`);
	const given = [...(args.flags.get('folder') ?? []), ...(await foldersFile(flag(args, 'folders-file')))];
	// blank entries are what a list split on "|" leaves at its ends (the installer's /FOLDERS=)
	const folders = given.filter((f) => f.trim() !== '').map((f) => resolve(io.cwd, f.trim()));
	for (const folder of folders) if (!existsSync(folder)) io.err(`equilybrium: warning: ${folder} does not exist (yet); runs will say so until it does`);
	if (existsSync(file) && !has(args, 'force')) {
		if (folders.length > 0) return addToConfig(file, role, folders, io);
		io.err(`equilybrium: ${file} already exists; it was left as it is (--force replaces it, keeping a .bak; --folder adds folders to it)`);
		return EXIT.USAGE;
	}
	const id = machineIds(io.machine())[method][0] ?? '';
	const text = renderStarterConfig({ role, idMethod: method, id, folders });
	parseConfig(text, file, dir); // what we write must be a config we accept
	await mkdir(dir, { recursive: true });
	if (existsSync(file)) await copyFile(file, file + '.bak');
	await writeFile(file, text);
	io.out(`wrote ${file}`);
	io.out(id ? `this machine is ${role} by ${method} (${id}); edit the file to add the other machine` : `no ID found for ${method}: fill in the ID by hand`);
	io.out(folders.length > 0 ? `monitored on ${role}: ${listed(parseConfig(text, file, dir).roots[role] ?? [])}` : `no folders to monitor on ${role} yet: add them with --folder, or under [Monitored Directories] ${role} in the file`);
	return EXIT.OK;
}

/** An existing config keeps everything; the folders it does not list yet are added to the role's key. */
async function addToConfig(file: string, role: 'A' | 'B', folders: string[], io: Io): Promise<number> {
	const before = await readFile(file, 'utf8');
	const { text, added } = addFolders(before, file, role, folders);
	if (added.length === 0) {
		io.out(`${file} already monitors ${folders.length === 1 ? 'this folder' : 'these folders'} on ${role}; left as it was`);
		return EXIT.OK;
	}
	await copyFile(file, file + '.bak');
	await writeFile(file + '.tmp', text);
	await rename(file + '.tmp', file);
	io.out(`added to [Monitored Directories] ${role} in ${file} (the previous file is kept as .bak): ${listed(added)}`);
	return EXIT.OK;
}

/**
 * One folder a line, UTF-8 or UTF-16LE with its BOM: how the installer hands over the folders
 * picked on its page, in one go (one .bak) and without quoting or command-line length limits.
 */
async function foldersFile(file: string | undefined): Promise<string[]> {
	if (file === undefined) return [];
	let bytes: Buffer;
	try {
		bytes = await readFile(file);
	} catch (error) {
		throw new UsageError(`--folders-file ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
	}
	const text = bytes[0] === 0xff && bytes[1] === 0xfe ? bytes.subarray(2).toString('utf16le') : bytes.toString('utf8').replace(/^\uFEFF/, '');
	return text.split(/\r?\n/);
}

const listed = (roots: Root[]) => roots.map((r) => `${r.label} (${r.path})`).join(', ');
