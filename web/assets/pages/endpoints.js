// Endpoints (#/endpoints?q=&unit=&...): the machines of the caller's scope,
// searched, filtered, sorted and paged by the server (50 a page, so it
// works with 100,000 endpoints); the filters live in the address, so a
// filtered list can be bookmarked and the back button works.
import { h, fill, field, select } from '../dom.js';
import { t, num, dateTime, date, ageDays } from '../i18n.js';
import { get } from '../api.js';
import { loading, errorBox, title, table, pager, unitOptions, badge } from '../ui.js';

const LIMIT = 50;
const FILTERS = ['q', 'unit', 'kind', 'infected', 'realtime', 'sig_older_days', 'stale_days', 'sort', 'order', 'offset'];

export function statusBadge(e) {
	const seen = ageDays(e.last_seen);
	if (e.infected) return badge(t('ep.infected'), 'bad');
	if (seen === null || seen > 7) return badge(t('ep.silent'), 'warn');
	return badge(t('ep.ok'), 'ok');
}

export function sigAge(e) {
	const d = ageDays(e.db_newest_build);
	if (d === null) return badge(t('fresh.unknown'), 'muted');
	const cls = d <= 3 ? 'ok' : d <= 7 ? 'warn' : 'bad';
	return badge(t('ep.days', { n: num(d) }), cls);
}

export async function render(main, route) {
	const p = Object.fromEntries(FILTERS.map((k) => [k, route.params.get(k) || '']));
	const offset = Number(p.offset) || 0;
	const set = (changes) => route.go('endpoints', { ...p, offset: '', ...changes });
	const q = h('input', { type: 'search', name: 'q', value: p.q, placeholder: t('ep.search_hint') });
	const unit = select(unitOptions(), p.unit, { name: 'unit' });
	const kind = select([['', t('filter.any')], ['server', t('kind.server')], ['workstation', t('kind.workstation')], ['other', t('kind.other')]], p.kind, { name: 'kind' });
	const infected = select([['', t('filter.any')], ['true', t('ep.infected')], ['false', t('ep.clean')]], p.infected, { name: 'infected' });
	const realtime = select([['', t('filter.any')], ['on', t('ep.rt_on')], ['off', t('ep.rt_off')]], p.realtime, { name: 'realtime' });
	const sig = select([['', t('filter.any')], ['1', t('ep.sig_older', { n: 1 })], ['3', t('ep.sig_older', { n: 3 })],
		['7', t('ep.sig_older', { n: 7 })], ['15', t('ep.sig_older', { n: 15 })]], p.sig_older_days, { name: 'sig_older_days' });
	const stale = select([['', t('filter.any')], ['1', t('ep.stale', { n: 1 })], ['7', t('ep.stale', { n: 7 })], ['30', t('ep.stale', { n: 30 })]], p.stale_days, { name: 'stale_days' });
	const form = h('form.filters', {
		role: 'search',
		on: {
			submit: (e) => {
				e.preventDefault();
				set({ q: q.value.trim(), unit: unit.value, kind: kind.value, infected: infected.value, realtime: realtime.value,
					sig_older_days: sig.value, stale_days: stale.value });
			},
		},
	}, field(t('ep.search'), q), field(t('filter.unit'), unit), field(t('ep.kind'), kind), field(t('ep.infection'), infected),
	field(t('ep.realtime'), realtime), field(t('ep.signatures'), sig), field(t('ep.last_seen'), stale),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('common.apply')),
		h('button', { type: 'button', on: { click: () => route.go('endpoints') } }, t('common.reset'))));
	const body = h('div', { 'aria-live': 'polite' }, loading());
	fill(main, title(t('ep.title')), form, body);
	let data;
	try {
		const params = { ...p, limit: LIMIT, offset };
		data = await get('/api/v1/endpoints', params);
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	const columns = [
		{ key: 'hostname', label: t('ep.hostname'), render: (e) => h('a', { href: `#/endpoints/${e.id}` }, e.hostname) },
		{ key: 'unit', label: t('filter.unit'), render: (e) => e.unit.name },
		{ key: 'os', label: t('ep.os'), render: (e) => [e.os.name, e.os.version].filter(Boolean).join(' ') || '—' },
		{ key: 'ips', label: t('ep.ips'), sortable: false, render: (e) => (e.ips || []).join(', ') || '—' },
		{ key: 'state', label: t('ep.state'), sortable: false, render: statusBadge },
		{ key: 'db_newest_build', label: t('ep.signatures'), render: sigAge },
		{ key: 'realtime', label: t('ep.realtime'), sortable: false, render: (e) => (e.realtime ? t('ep.rt_on') : t('ep.rt_off')) },
		{ key: 'active_detections', label: t('ep.active_detections'), num: true, render: (e) => num(e.active_detections) },
		{ key: 'last_seen', label: t('ep.last_seen'), render: (e) => dateTime(e.last_seen) },
	];
	fill(body,
		table(columns, data.items, {
			rowHeader: true,
			sort: { key: p.sort || 'hostname', order: p.order || 'asc' },
			onSort: (key, order) => set({ sort: key, order }),
			caption: t('ep.caption', { n: num(data.total), when: date(Date.now() / 1000) }),
			empty: t('ep.none'),
		}),
		pager(data.total, LIMIT, offset, (o) => route.go('endpoints', { ...p, offset: o || '' })));
}
