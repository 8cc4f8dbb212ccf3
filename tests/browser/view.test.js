/*
 * view.test.js - the memory view page in a real browser (Debian's
 * chromium, headless, driven by playwright-core):
 *
 *   node tests/browser/view.test.js PAGE.html TRACE [SHOTS_DIR]
 *
 * PAGE.html is what tools/aspen-view made for the COW demo (demo-cow 1)
 * and TRACE the raw trace it was made from. What the page must show is
 * worked out here from the trace lines themselves (a small replay of
 * pages and frame counts, independent of the page's own code): the
 * parent's and the child's panels and their page counts at the fork and
 * as the child writes; each copy-on-write fault turning the child's
 * cell from shared to private when the timeline is scrubbed to it, and
 * back when scrubbed before it; the tooltip of a cell. Any console
 * error, page error or network request fails the test. Screenshots go
 * to SHOTS_DIR (docs/view.md shows them).
 *
 * Output: "ok NAME" / "not ok NAME: reason" lines (tests/run-all.sh).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { report, withPage, scrub: scrubTo, panelCount, run } = require('./lib.js');

const TIMEOUT_MS = 60000;
const PAGE = 4096;

/* ---- what the trace says, read straight from its lines ---- */

function records(text) {
	return text.split('\n').filter(l => /^\d+ \d+ \w+ /.test(l)).map(l => {
		const sp = l.trim().split(' ');
		const r = { seq: +sp[0], type: sp[2] };
		for (const kv of sp.slice(3)) {
			const i = kv.indexOf('=');
			r[kv.slice(0, i)] = kv.slice(i + 1);
		}
		for (const k of ['pid', 'mm', 'child', 'child_mm', 'addr', 'frame', 'ref', 'w', 'file', 'old', 'old_ref'])
			if (k in r) r[k] = Number(r[k]);
		return r;
	});
}

/* Replay page -> frame and frame -> count up to (and with) record seq:
 * pages per address space from snapshots and faults, counts as the
 * kernel last reported them. Good up to the first mm_free (the only
 * event that changes counts without saying so). */
function replayTo(recs, seq) {
	const mms = new Map(), refs = new Map();
	let snap = null;
	for (const r of recs) {
		if (r.seq > seq) break;
		if (r.type === 'snap') { snap = new Map(); mms.set(r.mm, snap); }
		if (r.type === 'page') { mms.get(r.mm).set(r.addr / PAGE, { frame: r.frame, file: r.file, w: r.w }); refs.set(r.frame, r.ref); }
		if (r.type === 'fault') {
			if (!mms.has(r.mm)) mms.set(r.mm, new Map());
			mms.get(r.mm).set(r.addr / PAGE, { frame: r.frame, file: r.file, w: r.w });
			refs.set(r.frame, r.ref);
			if (r.how === 'cow_copy') refs.set(r.old, r.old_ref);
		}
	}
	return { mms, refs };
}

/* Present and copy-on-write-shared page counts of one address space. */
function expectedCounts(state, mm) {
	let present = 0, cow = 0;
	for (const pg of state.mms.get(mm).values()) {
		present++;
		if (!pg.file && state.refs.get(pg.frame) >= 2) cow++;
	}
	return { present, cow };
}

/* ---- the page ---- */

async function stepOfSeq(page, seq) {
	return page.evaluate(s => window.view.trace.steps.findIndex(st => st.ev.seq === s), seq);
}

/* Move the timeline as a user does, and check it moved. */
async function scrub(page, index) {
	await scrubTo(page, index);
	const shown = await page.locator('#scrub').inputValue();
	if (Number(shown) !== index) throw new Error(`the timeline shows step ${shown}, not ${index}`);
}

async function cellState(page, pid, addr) {
	return page.locator(`.panel[data-pid="${pid}"] i.c[data-vpn="${addr / PAGE}"]`).getAttribute('data-state');
}

async function check(name, fn) {
	try {
		const why = await fn();
		report(name, !why, why);
	} catch (e) {
		report(name, false, String(e.message || e).split('\n')[0]);
	}
}

