// The interactive installer under Wine on a virtual screen (Xvfb), driven with the keyboard
// through xdotool: welcome, program folder, config folder, the folders page filled from
// /FOLDERS=, the finish page, and its "Check now" + "Open the report" actions really run (the
// first check in a console window, then the report in Notepad). Each page is saved as
// dist/test-output/installer-*.png, to be looked at; the test asserts what the pages did.
// Needs Xvfb and xdotool (Debian: xvfb, xdotool); without them it says so and checks nothing.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '@equilybrium/core';
import { pixel, Screen, screenToolsPresent, type Box, type Shot } from './util/screen.ts';
import { dist, ensureWinBuild, openWine, removeTree, root, VERSION, winPath, type Wine } from './util/wine.ts';

const out = join(root, 'dist', 'test-output');
const pages = suite('the interactive installer, page by page (Wine on Xvfb)');
let wine: Wine;
let screen: Screen;
let work = '';
let configDir = '';
let folders: string[] = [];

pages.before(() => {
	ensureWinBuild();
	wine = openWine('installer-pages');
	screen = new Screen(90, 1280, 1024);
	const user = userInfo().username;
	rmSync(join(wine.prefix, 'drive_c/users', user, 'AppData/Local/Programs/Equilybrium'), { recursive: true, force: true });
	rmSync(join(wine.prefix, 'drive_c/users', user, 'AppData/Local/Equilybrium'), { recursive: true, force: true });
	// as on Windows, a .txt file opens in Notepad (a new Wine prefix has the command, not the link)
	const txt = wine.run(['reg', 'add', 'HKCR\\.txt', '/ve', '/d', 'txtfile', '/f']);
	assert.is(txt.code, 0, txt.stderr);
	work = mkdtempSync(join(tmpdir(), 'eq-win-pages-'));
	configDir = join(work, 'Sync', 'Equilybrium');
	// folders of the test's own: the picker's defaults (Documents…) are the Linux home under Wine
	folders = [join(work, 'Folders', 'My Photos'), join(work, 'Folders', "Zoë's Vidéos")];
	for (const [i, folder] of folders.entries()) {
		mkdirSync(folder, { recursive: true });
		writeFileSync(join(folder, `file${i}.txt`), `content ${i}`);
	}
	mkdirSync(out, { recursive: true });
});
pages.after(() => {
	// whatever the page shows when a step failed or passed, for the person reading the output
	if (screen) writeFileSync(join(out, 'installer-last-screen.png'), screen.shot().png);
	wine?.stop();
	screen?.stop();
	removeTree(work);
});

const save = (name: string, shot: Shot) => writeFileSync(join(out, `installer-${name}.png`), shot.png);
const differs = (previous: Shot) => (shot: Shot) => !shot.rgb.equals(previous.rgb);

pages('welcome, program folder, config folder, folders, finish; then Check now and Open the report', () => {
	// /FOLDERS= with spaces, an apostrophe and non-ASCII: given through the environment, since
	// cmd reads a .bat in the ANSI code page and Wine would quote a whole argument
	const bat = join(work, 'setup.bat');
	writeFileSync(bat, `@echo off\r\n${winPath(dist.installer)} /CONFIGDIR=${winPath(configDir)} /FOLDERS="%EQ_FOLDERS%"\r\n`);
	wine.start(['cmd', '/c', winPath(bat)], { env: { DISPLAY: screen.display, EQ_FOLDERS: folders.map(winPath).join('|') } });

	const window = screen.waitWindow(`Equilybrium ${VERSION} Setup`);
	screen.xdotool('mousemove', String(screen.width - 1), String(screen.height - 1)); // no cursor over the page
	const box: Box = screen.geometry(window);
	assert.ok(box.width > 400 && box.height > 250, JSON.stringify(box));

	const welcome = screen.settled(box);
	save('welcome', welcome);
	// the welcome and finish pages have the wizard picture on the left; the others do not
	const picture = pixel(welcome, 40, Math.floor(box.height / 2));
	const hasPicture = (shot: Shot) => pixel(shot, 40, Math.floor(box.height / 2)).join() === picture.join();

	screen.keys(window, 'alt+n'); // Next
	const program = screen.settled(box, (s) => differs(welcome)(s) && !hasPicture(s));
	save('program-folder', program);

	screen.keys(window, 'alt+n'); // Next
	const config = screen.settled(box, differs(program));
	save('config-folder', config);

	screen.keys(window, 'alt+n'); // Next
	const list = screen.settled(box, differs(config));
	save('folders', list);

	screen.keys(window, 'alt+i'); // Install
	const finish = screen.settled(box, (s) => differs(list)(s) && hasPicture(s), 300);
	save('finish', finish);
	assert.not.ok(finish.rgb.equals(welcome.rgb), 'the finish page is not the welcome page');

	// the folders of the page are in the config, as the exe wrote them
	const ini = join(configDir, 'equilybrium.config.ini');
	const written = parseConfig(readFileSync(ini, 'utf8'), ini, configDir);
	assert.equal(written.roots.A!.map((r) => r.path), folders.map(winPath));

	screen.keys(window, 'alt+f'); // Finish, with "Check now" and "Open the report" ticked
	screen.waitGone(`Equilybrium ${VERSION} Setup`);
	const check = screen.waitWindow('Equilybrium: first check', 120);
	const notepad = screen.waitWindow('Notepad', 300); // opened when the check has ended
	assert.ok(check && notepad);
	const report = readFileSync(join(configDir, 'equilybrium.report.txt'), 'utf8');
	assert.match(report, /^NOT VERIFIED — 2 files .* on A could not be checked against B/m, 'the first check ran on both folders');
	assert.ok(existsSync(join(configDir, 'equilybrium.A.DB.json')));
	// both open at the top left: the report below the console, so the picture shows the two
	screen.xdotool('windowmove', notepad, '540', '450');
	save('check-now', screen.settled({ x: 0, y: 0, width: screen.width, height: screen.height }));
});

if (screenToolsPresent()) pages.run();
else {
	const skipped = suite('the interactive installer (needs Xvfb and xdotool: apt-get install xvfb xdotool)');
	skipped.skip('pages and finish actions', () => {});
	skipped.run();
}
