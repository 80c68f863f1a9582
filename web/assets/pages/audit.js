// The audit log (#/audit?unit=&user=&action=&since=&until=&offset=): who
// did what and when, newest first, 50 a page, with the filters the API has
// (/api/v1/audit: a unit's subtree, the actor's login, an action prefix, a
// period typed dd/mm/yyyy). An officer sees the entries of its subtree.
import { h, fill, field, select } from '../dom.js';
import { t, date, dateTime } from '../i18n.js';
import { get } from '../api.js';
import { loading, errorBox, title, table, pager, unitOptions, unitName, parseDay, isProvinceWide } from '../ui.js';

const LIMIT = 50;
const ACTIONS = ['auth.', 'endpoint.', 'user.', 'unit.', 'token.', 'policy.', 'task.', 'report.', 'ncsc.', 'apitoken.'];

// details' times (Unix seconds) are shown dd/mm/yyyy HH:mm like the rest
const TIME_KEYS = new Set(['from', 'to', 'at', 'since', 'until', 'expires_at']);

function details(d) {
	const keys = d && typeof d === 'object' ? Object.keys(d) : [];
	const show = (k) => (TIME_KEYS.has(k) && typeof d[k] === 'number' ? dateTime(d[k])
		: typeof d[k] === 'object' ? JSON.stringify(d[k]) : d[k]);
	return keys.length ? h('span.details', null, keys.map((k) => `${k}: ${show(k)}`).join('; ')) : '—';
}

export async function render(main, route) {
	const p = route.params;
	const offset = Number(p.get('offset')) || 0;
	const unit = select(unitOptions(isProvinceWide() ? t('filter.all_units') : t('scope.all_mine')), p.get('unit') || '');
	const user = h('input', { value: p.get('user') || '', maxlength: 64, autocomplete: 'off' });
	const action = select([['', t('aud.all_actions')], ...ACTIONS.map((a) => [a, `${a}*`])], p.get('action') || '');
	const since = h('input', { value: p.get('since') ? date(Number(p.get('since'))) : '', placeholder: 'dd/mm/yyyy', pattern: '\\d{1,2}/\\d{1,2}/\\d{4}' });
	const until = h('input', { value: p.get('until') ? date(Number(p.get('until')) - 86400) : '', placeholder: 'dd/mm/yyyy', pattern: '\\d{1,2}/\\d{1,2}/\\d{4}' });
	const msg = h('div', { 'aria-live': 'polite' });
	const listBox = h('section.panel', { 'aria-live': 'polite' }, loading());
	const form = h('form.filters', {
		on: {
			submit: (e) => {
				e.preventDefault();
				const s = since.value.trim() ? parseDay(since.value) : '';
				const u = until.value.trim() ? parseDay(until.value) : '';
				if (s === null || u === null) {
					fill(msg, errorBox({ message: t('rep.bad_dates') }));
					return;
				}
				route.go('audit', { unit: unit.value, user: user.value.trim(), action: action.value, since: s, until: u === '' ? '' : u + 86400 });
			},
		},
	}, field(t('filter.unit'), unit), field(t('aud.user'), user), field(t('aud.action'), action),
	field(t('rep.from'), since), field(t('rep.to'), until),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('common.apply')),
		h('a.button', { href: '#/audit' }, t('common.reset'))));
	fill(main, title(t('aud.title')), form, msg, listBox);
	try {
		const data = await get('/api/v1/audit', { unit: p.get('unit'), user: p.get('user'), action: p.get('action'),
			since: p.get('since'), until: p.get('until'), limit: LIMIT, offset });
		if (!route.alive()) return;
		const keep = Object.fromEntries(['unit', 'user', 'action', 'since', 'until'].map((k) => [k, p.get(k) || '']));
		fill(listBox, h('h2', null, t('aud.title')), table([
			{ key: 'at', label: t('aud.at'), render: (e) => dateTime(e.at), cls: () => 'nowrap' },
			{ key: 'actor', label: t('aud.user'), render: (e) => e.actor || '—' },
			{ key: 'action', label: t('aud.action'), render: (e) => h('code', null, e.action), cls: () => 'nowrap' },
			{ key: 'object', label: t('aud.object'), render: (e) => (e.object_type ? `${e.object_type}${e.object_id ? ` #${e.object_id}` : ''}` : '—') },
			{ key: 'unit', label: t('filter.unit'), render: (e) => (e.unit_id ? unitName(e.unit_id) : '—') },
			{ key: 'ip', label: t('aud.ip'), render: (e) => e.ip || '—' },
			{ key: 'details', label: t('aud.details'), render: (e) => details(e.details) },
		], data.items, { empty: t('common.none') }),
		pager(data.total, LIMIT, offset, (o) => route.go('audit', { ...keep, offset: o || '' })));
	} catch (e) {
		if (route.alive()) fill(listBox, errorBox(e));
	}
}
