/*
 * trace.js - reading Aspen's memory trace (docs/view.md, "Record format")
 * and replaying it. Plain JavaScript with no dependencies: it runs in the
 * page that tools/aspen-view writes and in Node (the browser test reads
 * the same trace with it to know what the page must show).
 *
 *   const t = new Trace(); t.feed(text);      // any number of times
 *   t.steps                                    // what the timeline shows
 *   const m = new Model(); m.apply(t.steps[i], i) for i = 0..k
 *                                              // the state after step k
 *
 * A step is one event of the trace together with the snapshots and
 * region lists that belong to it (a fork carries the snapshots of both
 * address spaces, an exec the new one's, an exit the last one's).
 */
'use strict';

const PAGE = 4096;
const BIG_EVENTS = new Set(['start', 'fork', 'exec', 'exit', 'end', 'thread']);

/* One line of the trace as an object, numbers as numbers; null if it is
 * not a record line. */
function parseLine(line) {
	const sp = line.trim().split(' ');
	if (sp.length < 3 || !/^\d+$/.test(sp[0]))
		return null;
	const ev = { seq: Number(sp[0]), ns: Number(sp[1]), type: sp[2] };
	for (let i = 3; i < sp.length; i++) {
		const eq = sp[i].indexOf('=');
		if (eq <= 0)
			continue;
		const k = sp[i].slice(0, eq), v = sp[i].slice(eq + 1);
		const n = Number(v);
		ev[k] = (k === 'comm' || k === 'prot' || v === '' || isNaN(n)) ? v : n;
	}
	return ev;
}

class Trace {
	constructor() {
		this.steps = [];
		this.groups = new Map();    /* mm -> snapshot or region list being read */
		this.pendingExit = new Map();   /* pid -> its exit snapshot, until the exit */
		this.partial = '';
		this.lost = 0;
		this.changedFrom = Infinity;    /* earliest step changed after it was made */
		this.lines = 0;
	}

	/* Take more trace text (any split: a line may end in the next call). */
	feed(text) {
		const lines = (this.partial + text).split('\n');
		this.partial = lines.pop();
		for (const l of lines) {
			const ev = parseLine(l);
			if (ev) {
				this.lines++;
				this.record(ev);
			}
		}
	}

	record(ev) {
		const g = this.groups.get(ev.mm);
		if (g && (ev.type === 'region' || ev.type === 'page' || ev.type === 'snap_end')) {
			if (ev.type === 'region')
				g.regions.push(regionOf(ev));
			else if (ev.type === 'page')
				g.pages.push(ev);
			else
				this.groupDone(g);
			if (g.kind === 'regions' && g.regions.length >= g.n)
				this.groupDone(g);
			return;
		}
		if (ev.type === 'snap' || ev.type === 'regions') {
			const ng = { kind: ev.type, ev, regions: [], pages: [], n: ev.regions };
			this.groups.set(ev.mm, ng);
			if (ev.type === 'regions' && ng.n === 0)
				this.groupDone(ng);
			return;
		}
		if (ev.type === 'lost')
			this.lost += ev.n;
		const step = { ev, snaps: [], regions: null };
		if (ev.type === 'exit' && this.pendingExit.has(ev.pid)) {
			step.snaps.push(this.pendingExit.get(ev.pid));
			this.pendingExit.delete(ev.pid);
		}
		this.steps.push(step);
	}

	/* A snapshot or region list is complete: give it to the step it
	 * belongs to, or make it a step of its own. */
	groupDone(g) {
		this.groups.delete(g.ev.mm);
		const ev = g.ev;
		if (g.kind === 'regions') {
			const s = this.findStep(st => st.ev.type === 'map' && st.ev.mm === ev.mm && !st.regions);
			if (s) {
				s.step.regions = g.regions;
				this.changed(s.index);
			} else {
				this.steps.push({ ev, snaps: [], regions: g.regions });
			}
			return;
		}
		const snap = { pid: ev.pid, mm: ev.mm, why: ev.why, comm: String(ev.comm || ''), regions: g.regions,
			pages: g.pages, ev };
		if (ev.why === 'exit') {
			this.pendingExit.set(ev.pid, snap);
			return;
		}
		const owner = {
			fork: st => st.ev.type === 'fork' && (st.ev.mm === ev.mm || st.ev.child_mm === ev.mm) &&
				!st.snaps.some(x => x.mm === ev.mm),
			exec: st => st.ev.type === 'exec' && st.ev.mm === ev.mm && !st.snaps.length,
			mprotect: st => st.ev.type === 'mprotect' && st.ev.mm === ev.mm && !st.snaps.length,
			mremap: st => st.ev.type === 'mremap' && st.ev.mm === ev.mm && !st.snaps.length,
		}[ev.why];
		const s = owner && this.findStep(owner);
		if (s) {
			s.step.snaps.push(snap);
			this.changed(s.index);
		} else {
			this.steps.push({ ev, snaps: [snap], regions: null });
		}
	}

