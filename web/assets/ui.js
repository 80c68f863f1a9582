// Pieces shared by the dashboard's pages: loading and error boxes, the
// sortable table (sorted here or by the server), the pager, status badges,
// and the session state every page reads (the user, the units it sees).
import { h, fill } from './dom.js';
import { t, num, dateTime } from './i18n.js';
import { get } from './api.js';

export const session = { user: null, units: null, unitById: new Map() };

// The server's list (by depth, then name) in tree order: each unit
// followed by its sub-units, so indented lists read as a tree.
function treeOrder(units) {
	const kids = new Map();
	const ids = new Set(units.map((u) => u.id));
	for (const u of units) {
		const p = u.parent_id && ids.has(u.parent_id) ? u.parent_id : 0;
		if (!kids.has(p)) kids.set(p, []);
		kids.get(p).push(u);
	}
	const out = [];
	const walk = (p) => (kids.get(p) || []).forEach((u) => { out.push(u); walk(u.id); });
	walk(0);
	return out;
}

// Loads the units the caller sees once per login (flat list, parent_id).
export async function loadUnits(force) {
	if (session.units && !force) return session.units;
	const data = await get('/api/v1/units', { limit: 500 });
	session.units = treeOrder(data.items || []);
	session.unitById = new Map(session.units.map((u) => [u.id, u]));
	return session.units;
}

// The chain of units from the caller's top down to `id` (for breadcrumbs).
export function unitPath(id) {
	const out = [];
	let u = session.unitById.get(Number(id));
	while (u) {
		out.unshift(u);
		u = u.parent_id ? session.unitById.get(u.parent_id) : null;
	}
	return out;
}

// <select> options of the units, indented by depth; first option "all".
export function unitOptions(allLabel) {
	const opts = allLabel === null ? [] : [['', allLabel || t('filter.all_units')]];
	for (const u of session.units || [])
		opts.push([u.id, `${'\u00a0\u00a0'.repeat(u.depth || 0)}${u.name} (${u.code})`]);
	return opts;
}

export function loading() {
	return h('p.loading', { role: 'status' }, t('common.loading'));
}

export function errorBox(e) {
	const reason = e && e.message ? e.message : String(e);
	return h('div.error', { role: 'alert' }, h('strong', null, t('common.error')), ' ', reason);
}

// A "not on this server yet" note for routes another version adds.
export function unavailable(what) {
	return h('p.notice', { role: 'status' }, t('common.unavailable', { what }));
}

export function badge(text, cls) {
	return h('span.badge', { class: cls }, text);
}

// The marker of figures a downstream server reported (the national tier,
// docs/tier.md): who reported them and when, from a coverage answer's
// reported_by (null: none, no marker).
export function reportedNote(reportedBy) {
	if (!reportedBy || !reportedBy.length) return null;
	return h('p.notice.reported', { role: 'note' }, t('tier.reported'), ' ',
		reportedBy.map((d, i) => [i ? '; ' : '', h('strong', null, d.unit.name), ' ',
			t('tier.reported_at', { at: dateTime(d.reported_at) })]));
}

// The badge on a row whose figures a downstream server reported.
export function reportedBadge(reportedBy) {
	if (!reportedBy || !reportedBy.length) return null;
	return h('span.badge.info', { title: reportedBy.map((d) => t('tier.reported_at', { at: dateTime(d.reported_at) })).join('; ') },
		t('tier.badge'));
}

export const stateClass = {
	active: 'bad', quarantined: 'ok', removed: 'ok', restored: 'warn', ignored: 'muted',
	pending: 'muted', sent: 'info', running: 'info', done: 'ok', failed: 'bad',
	cancelled: 'muted', expired: 'muted',
};

/*
 * A table. columns: [{key, label, render(row) -> node|text, value(row) (for
 * sorting here), cls(row) -> class of the cell, num (right-aligned),
 * sortable}]. opts.sort {key, order} is the current sort; opts.onSort(key,
 * order) sorts elsewhere (server side); without it the rows are sorted here.
 * Headers are buttons, so sorting works from the keyboard; aria-sort tells
 * screen readers.
 */