async function main() {
	const [html, tracePath, shots] = process.argv.slice(2);
	if (!html || !tracePath) {
		console.error('usage: node view.test.js PAGE.html TRACE [SHOTS_DIR]');
		process.exit(2);
	}
	const recs = records(fs.readFileSync(tracePath, 'utf8'));
	const fork = recs.find(r => r.type === 'fork' && r.vm === 'copy');
	if (!fork) { report('trace_has_a_fork', false, 'no fork in the trace'); return; }
	const parent = fork.pid, child = fork.child, cmm = fork.child_mm, pmm = fork.mm;
	const firstFree = (recs.find(r => r.type === 'mm_free' && r.seq > fork.seq) || { seq: Infinity }).seq;
	const copies = recs.filter(r => r.type === 'fault' && r.how === 'cow_copy' && r.mm === cmm && r.seq < firstFree);
	const forkSnapEnd = recs.find(r => r.type === 'snap_end' && r.seq > fork.seq && r.mm === cmm).seq;
	report('trace_child_copies_on_write', copies.length >= 64, `${copies.length} copy-on-write faults in the child`);

	const requests = [];
	await withPage(TIMEOUT_MS, async (page, errors, ctx) => {
		await ctx.route('**/*', route => {
			if (!route.request().url().startsWith('file:')) requests.push(route.request().url());
			return route.request().url().startsWith('file:') ? route.continue() : route.abort();
		});
		await page.goto('file://' + path.resolve(html));
		await page.waitForFunction(() => window.view && window.view.trace.steps.length > 0);

		const forkStep = await stepOfSeq(page, fork.seq);
		await check('page_opens_on_the_fork_with_parent_and_child_side_by_side', async () => {
			if (Number(await page.locator('#scrub').inputValue()) !== forkStep) return 'not opened on the fork';
			const a = await page.locator(`.panel[data-pid="${parent}"]`).boundingBox();
			const b = await page.locator(`.panel[data-pid="${child}"]`).boundingBox();
			if (!a || !b) return 'no panel for the parent or the child';
			if (Math.abs(a.y - b.y) > 2 || b.x <= a.x) return `panels not side by side: ${JSON.stringify([a, b])}`;
			const tree = await page.locator(`#tree [data-pid="${child}"]`).count();
			return tree === 1 ? '' : 'the child is not in the process tree';
		});
		if (shots) await page.screenshot({ path: path.join(shots, 'view-fork.png'), clip: { x: 0, y: 0, width: 1400, height: 700 } });

		await check('panels_count_pages_as_the_trace_at_fork', async () => {
			const st = replayTo(recs, forkSnapEnd);
			for (const [pid, mm] of [[parent, pmm], [child, cmm]]) {
				const want = expectedCounts(st, mm);
				const got = { present: await panelCount(page, pid, 'present'), cow: await panelCount(page, pid, 'cow') };
				if (got.present !== want.present || got.cow !== want.cow)
					return `pid ${pid}: page shows ${JSON.stringify(got)}, trace says ${JSON.stringify(want)}`;
			}
			return '';
		});

		const picks = [0, 63, copies.length - 1].filter((v, i, a) => v < copies.length && a.indexOf(v) === i);
		for (const k of picks) {
			const c = copies[k];
			await check(`scrub_to_child_copy_${k + 1}_cell_turns_private`, async () => {
				const idx = await stepOfSeq(page, c.seq);
				await scrub(page, idx - 1);
				const before = await cellState(page, child, c.addr);
				if (before !== 'cow') return `before the fault the child's cell at ${c.addr.toString(16)} is ${before}`;
				await scrub(page, idx);
				const after = await cellState(page, child, c.addr);
				if (after !== 'private') return `after the fault it is ${after}`;
				const changed = await page.locator(`.panel[data-pid="${child}"] i.c[data-vpn="${c.addr / PAGE}"]`)
					.evaluate(el => el.classList.contains('changed'));
				if (!changed) return 'the cell is not marked as changed by this step';
				const parentWant = c.old_ref >= 2 ? 'cow' : 'cow1';
				const ps = await cellState(page, parent, c.addr);
				if (ps !== parentWant) return `the parent's cell is ${ps}, not ${parentWant} (old_ref ${c.old_ref})`;
				const st = replayTo(recs, c.seq), want = expectedCounts(st, cmm);
				const got = await panelCount(page, child, 'cow');
				return got === want.cow ? '' : `child's shared count ${got}, trace says ${want.cow}`;
			});
		}
		const mid = copies[Math.min(copies.length - 1, Math.floor(copies.length / 2))];
		await scrub(page, await stepOfSeq(page, mid.seq));
		if (shots) await page.screenshot({ path: path.join(shots, 'view-diverged.png'), clip: await panelsClip(page) });

		await check('hover_shows_address_frame_refcount_and_event', async () => {
			const cell = page.locator(`.panel[data-pid="${child}"] i.c[data-vpn="${mid.addr / PAGE}"]`);
			await cell.scrollIntoViewIfNeeded();
			await cell.hover();
			const tip = page.locator('#tip');
			await tip.waitFor({ state: 'visible' });
			const text = await tip.textContent();
			for (const want of ['0x' + mid.addr.toString(16), '0x' + mid.frame.toString(16), 'refcount 1', 'fault_cow_copy'])
				if (!text.includes(want)) return `tooltip lacks "${want}": ${text}`;
			return '';
		});
		if (shots) await page.screenshot({ path: path.join(shots, 'view-hover.png'), clip: await hoverClip(page) });

		await check('keys_and_play_move_the_timeline', async () => {
			await page.mouse.move(5, 5);
			const at = Number(await page.locator('#scrub').inputValue());
			await page.keyboard.press('ArrowRight');
			if (Number(await page.locator('#scrub').inputValue()) !== at + 1) return 'ArrowRight did not step';
			await page.locator('#play').click();
			await page.waitForFunction(a => Number(document.getElementById('scrub').value) > a + 1, at);
			await page.locator('#play').click();
			return '';
		});
		report('no_console_errors', errors.length === 0, errors.join(' | '));
		report('no_network_requests', requests.length === 0, requests.join(' '));
	});
}

/* The two panels, for a smaller screenshot. */
async function panelsClip(page) {
	const b = await page.locator('#panels').boundingBox();
	return { x: b.x - 4, y: b.y - 4, width: Math.min(b.width + 8, 1400 - b.x), height: Math.min(b.height + 8, 640) };
}

/* The tooltip and the cells around it, for a small screenshot. */
async function hoverClip(page) {
	const b = await page.locator('#tip').boundingBox();
	return { x: Math.max(0, b.x - 260), y: Math.max(0, b.y - 120), width: 640, height: Math.max(220, b.height + 160) };
}

run(main, 'browser_test_ran');