	findStep(pred) {
		for (let i = this.steps.length - 1; i >= Math.max(0, this.steps.length - 64); i--)
			if (pred(this.steps[i]))
				return { step: this.steps[i], index: i };
		return null;
	}

	changed(i) {
		if (i < this.steps.length - 1)
			this.changedFrom = Math.min(this.changedFrom, i);
	}
}

function regionOf(ev) {
	return { start: ev.start, end: ev.end, prot: ev.prot, kind: ev.kind, ino: ev.ino, pgoff: ev.pgoff,
		exe: ev.exe === 1 };
}

/* ---- the state of every address space after some steps ---- */

class Model {
	constructor() {
		this.mms = new Map();       /* trace id -> { id, regions, pages: Map(vpn -> page), freed } */
		this.procs = new Map();     /* pid -> { pid, ppid, comm, mm, tids, alive, born, died } */
		this.frames = new Map();    /* frame number -> reference count, as last reported */
		this.frameStep = new Map(); /* frame number -> the step that last changed its count */
		this.index = -1;            /* steps applied: 0..index */
		this.touched = new Set();   /* "mm:vpn" of the pages the last step changed */
	}

	mm(id) {
		let m = this.mms.get(id);
		if (!m) {
			m = { id, regions: [], pages: new Map(), freed: false, layout: 0 };
			this.mms.set(id, m);
		}
		return m;
	}

	proc(pid, comm) {
		let p = this.procs.get(pid);
		if (!p) {
			p = { pid, ppid: 0, comm: comm || '?', mm: 0, tids: new Set([pid]), alive: true, born: this.index,
				died: -1, status: 0 };
			this.procs.set(pid, p);
		}
		return p;
	}

	dropFrame(f) {
		if (this.frames.has(f)) {
			this.frames.set(f, Math.max(0, this.frames.get(f) - 1));
			this.frameStep.set(f, this.index);
		}
	}

	touch(mmId, vpn) {
		this.touched.add(mmId + ':' + vpn);
	}

	setPage(m, vpn, page) {
		if (!m.pages.has(vpn))
			m.layout++;     /* a cell appears: the panel is redrawn, not updated */
		m.pages.set(vpn, page);
		this.touch(m.id, vpn);
	}

	removePage(m, vpn) {
		const pg = m.pages.get(vpn);
		if (!pg)
			return;
		if (!pg.swap)
			this.dropFrame(pg.frame);
		m.pages.delete(vpn);
		m.layout++;
		this.touch(m.id, vpn);
	}

	/* Drop the pages of m outside its regions (after munmap, brk down). */
	trimToRegions(m) {
		for (const vpn of [...m.pages.keys()])
			if (!regionAt(m, vpn * PAGE))
				this.removePage(m, vpn);
	}

	applySnap(s, k) {
		const m = this.mm(s.mm);
		m.regions = s.regions;
		m.freed = false;
		m.layout++;
		const old = m.pages;
		m.pages = new Map();
		for (const p of s.pages) {
			const vpn = p.addr / PAGE, prev = old.get(vpn);
			if (!p.swap)
				this.frames.set(p.frame, p.ref);
			const same = prev && prev.frame === p.frame && prev.w === p.w && !prev.swap;
			m.pages.set(vpn, { frame: p.frame, w: p.w, file: p.file, swap: p.swap,
				origin: same ? prev.origin : (prev ? prev.origin : 'before'), last: same ? prev.last : k });
			if (!same)
				this.touch(m.id, vpn);
		}
		for (const [vpn, prev] of old)
			if (!m.pages.has(vpn)) {
				if (!prev.swap)
					this.dropFrame(prev.frame);
				this.touch(m.id, vpn);
			}
		const p = this.proc(s.pid, s.comm);
		if (s.comm)
			p.comm = s.comm;
		if (s.why !== 'exit' && s.why !== 'end')
			p.mm = s.mm;
	}

