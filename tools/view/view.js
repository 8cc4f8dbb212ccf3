/*
 * view.js - the memory view page: each traced process's address space as
 * its regions, every page a coloured cell; the process tree; a timeline
 * to scrub and play. The model (what each page is after each step) is
 * trace.js; this file only draws it and handles the controls.
 *
 * startView(text, {live}) - text is the whole trace (a static page), or
 * "" with live set: the page then asks its server for more every
 * POLL_MS (tools/view/serve.py) and follows the newest step.
 */
'use strict';

const CELLS_PER_ROW = 32;          /* 128 KiB of address space per row */
const GAP_PAGES = 64;              /* absent runs this long are drawn as one gap */
const POLL_MS = 400;
const EVENT_WINDOW = 150;          /* steps listed either side of the current one */
const MARK_MAX = 48;               /* a step changing more pages (fork, exec) marks none */
const STATE_TEXT = {
	absent: 'not present: no frame yet (the first touch will fault)',
	zero: 'private, zero-filled on first touch (fault_zero_fill)',
	private: 'private: a frame of its own',
	cow: 'copy-on-write, shared: the first write copies it',
	cow1: 'copy-on-write, but no longer shared: the next write reuses it',
	file: "a file's page (page cache), read-only here",
	shared: 'shared memory (MAP_SHARED): writes are seen by every process mapping it',
	swap: 'swapped out',
};
const LEGEND = [
	['absent', 'not present'], ['zero', 'zero-filled'], ['private', 'private'],
	['cow', 'shared, copy-on-write'], ['cow1', 'copy-on-write, now sole owner'],
	['file', 'file page'], ['shared', 'MAP_SHARED'], ['swap', 'swapped out'],
];
const HOW_TEXT = {
	zero: 'first touch: a zeroed frame (fault_zero_fill)',
	file: "maps the file's own page (fault_file_map)",
	file_copy: "a private copy of the file's bytes (fault_file_copy)",
	cow_copy: 'write to a shared page: copied (fault_cow_copy)',
	cow_reuse: 'write, and nobody else maps the frame: made writable, no copy (fault_cow_reuse)',
	shared_write: 'write to a shared mapping: made writable',
	swap_in: 'read back from swap',
};

const $ = id => document.getElementById(id);
const hex = n => '0x' + Number(n).toString(16);
const esc = s => String(s).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c]));

function kib(bytes) {
	return bytes >= 1 << 20 ? (bytes / (1 << 20)).toFixed(bytes % (1 << 20) ? 1 : 0) + ' MiB' : (bytes >> 10) + ' KiB';
}

/* ---- what a step says, in words ---- */

function describe(step, procs) {
	const e = step.ev, who = `pid ${e.pid}` + (procs && procs.get(e.pid) ? ` (${procs.get(e.pid).comm})` : '');
	switch (e.type) {
	case 'start': return `tracing starts (${e.mode === 'all' ? 'every process' : 'pid ' + e.target + ' and its children'})`;
	case 'end': return 'tracing ends';
	case 'lost': return `${e.n} records lost (the ring was full)`;
	case 'fork': return e.vm === 'copy'
		? `${who} forks pid ${e.child}: its pages are now shared, copy-on-write (${e.strategy})`
		: `${who} creates pid ${e.child} sharing its memory (vfork / posix_spawn)`;
	case 'thread': return `${who} starts thread ${e.child}, sharing its address space`;
	case 'exec': return `pid ${e.pid} execs ${e.comm}: a new address space`;
	case 'exit': return `${who} ${e.last ? 'exits' : 'thread ' + e.tid + ' exits'}`;
	case 'mm_free': return `address space ${e.mm} freed: its frames lose a reference`;
	case 'map': return e.op === 'brk' ? `${who} moves the break to ${hex(e.addr)}`
		: `${who} ${e.op} ${hex(e.addr)}, ${kib(e.len)}${e.op === 'mmap' ? ' ' + e.prot : ''}`;
	case 'mprotect': return `${who} mprotect ${hex(e.addr)}, ${kib(e.len)} to ${e.prot}`;
	case 'mremap': return `${who} mremap to ${hex(e.addr)}, ${kib(e.len)}`;
	case 'dontneed': return `${who} drops ${kib(e.len)} at ${hex(e.addr)} (MADV_DONTNEED)`;
	case 'fault': return `${who} fault at ${hex(e.addr)}: ${HOW_TEXT[e.how] || e.how}` +
		(e.how === 'cow_copy' ? `, frame ${hex(e.old)} → ${hex(e.frame)}` : `, frame ${hex(e.frame)}`);
	case 'page_out': return `${who} page ${hex(e.addr)} written to swap`;
	case 'snap': return `snapshot of pid ${e.pid} (${e.why})`;
	case 'regions': return `regions of address space ${e.mm}`;
	default: return e.type;
	}
}

