// A virtual screen for the installer's interactive pages: Xvfb draws into a file (-fbdir, the
// screen as an XWD image, kept current), xdotool finds windows and presses keys, and the
// screen is saved as PNG by the few lines below, so no image tool is needed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

/** Xvfb and xdotool are both installed (Debian: xvfb, xdotool). */
export function screenToolsPresent(): boolean {
	return ['Xvfb', 'xdotool'].every((tool) => spawnSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' }).status === 0);
}

export interface Box {
	x: number;
	y: number;
	width: number;
	height: number;
}

export class Screen {
	readonly display: string;
	private xvfb: ChildProcess;
	private dir: string;

	/** A new screen on the first free display number from `from`. */
	constructor(from = 90, readonly width = 1024, readonly height = 768) {
		let number = from;
		while (existsSync(`/tmp/.X11-unix/X${number}`) || existsSync(`/tmp/.X${number}-lock`)) number++;
		this.display = `:${number}`;
		this.dir = mkdtempSync(join(tmpdir(), 'eq-screen-'));
		// -br: a black root window, so a closed window leaves no picture of itself behind
		this.xvfb = spawn('Xvfb', [this.display, '-screen', '0', `${width}x${height}x24`, '-br', '-fbdir', this.dir, '-nolisten', 'tcp'], { stdio: 'ignore' });
		for (let i = 0; i < 100 && !existsSync(join(this.dir, 'Xvfb_screen0')); i++) spawnSync('sleep', ['0.1']);
		if (!existsSync(join(this.dir, 'Xvfb_screen0'))) throw new Error(`Xvfb ${this.display} did not start`);
	}

	/** xdotool on this screen; its stdout, trimmed. */
	xdotool(...args: string[]): string {
		const r = spawnSync('xdotool', args, { env: { ...process.env, DISPLAY: this.display }, encoding: 'utf8', timeout: 60_000 });
		if (r.status !== 0) throw new Error(`xdotool ${args.join(' ')}: exit ${r.status} ${r.stderr}`);
		return r.stdout.trim();
	}

	/** The first window whose title matches, waiting for it up to `seconds`. */
	waitWindow(name: string, seconds = 60): string {
		for (let i = 0; i < seconds * 4; i++) {
			const r = spawnSync('xdotool', ['search', '--onlyvisible', '--name', name], { env: { ...process.env, DISPLAY: this.display }, encoding: 'utf8' });
			const id = r.stdout.trim().split('\n')[0];
			if (r.status === 0 && id) return id;
			spawnSync('sleep', ['0.25']);
		}
		throw new Error(`no window "${name}" on ${this.display} after ${seconds} s`);
	}

	/** Waits until no window has this title any more. */
	waitGone(name: string, seconds = 60): void {
		for (let i = 0; i < seconds * 4; i++) {
			const r = spawnSync('xdotool', ['search', '--onlyvisible', '--name', name], { env: { ...process.env, DISPLAY: this.display }, encoding: 'utf8' });
			if (r.stdout.trim() === '') return;
			spawnSync('sleep', ['0.25']);
		}
		throw new Error(`the window "${name}" on ${this.display} is still there after ${seconds} s`);
	}

	geometry(window: string): Box {
		const out = this.xdotool('getwindowgeometry', '--shell', window);
		const get = (k: string) => Number(new RegExp(`^${k}=(\\d+)`, 'm').exec(out)?.[1]);
		return { x: get('X'), y: get('Y'), width: get('WIDTH'), height: get('HEIGHT') };
	}

	/** Focuses a window (there is no window manager to do it) and presses keys in it. */
	keys(window: string, ...keys: string[]): void {
		this.xdotool('windowfocus', '--sync', window);
		this.xdotool('key', '--clearmodifiers', ...keys);
	}

	/**
	 * The box once it has stopped changing (two captures a quarter second apart are equal) and,
	 * when `until` is given, once it says so: pages are drawn asynchronously.
	 */
	settled(box: Box, until: (shot: Shot) => boolean = () => true, seconds = 120): Shot {
		let last: Shot | undefined;
		for (let i = 0; i < seconds * 4; i++) {
			const shot = this.shot(box);
			if (last && shot.rgb.equals(last.rgb) && until(shot)) return shot;
			last = shot;
			spawnSync('sleep', ['0.25']);
		}
		throw new Error(`the screen at ${JSON.stringify(box)} did not settle as expected within ${seconds} s`);
	}

	/** The screen, or one box of it, as PNG, with its pixels' RGB bytes. */
	shot(box?: Box): Shot {
		return xwdToPng(readFileSync(join(this.dir, 'Xvfb_screen0')), box);
	}

	stop(): void {
		this.xvfb.kill();
		rmSync(this.dir, { recursive: true, force: true });
	}
}

export interface Shot {
	png: Buffer;
	rgb: Buffer;
	width: number;
	height: number;
}

/** The colour at x, y of a shot, as [r, g, b]. */
export function pixel(shot: Shot, x: number, y: number): [number, number, number] {
	const at = (y * shot.width + x) * 3;
	return [shot.rgb[at]!, shot.rgb[at + 1]!, shot.rgb[at + 2]!];
}

/** A 24/32-bit ZPixmap XWD image (what Xvfb -fbdir writes) as PNG, cropped to `box`. */
export function xwdToPng(xwd: Buffer, box?: Box): Shot {
	const field = (i: number) => xwd.readUInt32BE(i * 4);
	const [headerSize, , format, , width, height, , byteOrder, , , , bitsPerPixel, bytesPerLine] = Array.from({ length: 13 }, (_, i) => field(i)) as number[];
	const ncolors = field(19);
	if (format !== 2 || bitsPerPixel !== 32) throw new Error(`unsupported XWD image (format ${format}, ${bitsPerPixel} bits a pixel)`);
	const [redMask, greenMask, blueMask] = [field(14), field(15), field(16)];
	const shift = (mask: number) => Math.log2(mask & -mask);
	const data = headerSize! + ncolors * 12;
	const crop = clip(box ?? { x: 0, y: 0, width: width!, height: height! }, width!, height!);
	const rgb = Buffer.alloc(crop.width * crop.height * 3);
	const raw = Buffer.alloc((crop.width * 3 + 1) * crop.height);
	for (let y = 0; y < crop.height; y++) {
		raw[y * (crop.width * 3 + 1)] = 0; // filter: none
		for (let x = 0; x < crop.width; x++) {
			const at = data + (crop.y + y) * bytesPerLine! + (crop.x + x) * 4;
			const pixel = byteOrder === 0 ? xwd.readUInt32LE(at) : xwd.readUInt32BE(at);
			const out = (y * crop.width + x) * 3;
			rgb[out] = (pixel & redMask) >>> shift(redMask);
			rgb[out + 1] = (pixel & greenMask) >>> shift(greenMask);
			rgb[out + 2] = (pixel & blueMask) >>> shift(blueMask);
			rgb.copy(raw, y * (crop.width * 3 + 1) + 1 + x * 3, out, out + 3);
		}
	}
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(crop.width, 0);
	ihdr.writeUInt32BE(crop.height, 4);
	ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter choice, no interlace
	const png = Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
	return { png, rgb, width: crop.width, height: crop.height };
}

function clip(box: Box, width: number, height: number): Box {
	const x = Math.max(0, Math.min(box.x, width - 1));
	const y = Math.max(0, Math.min(box.y, height - 1));
	return { x, y, width: Math.min(box.width, width - x), height: Math.min(box.height, height - y) };
}

function chunk(type: string, body: Buffer): Buffer {
	const head = Buffer.alloc(8);
	head.writeUInt32BE(body.length, 0);
	head.write(type, 4, 'latin1');
	const crc = Buffer.alloc(4);
	crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), body])), 0);
	return Buffer.concat([head, body, crc]);
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
	let c = n;
	for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
	return c >>> 0;
});

function crc32(bytes: Buffer): number {
	let c = 0xffffffff;
	for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
	return (c ^ 0xffffffff) >>> 0;
}
