// Reminders of the campaigns' deadlines: the panel of what the logged-in
// user should be reminded of (on the overview and the campaign pages:
// overdue and due-soon obligations of the units in their scope, the most
// overdue first, each with a link to the unit's checklist), and the log of
// reminder e-mails for administrators (#/admin/reminders), where a failed
// mail can be queued again. From
// /api/v1/reminders and /api/v1/reminders/mail.
import { h, fill, field, select } from '../dom.js';
import { t, num, dateTime, day } from '../i18n.js';
import { api, get } from '../api.js';
import { loading, errorBox, table, badge, pager } from '../ui.js';
import { daysLeft } from './campaigns.js';

function reminderItem(r) {
	if (r.deadline === 'department')
		return h('li', { class: `reminder ${r.state}` },
			daysLeft(r.days_left), ' ',
			h('a', { href: `#/campaigns/${r.campaign.id}` }, r.campaign.name), ' — ',
			t('rem.dept', { due: day(r.due), n: num(r.lagging_units), total: num(r.units) }));
	return h('li', { class: `reminder ${r.state}` },
		daysLeft(r.days_left), ' ',
		h('a', { href: `#/campaigns/${r.campaign.id}/units/${r.unit.id}` }, r.unit.name), ' — ',
		r.campaign.name, ' (', t('rem.due', { due: day(r.due) }), '): ',
		(r.pending || []).map((k) => t(`camp.item.${k}`)).join(', '));
}

// A panel listing the caller's reminders (of one campaign when `campaign`).
export function remindersPanel(route, campaign) {
	const box = h('section.panel.reminders', { 'aria-label': t('rem.title') }, h('h2', null, t('rem.title')), loading());
	(async () => {
		try {
			const data = await get('/api/v1/reminders', campaign ? { campaign } : {});
			if (!route.alive()) return;
			fill(box, h('h2', null, t('rem.title')), data.items.length
				? h('ul.reminders', null, data.items.map(reminderItem))
				: h('p.notice', null, t('rem.none')));
		} catch (e) {
			if (route.alive()) fill(box, h('h2', null, t('rem.title')), errorBox(e));
		}
	})();
	return box;
}

const MAIL_STATE = { queued: 'warn', sent: 'ok', failed: 'bad' };

// The log of reminder e-mails (administrators).
export async function mailLog(box, route) {
	const state = route.params.get('state') || '';
	const offset = Number(route.params.get('offset')) || 0;
	const limit = 50;
	const stateSel = select([['', t('rem.all_states')], ...['queued', 'sent', 'failed'].map((s) => [s, t(`rem.mail.${s}`)])],
		state, { on: { change: (e) => route.go('admin/reminders', { state: e.target.value }) } });
	async function retry(m) {
		try {
			await api('POST', `/api/v1/reminders/mail/${m.id}/retry`);
			route.go('admin/reminders', { state, offset, t: Date.now() });
		} catch (e) {
			box.prepend(errorBox(e));
		}
	}
	fill(box, loading());
	const data = await get('/api/v1/reminders/mail', { state, limit, offset });
	if (!route.alive()) return;
	fill(box, h('section.panel', null, h('h2', null, t('rem.mail_log')), h('p.hint', null, t('rem.mail_hint')),
		h('div.filters', null, field(t('ep.state'), stateSel)),
		table([
			{ key: 'created_at', label: t('rem.made'), render: (m) => dateTime(m.created_at) },
			{ key: 'recipient', label: t('rem.recipient'), render: (m) => [m.recipient, h('br'), h('small', null, m.user.login)] },
			{ key: 'subject', label: t('rem.subject'), render: (m) => [m.subject, h('br'),
				h('small', null, m.campaign.name, m.unit ? ` — ${m.unit.name}` : '')] },
			{ key: 'state', label: t('ep.state'), render: (m) => badge(t(`rem.mail.${m.state}`), MAIL_STATE[m.state] || 'muted') },
			{ key: 'sent_at', label: t('rem.sent_at'), render: (m) => dateTime(m.sent_at) },
			{ key: 'attempts', label: t('rem.attempts'), num: true, render: (m) => num(m.attempts) },
			{ key: 'last_error', label: t('rem.last_error'), render: (m) => (m.last_error
				? [m.smtp_status ? `${m.smtp_status} ` : '', m.last_error] : '—') },
			{ key: 'actions', label: t('common.actions'), render: (m) => (m.state === 'failed'
				? h('button.small', { type: 'button', on: { click: () => retry(m) } }, t('rem.retry')) : '—') },
		], data.items, { empty: t('rem.no_mail'), caption: t('rem.mail_log') }),
		pager(data.total, limit, offset, (o) => route.go('admin/reminders', { state, offset: o }))));
}