function regionName(r) {
	if (r.kind === 'heap') return '[heap]';
	if (r.kind === 'stack') return '[stack]';
	if (r.kind === 'shared') return 'shared memory';
	if (r.exe) return r.prot[2] === 'x' ? 'program code' : r.prot[1] === 'w' ? 'program data' : 'program constants';
	if (r.kind === 'file') return `file (inode ${r.ino})`;
	return r.prot[1] === 'w' ? 'anonymous (bss, mmap)' : 'anonymous';
}

/* ---- the page ---- */

class View {
	constructor(text, opts) {
		this.live = !!opts.live;
		this.trace = new Trace();
		this.model = new Model();
		this.cur = -1;
		this.playing = null;
		this.follow = this.live;
		this.focus = 0;
		this.showExited = !this.live;
		this.bytes = 0;
		if (text)
			this.trace.feed(text + '\n');
		this.setup();
		this.go(this.live ? this.trace.steps.length - 1 : this.firstInteresting());
		if (this.live)
			this.poll();
	}

	/* Start on the first fork: where the picture starts to change. */
	firstInteresting() {
		const i = this.trace.steps.findIndex(s => s.ev.type === 'fork');
		return i >= 0 ? i : this.trace.steps.length - 1;
	}

	setup() {
		$('legend').innerHTML = LEGEND.map(([c, t]) => `<span><i class="c ${c}"></i>${t}</span>`).join('') +
			'<span><i class="c private changed"></i>changed by this step</span>';
		$('scrub').addEventListener('input', () => { this.follow = false; this.go(Number($('scrub').value)); });
		$('prev').onclick = () => this.stepBy(-1);
		$('next').onclick = () => this.stepBy(1);
		$('prevbig').onclick = () => this.bigStep(-1);
		$('nextbig').onclick = () => this.bigStep(1);
		$('play').onclick = () => this.togglePlay();
		$('first').onclick = () => { this.follow = false; this.go(0); };
		$('last').onclick = () => { this.follow = this.live; this.go(this.trace.steps.length - 1); };
		$('speed').onchange = () => { if (this.playing) { this.togglePlay(); this.togglePlay(); } };
		$('exited').checked = this.showExited;
		$('exited').onchange = () => { this.showExited = $('exited').checked; this.render(); };
		$('events').addEventListener('click', ev => {
			const d = ev.target.closest('[data-step]');
			if (d) { this.follow = false; this.go(Number(d.dataset.step)); }
		});
		$('tree').addEventListener('click', ev => {
			const d = ev.target.closest('[data-pid]');
			if (d) this.focusPid(Number(d.dataset.pid));
		});
		$('panels').addEventListener('mouseover', ev => this.hover(ev));
		$('panels').addEventListener('mouseout', () => { $('tip').style.display = 'none'; });
		document.addEventListener('keydown', ev => {
			if (ev.target.tagName === 'INPUT' && ev.target.type !== 'range') return;
			if (ev.key === 'ArrowRight') { ev.shiftKey ? this.bigStep(1) : this.stepBy(1); ev.preventDefault(); }
			else if (ev.key === 'ArrowLeft') { ev.shiftKey ? this.bigStep(-1) : this.stepBy(-1); ev.preventDefault(); }
			else if (ev.key === ' ') { this.togglePlay(); ev.preventDefault(); }
		});
	}

	stepBy(d) {
		this.follow = false;
		this.go(Math.max(0, Math.min(this.trace.steps.length - 1, this.cur + d)));
	}

	bigStep(d) {
		this.follow = false;
		const s = this.trace.steps;
		for (let i = this.cur + d; i >= 0 && i < s.length; i += d)
			if (BIG_EVENTS.has(s[i].ev.type)) return this.go(i);
		this.go(d < 0 ? 0 : s.length - 1);
	}