export function table(columns, rows, opts = {}) {
	const sort = opts.sort || {};
	let shown = rows;
	if (!opts.onSort && sort.key) {
		const col = columns.find((c) => c.key === sort.key);
		const val = col.value || ((r) => r[col.key]);
		shown = [...rows].sort((a, b) => {
			const va = val(a), vb = val(b);
			const c = typeof va === 'string' ? va.localeCompare(vb, 'vi') : (va ?? -1) - (vb ?? -1);
			return sort.order === 'desc' ? -c : c;
		});
	}
	const wrap = h('div.tablewrap');
	const head = h('tr', null, columns.map((c) => {
		const active = sort.key === c.key;
		const ariaSort = active ? (sort.order === 'desc' ? 'descending' : 'ascending') : null;
		if (c.sortable === false || (!opts.onSort && !opts.localSort) || (opts.sortable && !opts.sortable.includes(c.key)))
			return h('th', { scope: 'col', class: c.num ? 'num' : null }, c.label);
		const next = active && sort.order !== 'desc' ? 'desc' : 'asc';
		const btn = h('button.sort', {
			type: 'button',
			on: { click: () => (opts.onSort ? opts.onSort(c.key, next) : redraw(c.key, next)) },
		}, c.label, h('span.arrow', { 'aria-hidden': 'true' }, active ? (sort.order === 'desc' ? ' ▼' : ' ▲') : ' ↕'));
		return h('th', { scope: 'col', 'aria-sort': ariaSort, class: c.num ? 'num' : null }, btn);
	}));
	const body = shown.length
		? shown.map((r) => h('tr', null, columns.map((c, i) => {
			const content = c.render ? c.render(r) : r[c.key];
			const cls = [c.num ? 'num' : '', c.cls ? c.cls(r) : ''].join(' ').trim() || null;
			return i === 0 && opts.rowHeader ? h('th', { scope: 'row', class: cls }, content) : h('td', { class: cls }, content);
		})))
		: [h('tr', null, h('td.empty', { colspan: columns.length }, opts.empty || t('common.none')))];
	const tbl = h('table', null, opts.caption ? h('caption', null, opts.caption) : null,
		h('thead', null, head), h('tbody', null, body));
	function redraw(key, order) {
		const again = table(columns, rows, { ...opts, sort: { key, order } });
		wrap.replaceWith(again);
		const b = [...again.querySelectorAll('th button.sort')][columns.filter((c) => c.sortable !== false).findIndex((c) => c.key === key)];
		if (b) b.focus();
	}
	return fill(wrap, tbl);
}

// "1–50 / 1.234" with previous/next buttons calling go(newOffset).
export function pager(total, limit, offset, go) {
	const from = total ? offset + 1 : 0;
	const to = Math.min(offset + limit, total);
	return h('nav.pager', { 'aria-label': t('common.pages') },
		h('button', { type: 'button', disabled: offset <= 0, on: { click: () => go(Math.max(0, offset - limit)) } }, t('common.prev')),
		h('span', { role: 'status' }, t('common.range', { from: num(from), to: num(to), total: num(total) })),
		h('button', { type: 'button', disabled: offset + limit >= total, on: { click: () => go(offset + limit) } }, t('common.next')));
}

// A page title (h1) with optional tools on the right.
export function title(text, ...tools) {
	return h('div.titlebar', null, h('h1', null, text), tools.length ? h('div.tools', null, tools) : null);
}

// Can the user operate (tasks, tokens) / administer (units, policies)?
export const canOperate = () => session.user && session.user.role !== 'viewer';
export const isAdmin = () => session.user && session.user.role === 'admin';

export function unitName(u) {
	if (!u) return '—';
	if (typeof u === 'object') return u.name;
	const x = session.unitById.get(Number(u));
	return x ? x.name : `#${u}`;
}

// Period options in days and the [from, to) they mean.
export const PERIODS = [7, 30, 90, 365];
export function periodRange(days) {
	const to = Math.floor(Date.now() / 1000);
	return { from: to - days * 86400, to };
}

// A day typed dd/mm/yyyy -> Unix seconds of its local midnight, or null
// (a date input would follow the browser's locale, not dd/mm/yyyy).
export function parseDay(s) {
	const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s || '');
	if (!m) return null;
	const d = new Date(Number(m[3]), Number(m[2]) - 1, Number(m[1]));
	return d.getDate() === Number(m[1]) && d.getMonth() === Number(m[2]) - 1 ? Math.floor(d.getTime() / 1000) : null;
}

// Is the caller province-wide (no unit)? The province's reports and the
// national centre's log are theirs to read.
export const isProvinceWide = () => session.user && !session.user.unit_id;

// A form that calls `send` and then `done`, showing the server's reason on failure.
export function form(fields, submitLabel, send, done) {
	const msg = h('div', { 'aria-live': 'polite' });
	const btn = h('button.primary', { type: 'submit' }, submitLabel);
	return h('form.filters', {
		on: {
			submit: async (e) => {
				e.preventDefault();
				btn.disabled = true;
				fill(msg);
				try {
					const r = await send();
					await done(r, msg);
				} catch (err) {
					fill(msg, errorBox(err));
				}
				btn.disabled = false;
			},
		},
	}, fields, h('div.actions', null, btn), msg);
}
