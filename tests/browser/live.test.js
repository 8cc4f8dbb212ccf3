/*
 * live.test.js - the live memory view in a real browser, with Aspen's
 * shell running commands (driven by tests/interactive/live_view.py):
 *
 *   node tests/browser/live.test.js URL [SHOTS_DIR]
 *
 * Opens the page `VIEW=1 make run` serves at URL, waits until it shows
 * the shell, prints "ready" (the driver then types a command that forks
 * and execs: vmmap), and waits for the page to follow that command as
 * it happens. Then it scrubs the timeline around the fork and checks
 * the shell's own panel: its pages become shared copy-on-write at the
 * fork, and fewer are shared once the child has exec'd and exited.
 * Output: "ok NAME" / "not ok NAME: reason" lines.
 */
'use strict';
const path = require('path');
const { report, withPage, scrub, panelCount, run } = require('./lib.js');

const TIMEOUT_MS = 120000;

async function main() {
	const [url, shots] = process.argv.slice(2);
	await withPage(TIMEOUT_MS, async (page, errors) => {
		await page.goto(url);
		const shell = await page.waitForFunction(() => {
			const v = window.view, p = v && [...v.model.procs.values()].find(q => q.comm === 'sh' && q.alive);
			return p && document.querySelector(`.panel[data-pid="${p.pid}"]`) ? p.pid : 0;
		}).then(h => h.jsonValue());
		report('live_page_shows_the_shell', shell > 0, 'no shell panel');
		console.log('ready');

		/* The driver types the command now; the page must follow it. */
		await page.waitForFunction(() => window.view.trace.steps.some(s => s.ev.type === 'exit' &&
			window.view.trace.steps.some(e => e.ev.type === 'exec' && e.ev.comm === 'vmmap' && e.ev.pid === s.ev.pid)));
		await page.waitForFunction(() => Number(document.getElementById('scrub').value) ===
			window.view.trace.steps.length - 1);
		report('live_page_follows_the_command', true);

		const fork = await page.evaluate(sh => window.view.trace.steps.findIndex(s => s.ev.type === 'fork' &&
			s.ev.pid === sh && window.view.trace.steps.some(e => e.ev.type === 'exec' && e.ev.comm === 'vmmap' &&
				e.ev.pid === s.ev.child)), shell);
		const last = await page.evaluate(() => window.view.trace.steps.length - 1);
		await scrub(page, fork - 1);
		const before = await panelCount(page, shell, 'cow');
		await scrub(page, fork);
		const atFork = await panelCount(page, shell, 'cow'), present = await panelCount(page, shell, 'present');
		if (shots) {
			const b = await page.locator('#panels').boundingBox();
			await page.screenshot({ path: path.join(shots, 'live-shell-fork.png'),
				clip: { x: 0, y: 0, width: 1400, height: Math.min(b.y + b.height + 8, 760) } });
		}
		await scrub(page, last);
		const after = await panelCount(page, shell, 'cow');
		report('shell_pages_shared_at_fork', atFork > before && atFork >= 4,
			`shell's shared pages: ${before} before the fork, ${atFork} of ${present} at it`);
		report('shell_pages_its_own_again_after_exec', after < atFork,
			`shell's shared pages: ${atFork} at the fork, ${after} after the child exec'd and exited`);
		report('live_no_console_errors', errors.length === 0, errors.join(' | '));
	});
}

run(main, 'live_browser_test_ran');
