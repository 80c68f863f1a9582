// Detections (#/detections?...): the files found in the caller's scope,
// filtered by unit, name, state and period, with each file's SHA-256; and
// the samples view (#/detections/samples, #/detections/samples/SHA256):
// the same file on N machines in M units, from /detections/samples; there
// an administrator marks the file a false positive (its SHA-256 onto the
// intelligence allow-list, reaching the agents with the next daily); below
// it, the files downstream servers reported, on a national tier.
import { h, fill, field, select } from '../dom.js';
import { t, num, dateTime } from '../i18n.js';
import { get } from '../api.js';
import { loading, errorBox, title, table, pager, unitOptions, badge, stateClass, PERIODS, isAdmin } from '../ui.js';
import { allowlist } from './intel.js';

const LIMIT = 50;
const STATES = ['active', 'quarantined', 'removed', 'restored', 'ignored'];

function tabs(current) {
	return h('nav.tabs', { 'aria-label': t('det.views') }, h('ul', null,
		h('li', null, h('a', { href: '#/detections', 'aria-current': current === 'list' ? 'page' : null }, t('det.list'))),
		h('li', null, h('a', { href: '#/detections/samples', 'aria-current': current === 'samples' ? 'page' : null }, t('det.samples')))));
}

function filterForm(route, p, path, withState) {
	const unit = select(unitOptions(), p.unit, { name: 'unit' });
	const name = h('input', { type: 'search', name: 'name', value: p.name });
	const state = select([['', t('filter.any')], ...STATES.map((s) => [s, t(`det.${s}`)])], p.state, { name: 'state' });
	const period = select([['', t('period.any')], ...PERIODS.map((d) => [d, t('period.last_days', { n: d })])], p.days, { name: 'days' });
	return h('form.filters', {
		role: 'search',
		on: {
			submit: (e) => {
				e.preventDefault();
				route.go(path, { unit: unit.value, name: name.value.trim(), state: withState ? state.value : '', days: period.value });
			},
		},
	}, field(t('filter.unit'), unit), field(t('det.name'), name), withState ? field(t('ep.state'), state) : null,
	field(t('filter.period'), period),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('common.apply')),
		h('button', { type: 'button', on: { click: () => route.go(path) } }, t('common.reset'))));
}

const since = (days) => (days ? Math.floor(Date.now() / 1000) - Number(days) * 86400 : '');

