// Units (#/units or #/units/ID): the child units of the caller's scope (or
// of unit ID) with their coverage figures, sortable by every column and
// coloured against the targets: every machine protected (green), any
// machine with signatures older than 7 days (amber) or 15 days (red).
// A unit's name drills down; the breadcrumb goes back up. A unit's page
// also lists the machines it declared as protected by other products
// (declared.js), with the form and the CSV import for its officers.
import { h, fill, field, select } from '../dom.js';
import { t, num, pct } from '../i18n.js';
import { get } from '../api.js';
import { loading, errorBox, title, table, unitPath, PERIODS, periodRange, reportedNote, reportedBadge } from '../ui.js';
import { declaredPanel } from './declared.js';

function protectedClass(f) {
	if (!f.endpoints) return 'muted';
	if (f.reporting === f.endpoints) return 'ok';
	return f.reporting / f.endpoints >= 0.9 ? 'warn' : 'bad';
}

function staleClass(f) {
	if (f.older_15d > 0) return 'bad';
	if (f.fresh_15d - f.fresh_7d > 0 || f.sig_unknown > 0) return 'warn';
	return f.endpoints ? 'ok' : 'muted';
}

const share = (a, b) => (b ? a / b : -1);

export async function render(main, route) {
	const id = route.parts[1] || '';
	const days = Number(route.params.get('days')) || 30;
	const sortKey = route.params.get('sort') || 'name';
	const order = route.params.get('order') || 'asc';
	const here = id ? `units/${id}` : 'units';
	const periodSel = select(PERIODS.map((d) => [d, t('period.last_days', { n: d })]), days, {
		on: { change: (e) => route.go(here, { days: e.target.value }) },
	});
	const crumbs = h('nav.crumbs', { 'aria-label': t('units.breadcrumb') }, h('ol', null,
		h('li', null, id ? h('a', { href: '#/units' }, t('scope.all_mine')) : h('span', { 'aria-current': 'page' }, t('scope.all_mine'))),
		unitPath(id).map((u) => h('li', null, String(u.id) === String(id)
				? h('span', { 'aria-current': 'page' }, u.name)
				: h('a', { href: `#/units/${u.id}` }, u.name)))));
	const body = h('div', null, loading());
	fill(main, title(t('units.title'), field(t('filter.period'), periodSel)), crumbs, body);
	let cov;
	try {
		const { from, to } = periodRange(days);
		cov = await get('/api/v1/coverage', { unit: id, from, to, by: 'children' });
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	const rows = (cov.children || []).map((c) => ({ unit: c.unit, ...c.figures, name: c.unit.name, reported_by: c.reported_by }));
	const f = cov.figures;
	const columns = [
		{ key: 'name', label: t('units.unit'), render: (r) => [h('a', { href: `#/units/${r.unit.id}` }, r.unit.name, ' ', h('small.code', null, r.unit.code)), ' ', reportedBadge(r.reported_by)] },
		{ key: 'endpoints', label: t('fig.endpoints'), num: true, render: (r) => num(r.endpoints) },
		{ key: 'declared', label: t('units.declared'), num: true, render: (r) => num(r.declared || 0) },
		{ key: 'protected', label: t('fig.protected'), num: true, value: (r) => share(r.reporting, r.endpoints),
			render: (r) => pct(r.reporting, r.endpoints), cls: protectedClass },
		{ key: 'realtime', label: t('fig.realtime'), num: true, value: (r) => share(r.realtime_on, r.endpoints),
			render: (r) => pct(r.realtime_on, r.endpoints) },
		{ key: 'fresh7', label: t('units.fresh7'), num: true, value: (r) => share(r.fresh_7d, r.endpoints),
			render: (r) => pct(r.fresh_7d, r.endpoints), cls: staleClass },
		{ key: 'stale', label: t('units.stale7'), num: true, value: (r) => r.endpoints - r.fresh_7d,
			render: (r) => num(r.endpoints - r.fresh_7d), cls: staleClass },
		{ key: 'infected', label: t('fig.infected'), num: true, render: (r) => num(r.infected), cls: (r) => (r.infected ? 'bad' : null) },
		{ key: 'scanned', label: t('fig.scanned'), num: true, value: (r) => share(r.scanned, r.endpoints), render: (r) => pct(r.scanned, r.endpoints) },
		{ key: 'files_cleaned', label: t('fig.cleaned'), num: true, render: (r) => num(r.files_cleaned) },
	];
	fill(body,
		h('p.summary', null, cov.unit ? cov.unit.name : t('scope.province'), ': ',
			t('units.summary', { n: num(f.endpoints), p: pct(f.reporting, f.endpoints), s: num(f.endpoints - f.fresh_7d) }), ' ',
			id ? h('a', { href: `#/endpoints?unit=${id}` }, t('units.see_endpoints')) : null),
		reportedNote(cov.reported_by),
		h('p.legendnote', null, h('span.badge.ok', null, t('units.legend_ok')), ' ', h('span.badge.warn', null, t('units.legend_warn')), ' ',
			h('span.badge.bad', null, t('units.legend_bad'))),
		rows.length
			? table(columns, rows, { localSort: true, rowHeader: true, sort: { key: sortKey, order }, caption: t('units.caption') })
			: h('p.notice', null, t('units.no_children')),
		id ? declaredPanel(id) : null);
}