	togglePlay() {
		if (this.playing) {
			clearInterval(this.playing);
			this.playing = null;
		} else {
			this.follow = false;
			if (this.cur >= this.trace.steps.length - 1)
				this.go(0);
			this.playing = setInterval(() => {
				if (this.cur >= this.trace.steps.length - 1) return this.togglePlay();
				this.go(this.cur + 1);
			}, 1000 / Number($('speed').value));
		}
		$('play').classList.toggle('on', !!this.playing);
		$('play').textContent = this.playing ? '❚❚' : '▶';
	}

	/* Bring the model to step k: forward from where it is, or replay
	 * from the start to go back (or when earlier steps changed). */
	go(k) {
		const steps = this.trace.steps;
		if (!steps.length) { this.render(); return; }
		k = Math.max(0, Math.min(steps.length - 1, k));
		if (k < this.model.index || this.trace.changedFrom <= this.model.index) {
			this.model = new Model();
			this.trace.changedFrom = Infinity;
		}
		for (let i = this.model.index + 1; i <= k; i++)
			this.model.apply(steps[i], i);
		this.cur = k;
		this.render();
	}

	focusPid(pid) {
		this.focus = pid;
		this.render();
		const el = document.querySelector(`.panel[data-pid="${pid}"]`);
		if (el) el.scrollIntoView({ behavior: 'smooth', block: 'nearest' });
	}

	/* Processes in tree order (parents before children), with depth. */
	treeOrder() {
		const procs = [...this.model.procs.values()];
		const kids = new Map();
		for (const p of procs) {
			const parent = this.model.procs.has(p.ppid) ? p.ppid : 0;
			if (!kids.has(parent)) kids.set(parent, []);
			kids.get(parent).push(p);
		}
		const out = [];
		const walk = (pid, depth) => {
			for (const p of (kids.get(pid) || []).sort((a, b) => a.pid - b.pid)) {
				out.push([p, depth]);
				walk(p.pid, depth + 1);
			}
		};
		walk(0, 0);
		return out;
	}

	render() {
		const steps = this.trace.steps, n = steps.length;
		$('scrub').max = Math.max(0, n - 1);
		$('scrub').value = this.cur;
		$('stepno').textContent = n ? `step ${this.cur + 1} / ${n}` : 'no events yet';
		if (n) {
			const step = steps[this.cur], t0 = steps[0].ev.ns;
			$('now').innerHTML = `<span class="t">+${((step.ev.ns - t0) / 1e6).toFixed(3)} ms</span>` +
				esc(describe(step, this.model.procs));
		}
		if (this.trace.lost)
			$('now').innerHTML += ` <b style="color:#e03131">(${this.trace.lost} records lost)</b>`;
		const order = this.treeOrder();
		this.renderTree(order);
		this.renderPanels(order);
		this.renderEvents();
	}

	renderTree(order) {
		let html = '', depth = -1;
		for (const [p, d] of order) {
			while (depth < d) { html += '<ul>'; depth++; }
			while (depth > d) { html += '</ul>'; depth--; }
			const fresh = p.born === this.cur ? ' new' : '';
			html += `<li><span class="node${p.alive ? '' : ' dead'}${fresh}" data-pid="${p.pid}">` +
				`${esc(p.pid)} <b>${esc(p.comm)}</b></span></li>`;
		}
		while (depth >= 0) { html += '</ul>'; depth--; }
		$('tree').innerHTML = html || '<div class="empty">no process yet</div>';
	}

	/* Redraw the panels when a cell appears or goes (or a panel does);
	 * otherwise only update what changed in place: large address spaces
	 * have thousands of cells. */
	renderPanels(order) {
		const shown = order.filter(([p]) => p.alive || this.showExited || p.died === this.cur);
		const keys = shown.map(([p]) => {
			const m = this.model.mms.get(p.mm);
			return [p.pid, p.mm, m ? m.id + '.' + m.layout : '-', p.alive, p.comm, p.vfork, p.pid === this.focus].join(':');
		}).join('|');
		if (keys !== this.panelKeys || this.model !== this.panelModel) {
			$('panels').innerHTML = shown.map(([p]) => this.panel(p)).join('') ||
				'<div class="empty">No traced process yet.</div>';
			this.panelKeys = keys;
			this.panelModel = this.model;
			return;
		}
		for (const [p] of shown)
			this.updatePanel(p);
	}

