// Reports to the national monitoring centre (#/ncsc): the submissions log
// (/api/v1/ncsc/submissions: each report's state, attempts, the centre's
// last answer), a "send now" button for administrators, and each signed
// document to view or download. Province-wide readers only (the server's
// rule: a report lists every machine of the province).
import { h, fill } from '../dom.js';
import { t, num, dateTime } from '../i18n.js';
import { api, get } from '../api.js';
import { loading, errorBox, title, table, pager, badge, isAdmin } from '../ui.js';

const LIMIT = 50;
const STATE_CLASS = { queued: 'warn', sent: 'ok', failed: 'bad' };

function docLinks(s) {
	const href = `/api/v1/ncsc/submissions/${s.id}/document`;
	return h('div.rowactions', null,
		h('a.button.small', { href, target: '_blank', rel: 'noopener', 'aria-label': `${t('ncsc.view')} #${s.id}` }, t('ncsc.view')),
		h('a.button.small', { href, download: `ncsc-${s.id}.xml`, 'aria-label': `${t('ncsc.download')} #${s.id}` }, t('ncsc.download')));
}

export async function render(main, route) {
	const offset = Number(route.params.get('offset')) || 0;
	const msg = h('div', { 'aria-live': 'polite' });
	const listBox = h('section.panel', { 'aria-live': 'polite' }, loading());
	const send = h('button.primary', { type: 'button', on: { click: sendNow } }, t('ncsc.send'));
	const again = h('button', { type: 'button', on: { click: () => refresh() } }, t('ncsc.refresh'));
	fill(main, title(t('ncsc.title'), isAdmin() ? send : null, again), h('p.hint', null, t('ncsc.lead')), msg, listBox);

	async function sendNow() {
		send.disabled = true;
		fill(msg, loading());
		try {
			const s = await api('POST', '/api/v1/ncsc/submissions');
			fill(msg, h('p.notice', null, t('ncsc.queued', { id: s.id })));
			await refresh();
			// the server's worker makes its first attempt within a second or two
			setTimeout(() => { if (route.alive()) refresh(); }, 2500);
		} catch (e) {
			fill(msg, e.code === 'not_configured'
				? h('div.notice.warn', { role: 'alert' }, h('strong', null, t('ncsc.not_configured')), ' ', t('ncsc.not_configured_how'))
				: errorBox(e));
		}
		send.disabled = false;
	}

	async function refresh() {
		try {
			const data = await get('/api/v1/ncsc/submissions', { limit: LIMIT, offset });
			if (!route.alive()) return;
			fill(listBox, h('h2', null, t('ncsc.log')), table([
				{ key: 'created_at', label: t('ncsc.time'), render: (s) => dateTime(s.report_time || s.created_at), cls: () => 'nowrap' },
				{ key: 'state', label: t('ep.state'), render: (s) => [badge(t(`ncsc.state_${s.state}`), STATE_CLASS[s.state]),
					s.state === 'queued' && s.next_attempt_at ? h('small.hint', null, ' ', t('ncsc.next', { at: dateTime(s.next_attempt_at) })) : null,
					s.state === 'sent' ? h('small.hint', null, ' ', dateTime(s.sent_at)) : null] },
				{ key: 'made_by', label: t('task.by'), render: (s) => (s.made_by === 'schedule' ? t('ncsc.by_schedule') : s.made_by) },
				{ key: 'attempts', label: t('ncsc.attempts'), num: true, render: (s) => num(s.attempts) },
				{ key: 'http_status', label: t('ncsc.http'), num: true, render: (s) => (s.http_status ? String(s.http_status) : '—') },
				{ key: 'size', label: t('ncsc.size'), num: true, render: (s) => num(s.size) },
				{ key: 'sha256', label: 'SHA-256', render: (s) => h('code.hash', { title: s.sha256 }, (s.sha256 || '').slice(0, 16) + '…') },
				{ key: 'last_error', label: t('ncsc.error'), render: (s) => [s.last_error || '—',
					s.response_excerpt ? h('pre.excerpt', { 'aria-label': t('ncsc.excerpt') }, s.response_excerpt) : null] },
				{ key: 'doc', label: t('ncsc.document'), render: docLinks },
			], data.items, { empty: t('ncsc.none'), rowHeader: false }),
			pager(data.total, LIMIT, offset, (o) => route.go('ncsc', { offset: o || '' })));
		} catch (e) {
			if (route.alive()) fill(listBox, errorBox(e));
		}
	}
	await refresh();
}