	applyFault(ev, k) {
		const m = this.mm(ev.mm), vpn = ev.addr / PAGE;
		this.frames.set(ev.frame, ev.ref);
		this.frameStep.set(ev.frame, k);
		if (ev.how === 'cow_copy') {
			this.frames.set(ev.old, ev.old_ref);
			this.frameStep.set(ev.old, k);
		}
		this.setPage(m, vpn, { frame: ev.frame, w: ev.w, file: ev.file, swap: 0, origin: ev.how, last: k });
	}

	applyExit(ev, k) {
		const p = this.proc(ev.pid);
		p.tids.delete(ev.tid);
		if (ev.last === 1 || p.tids.size === 0) {
			p.alive = false;
			p.died = k;
			p.status = ev.status;
		}
	}

	/* The address space is gone: its frames lose a reference; the pages
	 * are kept, frozen in their last state, for the exited process's panel. */
	applyFree(ev) {
		const m = this.mm(ev.mm);
		for (const [vpn, pg] of m.pages) {
			pg.final = pageState(this, pg, regionAt(m, vpn * PAGE));
			if (!pg.swap)
				this.dropFrame(pg.frame);
		}
		m.freed = true;
		m.layout++;
	}

	apply(step, k) {
		const ev = step.ev;
		this.touched = new Set();
		this.index = k;
		switch (ev.type) {
		case 'start':
			this.mode = ev.mode;
			break;
		case 'fork': {
			const parent = this.proc(ev.pid);
			const c = this.proc(ev.child, parent.comm);
			c.ppid = ev.pid;
			c.comm = parent.comm;
			c.mm = ev.vm === 'copy' ? ev.child_mm : parent.mm;
			c.born = k;
			c.vfork = ev.vm !== 'copy';
			break;
		}
		case 'thread':
			this.proc(ev.pid).tids.add(ev.child);
			break;
		case 'exec': {
			const p = this.proc(ev.pid);
			p.comm = String(ev.comm);
			p.mm = ev.mm;
			p.vfork = false;
			break;
		}
		case 'fault':
			this.applyFault(ev, k);
			break;
		case 'map':
			if (step.regions) {
				const m = this.mm(ev.mm);
				m.regions = step.regions;
				m.layout++;
				this.trimToRegions(m);
			}
			break;
		case 'dontneed': {
			const m = this.mm(ev.mm);
			for (let a = ev.addr; a < ev.addr + ev.len; a += PAGE)
				this.removePage(m, a / PAGE);
			break;
		}
		case 'page_out': {
			const m = this.mm(ev.mm), vpn = ev.addr / PAGE, pg = m.pages.get(vpn);
			if (pg && !pg.swap)
				this.dropFrame(pg.frame);
			this.setPage(m, vpn, { frame: ev.slot, w: 0, file: 0, swap: 1, origin: 'page_out', last: k });
			break;
		}
		case 'mm_free':
			this.applyFree(ev);
			break;
		}
		for (const s of step.snaps)
			this.applySnap(s, k);
		if (ev.type === 'exit')
			this.applyExit(ev, k);
	}
}

function regionAt(m, addr) {
	for (const r of m.regions)
		if (addr >= r.start && addr < r.end)
			return r;
	return null;
}

/* What a page is, for its colour: [state, mappings]. The states:
 * zero (zero-filled, private), private, cow (shared copy-on-write, with
 * how many), cow1 (copy-on-write but no longer shared: the next write
 * reuses it), file (a file's page), shared (MAP_SHARED), swap. */
function pageState(model, pg, region) {
	if (pg.final)
		return pg.final;
	if (pg.swap)
		return ['swap', 0];
	const ref = model.frames.has(pg.frame) ? model.frames.get(pg.frame) : 1;
	const maps = Math.max(1, pg.file ? ref - 1 : ref);
	if (region && region.kind === 'shared')
		return ['shared', maps];
	if (pg.file)
		return ['file', maps];
	if (maps > 1)
		return ['cow', maps];
	if (!pg.w && region && region.prot[1] === 'w')
		return ['cow1', 1];
	return [pg.origin === 'zero' ? 'zero' : 'private', 1];
}

/* Counts of each state over the pages of address space m. */
function pageCounts(model, m) {
	const c = { present: 0, zero: 0, private: 0, cow: 0, cow1: 0, file: 0, shared: 0, swap: 0 };
	for (const [vpn, pg] of m.pages) {
		const st = pageState(model, pg, regionAt(m, vpn * PAGE))[0];
		c[st]++;
		if (st !== 'swap')
			c.present++;
	}
	return c;
}

if (typeof module !== 'undefined')
	module.exports = { parseLine, Trace, Model, pageState, pageCounts, regionAt, PAGE, BIG_EVENTS };