	updatePanel(p) {
		const el = document.querySelector(`.panel[data-pid="${p.pid}"]`), m = this.model.mms.get(p.mm);
		if (!el || !m)
			return;
		const counts = el.querySelector('.counts'), rel = el.querySelector('.relation');
		if (counts)
			counts.outerHTML = this.counts(p, m);
		if (rel)
			rel.outerHTML = this.relation(p, m) || '<div class="relation"></div>';
		for (const cell of el.querySelectorAll('i.c[data-state]')) {
			const vpn = Number(cell.dataset.vpn), cls = this.cellClass(m, vpn, regionAt(m, vpn * PAGE));
			if (cell.className !== cls[0]) {
				cell.className = cls[0];
				cell.dataset.state = cls[1];
			}
		}
	}

	/* The class of the cell of page vpn (present) and its state. */
	cellClass(m, vpn, r) {
		const [st, maps] = pageState(this.model, m.pages.get(vpn), r);
		const changed = this.model.touched.size <= MARK_MAX && this.model.touched.has(m.id + ':' + vpn) ? ' changed' : '';
		return [`c ${st}${maps > 2 ? ' n3' : ''}${changed}`, st];
	}

	counts(p, m) {
		const c = pageCounts(this.model, m);
		return `<div class="counts" data-pid="${p.pid}">` +
			[['present', 'pages present'], ['cow', 'shared (COW)'], ['cow1', 'COW, sole owner'],
			 ['private', 'private'], ['zero', 'zero-filled'], ['file', 'file'], ['shared', 'MAP_SHARED'],
			 ['swap', 'swapped']]
				.filter(([k]) => c[k] || k === 'present' || k === 'cow' || k === 'private')
				.map(([k, t]) => `<span>${t} <b data-count="${k}">${c[k]}</b></span>`).join('') + '</div>';
	}

	panel(p) {
		const m = this.model.mms.get(p.mm);
		const status = p.alive ? '' : `<span class="badge exited">exited</span>`;
		const vf = p.vfork ? `<span class="badge vfork">shares its parent's memory</span>` : '';
		let body = '<div class="empty">no address space recorded</div>', counts = '', rel = '';
		if (m) {
			counts = this.counts(p, m);
			rel = this.relation(p, m) || '<div class="relation"></div>';
			body = m.regions.map(r => this.regionRow(m, r)).join('');
		}
		return `<section class="panel${p.alive ? '' : ' dead'}${p.pid === this.focus ? ' focus' : ''}" data-pid="${p.pid}" data-mm="${p.mm}">` +
			`<div class="title"><b>pid ${esc(p.pid)}</b><span>${esc(p.comm)}</span>` +
			`<span class="badge">mm ${esc(p.mm)}</span>${vf}${status}</div>${counts}${rel}${body}</section>`;
	}

	/* A child beside its parent: how many pages still use the same frame. */
	relation(p, m) {
		const parent = this.model.procs.get(p.ppid);
		const pm = parent && parent.alive && this.model.mms.get(parent.mm);
		if (!pm || pm === m || !p.alive)
			return '';
		let same = 0, own = 0;
		for (const [vpn, pg] of m.pages) {
			if (pg.file) continue;
			const q = pm.pages.get(vpn);
			if (q && q.frame === pg.frame) same++; else own++;
		}
		return `<div class="relation" data-same="${same}" data-own="${own}">With parent ${p.ppid}: ` +
			`<b>${same}</b> anonymous pages on the same frame, <b>${own}</b> its own copies</div>`;
	}

