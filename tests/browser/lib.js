/*
 * lib.js - what the browser tests share: Debian's chromium launched
 * headless by playwright-core with a fresh profile, result lines, and
 * moving the page's timeline as a user does.
 */
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');
const { chromium } = require('playwright-core');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	'--disable-background-networking', '--disable-component-update', '--disable-sync'];
const VIEWPORT = { width: 1400, height: 1000 };

let failures = 0;

/* One result line, "ok NAME" or "not ok NAME: why" (tests/run-all.sh). */
function report(name, ok, why) {
	console.log(ok ? `ok ${name}` : `not ok ${name}: ${why}`);
	if (!ok) failures++;
}

/* Run fn(page, errors) in a fresh browser; errors collects console
 * errors and page errors. The profile is removed afterwards. */
async function withPage(timeoutMs, fn) {
	const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'aspen-chromium-'));
	const ctx = await chromium.launchPersistentContext(profile, {
		executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: VIEWPORT, timeout: timeoutMs,
	});
	const errors = [];
	try {
		const page = ctx.pages()[0] || await ctx.newPage();
		page.setDefaultTimeout(timeoutMs);
		page.on('console', m => { if (m.type() === 'error') errors.push(m.text()); });
		page.on('pageerror', e => errors.push(String(e)));
		await fn(page, errors, ctx);
	} finally {
		await ctx.close();
		fs.rmSync(profile, { recursive: true, force: true });
	}
}

/* Move the timeline to step index: the slider's value, then its input event. */
async function scrub(page, index) {
	await page.locator('#scrub').evaluate((el, i) => {
		el.value = String(i);
		el.dispatchEvent(new Event('input', { bubbles: true }));
	}, index);
}

/* The count of pages in state key shown on pid's panel (0 if not shown). */
async function panelCount(page, pid, key) {
	const el = page.locator(`.panel[data-pid="${pid}"] [data-count="${key}"]`);
	return (await el.count()) ? Number(await el.textContent()) : 0;
}

/* Run main(), then exit 1 if anything failed (or main threw). */
function run(main, name) {
	main().then(() => process.exit(failures ? 1 : 0), e => {
		report(name, false, String(e.message || e).split('\n')[0]);
		process.exit(1);
	});
}

module.exports = { report, withPage, scrub, panelCount, run, VIEWPORT };
