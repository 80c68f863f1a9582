// Reports (#/reports): make a unit or province report for a period and
// language, list the reports made, download each as spreadsheet, PDF or
// CSV (/api/v1/reports). The province's report is offered only to those
// who may make it (administrators); the unit picker shows only for a unit
// report, and an officer picks among its own subtree.
import { h, fill, field, select } from '../dom.js';
import { t, date, dateTime, getLang } from '../i18n.js';
import { api, get } from '../api.js';
import { loading, errorBox, title, table, unitOptions, unitName, session, isAdmin, parseDay } from '../ui.js';

export async function render(main, route) {
	const now = Math.floor(Date.now() / 1000);
	const kinds = [['unit', t('rep.kind_unit')]];
	if (isAdmin() && !session.user.unit_id) kinds.push(['province', t('rep.kind_province')]);
	const kind = select(kinds, kinds.length > 1 ? 'province' : 'unit');
	const unit = select(unitOptions(null), session.user.unit_id || '');
	const unitField = field(t('filter.unit'), unit);
	const showUnit = () => { unitField.hidden = kind.value !== 'unit'; };
	kind.addEventListener('change', showUnit);
	showUnit();
	const from = h('input', { value: date(now - 30 * 86400), required: true, pattern: '\\d{1,2}/\\d{1,2}/\\d{4}', placeholder: 'dd/mm/yyyy' });
	const to = h('input', { value: date(now), required: true, pattern: '\\d{1,2}/\\d{1,2}/\\d{4}', placeholder: 'dd/mm/yyyy' });
	const lang = select([['vi', 'Tiếng Việt'], ['en', 'English']], getLang());
	const msg = h('div', { 'aria-live': 'polite' });
	const listBox = h('section.panel', null, loading());
	const canMake = session.user.role !== 'viewer';
	const form = h('form.filters', {
		on: {
			submit: async (e) => {
				e.preventDefault();
				const f = parseDay(from.value), u = parseDay(to.value);
				if (f === null || u === null || u < f) {
					fill(msg, errorBox({ message: t('rep.bad_dates') }));
					return;
				}
				fill(msg, loading());
				try {
					const body = { kind: kind.value, from: f, to: u + 86400, lang: lang.value };
					if (kind.value === 'unit') body.unit = Number(unit.value);
					await api('POST', '/api/v1/reports', body);
					fill(msg, h('p.notice', null, t('rep.made')));
					refresh();
				} catch (err) {
					fill(msg, errorBox(err));
				}
			},
		},
	}, field(t('rep.kind'), kind), unitField, field(t('rep.from'), from), field(t('rep.to'), to),
	field(t('rep.lang'), lang), h('div.actions', null, h('button.primary', { type: 'submit' }, t('rep.make'))));
	fill(main, title(t('rep.title')), canMake ? form : null, msg, listBox);

	async function refresh() {
		try {
			const data = await get('/api/v1/reports', { limit: 50 });
			if (!route.alive()) return;
			fill(listBox, h('h2', null, t('rep.list')), table([
				{ key: 'created_at', label: t('rep.created'), render: (r) => dateTime(r.created_at) },
				{ key: 'kind', label: t('rep.kind'), render: (r) => t(`rep.kind_${r.kind}`) },
				{ key: 'unit', label: t('filter.unit'), render: (r) => (r.unit ? unitName(r.unit) : t('scope.province')) },
				{ key: 'period', label: t('filter.period'), render: (r) => `${date(r.from)} – ${date(r.to - 1)}` },
				{ key: 'lang', label: t('rep.lang'), render: (r) => (r.lang === 'en' ? 'English' : 'Tiếng Việt') },
				{ key: 'source', label: t('rep.source'), render: (r) => t(`rep.source_${r.source}`) },
				{ key: 'files', label: t('rep.download'), render: (r) => h('div.rowactions', null, ['xlsx', 'pdf', 'csv'].map((f) =>
					h('a.button.small', { href: `/api/v1/reports/${r.id}/file?format=${f}`, download: '',
						'aria-label': `${t('rep.download')} ${f.toUpperCase()} #${r.id}` }, f.toUpperCase()))) },
			], data.items || [], { empty: t('rep.none') }));
		} catch (e) {
			if (!route.alive()) return;
			fill(listBox, h('h2', null, t('rep.list')), errorBox(e));
		}
	}
	refresh();
}
