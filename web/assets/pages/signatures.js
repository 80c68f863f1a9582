// Signatures (#/signatures): the signature databases the server knows (the
// current version, how many machines are behind or unknown) and the
// machines lagging behind, from /signatures and /endpoints?outdated=true.
import { h, fill } from '../dom.js';
import { t, num, date, dateTime } from '../i18n.js';
import { get } from '../api.js';
import { loading, errorBox, title, table, pager } from '../ui.js';
import { sigAge } from './endpoints.js';

const LIMIT = 50;

export async function render(main, route) {
	const offset = Number(route.params.get('offset')) || 0;
	const dbBox = h('section.panel', null, h('h2', null, t('sig.databases')), loading());
	const lagBox = h('section.panel', { 'aria-live': 'polite' }, h('h2', null, t('sig.lagging')), loading());
	fill(main, title(t('sig.title')), dbBox, lagBox);
	try {
		const s = await get('/api/v1/signatures');
		if (!route.alive()) return;
		fill(dbBox, h('h2', null, t('sig.databases')),
			h('p', null, t('sig.endpoints', { n: num(s.endpoints) })),
			table([
				{ key: 'name', label: t('sig.database') },
				{ key: 'version', label: t('sig.version'), num: true },
				{ key: 'built', label: t('sig.built'), render: (d) => date(d.built) },
				{ key: 'current', label: t('sig.current'), num: true, render: (d) => num(d.current), cls: () => 'ok' },
				{ key: 'behind', label: t('sig.behind'), num: true, render: (d) => num(d.behind), cls: (d) => (d.behind ? 'warn' : null) },
				{ key: 'unknown', label: t('fresh.unknown'), num: true, render: (d) => num(d.unknown) },
			], s.databases || [], { localSort: true, rowHeader: true }));
	} catch (e) {
		if (!route.alive()) return;
		fill(dbBox, h('h2', null, t('sig.databases')), errorBox(e));
	}
	try {
		const data = await get('/api/v1/endpoints', { outdated: 'true', limit: LIMIT, offset, sort: 'db_newest_build' });
		if (!route.alive()) return;
		fill(lagBox, h('h2', null, t('sig.lagging')), table([
			{ key: 'hostname', label: t('ep.hostname'), render: (e) => h('a', { href: `#/endpoints/${e.id}` }, e.hostname) },
			{ key: 'unit', label: t('filter.unit'), render: (e) => e.unit.name },
			{ key: 'sig', label: t('ep.signatures'), render: sigAge },
			{ key: 'last_update', label: t('ep.last_update'), render: (e) => dateTime(e.last_update) },
			{ key: 'last_seen', label: t('ep.last_seen'), render: (e) => dateTime(e.last_seen) },
		], data.items, { empty: t('sig.none_lagging') }),
		pager(data.total, LIMIT, offset, (o) => route.go('signatures', { offset: o || '' })));
	} catch (e) {
		if (!route.alive()) return;
		fill(lagBox, h('h2', null, t('sig.lagging')), errorBox(e));
	}
}