async function list(main, route) {
	const p = Object.fromEntries(['unit', 'name', 'state', 'days', 'sort', 'order', 'offset', 'sha256'].map((k) => [k, route.params.get(k) || '']));
	const offset = Number(p.offset) || 0;
	const body = h('div', { 'aria-live': 'polite' }, loading());
	fill(main, title(t('det.title')), tabs('list'), filterForm(route, p, 'detections', true),
		p.sha256 ? h('p.notice', null, 'SHA-256: ', h('code', null, p.sha256), ' ', h('a', { href: '#/detections' }, t('common.reset'))) : null, body);
	let data;
	try {
		data = await get('/api/v1/detections', {
			unit: p.unit, name: p.name, state: p.state, since: since(p.days), sha256: p.sha256,
			sort: p.sort, order: p.order, limit: LIMIT, offset,
		});
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	fill(body, table([
		{ key: 'last_seen', label: t('det.last_seen'), render: (d) => dateTime(d.last_seen) },
		{ key: 'hostname', label: t('ep.hostname'), render: (d) => h('a', { href: `#/endpoints/${d.endpoint.id}` }, d.endpoint.hostname) },
		{ key: 'unit', label: t('filter.unit'), sortable: false, render: (d) => (d.unit && d.unit.name) || '—' },
		{ key: 'name', label: t('det.name') },
		{ key: 'path', label: t('det.path'), sortable: false, render: (d) => h('code', null, d.path) },
		{ key: 'sha256', label: 'SHA-256', sortable: false, render: (d) => (d.sha256
			? h('a.hash', { href: `#/detections/samples/${d.sha256}`, title: d.sha256 }, h('code', null, d.sha256)) : '—') },
		{ key: 'state', label: t('ep.state'), render: (d) => badge(t(`det.${d.state}`), stateClass[d.state]) },
	], data.items, {
		sort: { key: p.sort || 'last_seen', order: p.order || 'desc' },
		onSort: (key, order) => route.go('detections', { ...p, offset: '', sort: key, order }),
		empty: t('det.none'),
		caption: t('det.caption', { n: num(data.total) }),
	}), pager(data.total, LIMIT, offset, (o) => route.go('detections', { ...p, offset: o || '' })));
}

async function samples(main, route) {
	const p = Object.fromEntries(['unit', 'name', 'days', 'offset'].map((k) => [k, route.params.get(k) || '']));
	const offset = Number(p.offset) || 0;
	const body = h('div', { 'aria-live': 'polite' }, loading());
	fill(main, title(t('det.title')), tabs('samples'), filterForm(route, p, 'detections/samples', false), body);
	let data;
	try {
		data = await get('/api/v1/detections/samples', { unit: p.unit, name: p.name, since: since(p.days), limit: LIMIT, offset });
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	fill(body, table([
		{ key: 'name', label: t('det.name'), render: (s) => h('a', { href: `#/detections/samples/${s.sha256}` }, s.name || '—') },
		{ key: 'sha256', label: 'SHA-256', render: (s) => h('code.hash', { title: s.sha256 }, s.sha256) },
		{ key: 'spread', label: t('det.spread'), render: (s) => t('det.spread_text', { n: num(s.endpoints), m: num(s.units) }) },
		{ key: 'active', label: t('det.active'), num: true, render: (s) => num(s.active), cls: (s) => (s.active ? 'bad' : null) },
		{ key: 'first_seen', label: t('det.first_seen'), render: (s) => dateTime(s.first_seen) },
		{ key: 'last_seen', label: t('det.last_seen'), render: (s) => dateTime(s.last_seen) },
	], data.items || [], { empty: t('det.none') }), pager(data.total || 0, LIMIT, offset, (o) => route.go('detections/samples', { ...p, offset: o || '' })),
	await reportedSamples(p.unit));
}

// The files downstream servers reported (the national tier, docs/tier.md),
// the latest 50, when there are any in scope; nothing otherwise.
async function reportedSamples(unit) {
	let data;
	try {
		data = await get('/api/v1/downstreams/samples', { unit, limit: LIMIT });
	} catch { return null; /* an older server: no national tier */ }
	if (!data.total) return null;
	return h('section.panel.reported', null, h('h2', null, t('tier.samples')),
		table([
			{ key: 'name', label: t('det.name'), render: (s) => s.name || '—' },
			{ key: 'sha256', label: 'SHA-256', render: (s) => h('code.hash', { title: s.sha256 }, s.sha256) },
			{ key: 'spread', label: t('det.spread'), render: (s) => t('tier.spread_text', { n: num(s.endpoints), m: num(s.units), k: num(s.downstreams) }) },
			{ key: 'last_seen', label: t('det.last_seen'), render: (s) => dateTime(s.last_seen) },
			{ key: 'reported_at', label: t('tier.reported_col'), render: (s) => dateTime(s.reported_at) },
		], data.items || [], { caption: t('tier.samples_caption', { n: num(data.total) }) }));
}

async function sample(main, route) {
	const sha = route.parts[2];
	const body = h('div', null, loading());
	fill(main, title(t('det.sample')), tabs('samples'), body);
	let s;
	try {
		s = await get(`/api/v1/detections/samples/${encodeURIComponent(sha)}`);
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	fill(body,
		h('dl.facts', null,
			h('dt', null, t('det.name')), h('dd', null, s.name || '—'),
			h('dt', null, 'SHA-256'), h('dd', null, h('code', null, s.sha256)),
			h('dt', null, t('det.spread')), h('dd', null, t('det.spread_text', { n: num(s.endpoints), m: num(s.units) })),
			h('dt', null, t('det.active')), h('dd', null, num(s.active)),
			h('dt', null, t('det.first_seen')), h('dd', null, dateTime(s.first_seen)),
			h('dt', null, t('det.last_seen')), h('dd', null, dateTime(s.last_seen))),
		h('p', null, h('a', { href: `#/detections?sha256=${s.sha256}` }, t('det.all_of_sample'))),
		await falsePositive(s),
		table([
			{ key: 'unit', label: t('filter.unit'), render: (r) => r.unit.name },
			{ key: 'endpoints', label: t('fig.endpoints'), num: true, render: (r) => num(r.endpoints) },
			{ key: 'active', label: t('det.active'), num: true, render: (r) => num(r.active) },
		], s.by_unit || [], { localSort: true, sort: { key: 'endpoints', order: 'desc' } }));
}

// The sample's place on the allow-list: a note when it is there already,
// else (administrators) the button that puts it there after a confirmation.
async function falsePositive(s) {
	const box = h('div.fpbox', { 'aria-live': 'polite' });
	const done = () => fill(box, h('p.notice', { role: 'status' }, badge(t('intel.allowlisted'), 'ok'), ' ',
		t('det.fp_done'), ' ', h('a', { href: '#/intel?allowlisted=true' }, t('det.fp_see'))));
	let listed = false;
	try {
		const r = await get('/api/v1/intel/indicators', { type: 'sha256', q: s.sha256, allowlisted: 'true', limit: 1 });
		listed = (r.items || []).some((i) => i.value === s.sha256);
	} catch { /* an older server: no intelligence API */ }
	if (listed) done();
	else if (isAdmin()) {
		const btn = h('button.warnbtn', {
			type: 'button',
			on: {
				click: async () => {
					btn.disabled = true;
					try {
						if (await allowlist(s.sha256, t('det.fp_reason', { name: s.name || s.sha256 }))) done();
						else btn.disabled = false;
					} catch (err) {
						fill(box, errorBox(err));
					}
				},
			},
		}, t('det.fp_button'));
		fill(box, btn, h('small.hint', null, ' ', t('det.fp_hint')));
	}
	return box;
}

export async function render(main, route) {
	if (route.parts[1] === 'samples' && route.parts[2]) return sample(main, route);
	if (route.parts[1] === 'samples') return samples(main, route);
	return list(main, route);
}
