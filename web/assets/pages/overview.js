// Overview (#/overview?days=30&unit=ID): the coverage figures of the
// caller's scope (or a unit in it) -- protected, real-time, signature
// freshness, scanned and cleaned in the period, infected now -- and the
// trend of the last 90 days from /coverage/history, the reminders of the
// caller (overdue and due-soon obligations) and the days left to each
// deadline of the active campaigns.
import { h, fill, field, select } from '../dom.js';
import { t, num, pct, date, day } from '../i18n.js';
import { get } from '../api.js';
import { barChart, lineChart } from '../charts.js';
import { loading, errorBox, title, unitOptions, PERIODS, periodRange, reportedNote } from '../ui.js';
import { daysLeft } from './campaigns.js';
import { remindersPanel } from './reminders.js';

// Freshness buckets from the cumulative figures (at most 1, 3, 7, 15 days).
export function freshness(f) {
	return [
		{ key: 'le1', value: f.fresh_1d, cls: 'ok' },
		{ key: 'le3', value: f.fresh_3d - f.fresh_1d, cls: 'ok2' },
		{ key: 'le7', value: f.fresh_7d - f.fresh_3d, cls: 'warn' },
		{ key: 'le15', value: f.fresh_15d - f.fresh_7d, cls: 'warn2' },
		{ key: 'gt15', value: f.older_15d, cls: 'bad' },
		{ key: 'unknown', value: f.sig_unknown, cls: 'muted' },
	].map((b) => ({ ...b, label: t(`fresh.${b.key}`) }));
}

function card(label, value, sub, cls) {
	return h('div.card', { class: cls }, h('div.label', null, label), h('div.value', null, value), sub ? h('div.sub', null, sub) : null);
}

export async function render(main, route) {
	const days = Number(route.params.get('days')) || 30;
	const unit = route.params.get('unit') || '';
	const periodSel = select(PERIODS.map((d) => [d, t('period.last_days', { n: d })]), days, {
		on: { change: (e) => route.go('overview', { days: e.target.value, unit }) },
	});
	const unitSel = select(unitOptions(t('scope.all_mine')), unit, {
		on: { change: (e) => route.go('overview', { days, unit: e.target.value }) },
	});
	const body = h('div', null, loading());
	fill(main, title(t('overview.title'), field(t('filter.unit'), unitSel), field(t('filter.period'), periodSel)), body);
	const { from, to } = periodRange(days);
	let cov;
	try {
		cov = await get('/api/v1/coverage', { unit, from, to });
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	const f = cov.figures;
	const scopeName = cov.unit ? cov.unit.name : t('scope.province');
	const stale7 = f.endpoints - f.fresh_7d;
	fill(body,
		h('p.period', null, scopeName, ' — ', t('overview.period', { from: date(cov.from), to: date(cov.to - 1) })),
		reportedNote(cov.reported_by),
		h('section.cards', { 'aria-label': t('overview.figures') },
			card(t('fig.endpoints'), num(f.endpoints), f.declared ? t('fig.declared_sub', { n: num(f.declared) }) : null, 'plain'),
			card(t('fig.protected'), pct(f.reporting, f.endpoints), t('fig.of', { n: num(f.reporting), total: num(f.endpoints) }),
				f.endpoints && f.reporting === f.endpoints ? 'ok' : 'warn'),
			card(t('fig.realtime'), pct(f.realtime_on, f.endpoints), t('fig.of', { n: num(f.realtime_on), total: num(f.endpoints) }),
				f.endpoints && f.realtime_on === f.endpoints ? 'ok' : 'warn'),
			card(t('fig.stale7'), num(stale7), t('fig.stale7_sub'), stale7 > 0 ? 'bad' : 'ok'),
			card(t('fig.infected'), num(f.infected), t('fig.infected_sub'), f.infected > 0 ? 'bad' : 'ok'),
			card(t('fig.scanned'), num(f.scanned), t('fig.of', { n: pct(f.scanned, f.endpoints), total: num(f.endpoints) }), 'plain'),
			card(t('fig.cleaned'), num(f.files_cleaned), t('fig.found', { n: num(f.files_found) }), 'plain')),
		h('div.cols', null,
			h('section.panel', null, h('h2', null, t('overview.freshness')),
				barChart(freshness(f), t('overview.freshness'))),
			h('section.panel', { id: 'trend' }, h('h2', null, t('overview.trend')), loading())),
		remindersPanel(route),
		h('section.panel', { id: 'deadlines' }, h('h2', null, t('overview.deadlines')), loading()));
	deadlines(body.querySelector('#deadlines'), route);
	const trend = body.querySelector('#trend');
	try {
		const hist = await get('/api/v1/coverage/history', { unit, days: 90 });
		if (!route.alive()) return;
		const rows = hist.days || [];
		if (!rows.length) {
			fill(trend, h('h2', null, t('overview.trend')), h('p.notice', null, t('overview.no_history')));
			return;
		}
		const series = [
			['endpoints', 'fig.endpoints', 's1'], ['reporting', 'fig.protected', 's2'],
			['realtime_on', 'fig.realtime', 's3'], ['fresh_7d', 'fresh.le7', 's4'], ['infected', 'fig.infected', 's5'],
		].map(([k, label, cls]) => ({ label: t(label), cls, values: rows.map((r) => (r.figures && r.figures[k]) || 0) }));
		fill(trend, h('h2', null, t('overview.trend')), lineChart(rows.map((r) => r.day), series, t('overview.trend')));
	} catch (e) {
		if (!route.alive()) return;
		fill(trend, h('h2', null, t('overview.trend')), errorBox(e));
	}
}

// Days left to each deadline of the active campaigns covering the caller.
async function deadlines(box, route) {
	try {
		const data = await get('/api/v1/campaigns', { status: 'active' });
		if (!route.alive()) return;
		const items = data.items || [];
		fill(box, h('h2', null, t('overview.deadlines')), items.length
			? h('ul.deadlines', null, items.map((c) => h('li', null,
				h('a', { href: `#/campaigns/${c.id}` }, c.name), ': ',
				t('camp.unit_deadline'), ' ', day(c.unit_deadline), ' ', daysLeft(c.days_left.unit), ' · ',
				t('camp.dept_deadline'), ' ', day(c.dept_deadline), ' ', daysLeft(c.days_left.department))))
			: h('p.notice', null, t('camp.none_active')));
	} catch (e) {
		if (route.alive()) fill(box, h('h2', null, t('overview.deadlines')), errorBox(e));
	}
}