	regionRow(m, r) {
		const pages = (r.end - r.start) / PAGE;
		const name = `<div class="rname"><b>${esc(regionName(r))}</b> <span class="mono">${esc(r.prot)}</span><br>` +
			`<span class="addr mono">${hex(r.start)}</span> <span class="addr">${kib(r.end - r.start)}</span></div>`;
		const first = r.start / PAGE, cells = [];
		const present = [];
		for (const vpn of m.pages.keys())
			if (vpn >= first && vpn < first + pages) present.push(vpn);
		present.sort((a, b) => a - b);
		let at = first;
		const absentRun = upto => {
			const len = upto - at;
			if (len >= GAP_PAGES) {
				cells.push(`<i class="gap" title="${len} pages not present">··· ${len}</i>`);
			} else {
				for (let v = at; v < upto; v++)
					cells.push(`<i class="c absent" data-vpn="${v}"></i>`);
			}
			at = upto;
		};
		for (const vpn of present) {
			absentRun(vpn);
			const [cls, st] = this.cellClass(m, vpn, r);
			cells.push(`<i class="${cls}" data-vpn="${vpn}" data-state="${st}"></i>`);
			at = vpn + 1;
		}
		absentRun(first + pages);
		return `<div class="region">${name}<div class="cells">${cells.join('')}</div></div>`;
	}

	renderEvents() {
		const steps = this.trace.steps, lo = Math.max(0, this.cur - EVENT_WINDOW);
		const hi = Math.min(steps.length, this.cur + EVENT_WINDOW);
		let html = '';
		for (let i = lo; i < hi; i++) {
			const e = steps[i].ev;
			const cls = (i === this.cur ? 'cur' : i > this.cur ? 'future' : '') + (BIG_EVENTS.has(e.type) ? ' big' : '');
			html += `<div class="${cls}" data-step="${i}">${i + 1}. ${esc(describe(steps[i], this.model.procs))}</div>`;
		}
		$('events').innerHTML = html;
		const cur = $('events').querySelector('.cur');
		if (cur) $('events').scrollTop = cur.offsetTop - $('events').clientHeight / 2;
	}

	hover(ev) {
		const cell = ev.target.closest('i.c');
		const panel = ev.target.closest('.panel');
		if (!cell || !panel) { $('tip').style.display = 'none'; return; }
		const m = this.model.mms.get(Number(panel.dataset.mm)), vpn = Number(cell.dataset.vpn);
		const pg = m && m.pages.get(vpn), r = m && regionAt(m, vpn * PAGE);
		let html = `<div><span class="k">address</span> <span class="mono">${hex(vpn * PAGE)}</span>` +
			(r ? ` <span class="k">in</span> ${esc(regionName(r))}` : '') + '</div>';
		if (!pg) {
			html += `<div>${STATE_TEXT.absent}</div>`;
		} else {
			const [st, maps] = pageState(this.model, pg, r);
			const ref = this.model.frames.get(pg.frame);
			html += `<div><b>${esc(STATE_TEXT[st])}</b></div>` +
				`<div><span class="k">${pg.swap ? 'swap slot' : 'frame'}</span> <span class="mono">${hex(pg.frame)}</span>` +
				(pg.swap ? '' : ` <span class="k">refcount</span> ${ref === undefined ? '?' : ref}` +
				 ` <span class="k">mapped by</span> ${maps}`) +
				` <span class="k">writable</span> ${pg.w ? 'yes' : 'no'}</div>` +
				`<div><span class="k">last changed by</span> ${this.stepText(pg.last)}</div>`;
			const fs = this.model.frameStep.get(pg.frame);
			if (!pg.swap && fs !== undefined && fs > pg.last)
				html += `<div><span class="k">its frame's sharing last changed by</span> ${this.stepText(fs)}</div>`;
		}
		const tip = $('tip');
		tip.innerHTML = html;
		tip.style.display = 'block';
		const x = Math.min(ev.clientX + 14, window.innerWidth - 370), y = ev.clientY + 14;
		tip.style.left = x + 'px';
		tip.style.top = (y + tip.offsetHeight > window.innerHeight - 10 ? ev.clientY - tip.offsetHeight - 10 : y) + 'px';
	}

	stepText(k) {
		const s = k >= 0 && this.trace.steps[k];
		return s ? `step ${k + 1}: ${esc(describe(s, this.model.procs))}` : 'before tracing';
	}

	/* Live: ask the server for the trace past what we have. */
	poll() {
		fetch('trace?from=' + this.bytes).then(r => r.text()).then(text => {
			if (text) {
				this.bytes += new TextEncoder().encode(text).length;
				this.trace.feed(text);
				if (this.follow) this.go(this.trace.steps.length - 1);
				else this.render();
			}
		}).catch(() => {}).finally(() => setTimeout(() => this.poll(), POLL_MS));
	}
}

function startView(text, opts) {
	window.view = new View(text, opts || {});
	return window.view;
}
