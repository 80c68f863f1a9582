// Reports (#/reports): make a unit or province report for a period and
// language, list the reports made, download each as spreadsheet, PDF or
// CSV -- from /reports when the server has it.
import { h, fill, field, select } from '../dom.js';
import { t, date, dateTime, getLang } from '../i18n.js';
import { api, get } from '../api.js';
import { loading, errorBox, title, table, unitOptions, unavailable, unitName, session } from '../ui.js';

// Dates are typed dd/mm/yyyy (a date input would follow the browser's locale).
function parseDay(s) {
	const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s);
	if (!m) return null;
	const d = new Date(Number(m[3]), Number(m[2]) - 1, Number(m[1]));
	return d.getDate() === Number(m[1]) ? Math.floor(d.getTime() / 1000) : null;
}

export async function render(main, route) {
	const now = Math.floor(Date.now() / 1000);
	const kind = select([['unit', t('rep.kind_unit')], ['province', t('rep.kind_province')]], session.user.unit_id ? 'unit' : 'province');
	const unit = select(unitOptions(null), session.user.unit_id || '');
	const from = h('input', { value: date(now - 30 * 86400), required: true, pattern: '\\d{1,2}/\\d{1,2}/\\d{4}', placeholder: 'dd/mm/yyyy' });
	const to = h('input', { value: date(now), required: true, pattern: '\\d{1,2}/\\d{1,2}/\\d{4}', placeholder: 'dd/mm/yyyy' });
	const lang = select([['vi', 'Tiếng Việt'], ['en', 'English']], getLang());
	const msg = h('div', { 'aria-live': 'polite' });
	const listBox = h('section.panel', null, loading());
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
					fill(msg, err.status === 404 ? unavailable(t('nav.reports')) : errorBox(err));
				}
			},
		},
	}, field(t('rep.kind'), kind), field(t('filter.unit'), unit), field(t('rep.from'), from), field(t('rep.to'), to),
	field(t('rep.lang'), lang), h('div.actions', null, h('button.primary', { type: 'submit' }, t('rep.make'))));
	fill(main, title(t('rep.title')), form, msg, listBox);

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
				{ key: 'by', label: t('task.by'), render: (r) => (r.created_by && r.created_by.login) || r.created_by || '—' },
				{ key: 'files', label: t('rep.download'), render: (r) => h('div.rowactions', null, ['xlsx', 'pdf', 'csv'].map((f) =>
					h('a.button.small', { href: `/api/v1/reports/${r.id}/file?format=${f}`, download: '' }, f.toUpperCase()))) },
			], data.items || [], { empty: t('rep.none') }));
		} catch (e) {
			if (!route.alive()) return;
			fill(listBox, h('h2', null, t('rep.list')), e.status === 404 ? unavailable(t('nav.reports')) : errorBox(e));
		}
	}
	refresh();
}
