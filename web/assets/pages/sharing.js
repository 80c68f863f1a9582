// Sharing (#/sharing): what the province saw, for partners — a period
// (dd/mm/yyyy) and the STIX 2.1 bundle and MISP event downloads of
// /api/v1/sharing/*; the TAXII 2.1 discovery URL and API root with how a
// partner connects (TAXII takes an API token, so the page shows the URLs
// rather than calling them); and the caller's own API tokens (made here,
// shown once; revoked here). Administrators and province-wide viewers only.
import { h, fill, field } from '../dom.js';
import { t, date, dateTime } from '../i18n.js';
import { api, get, query } from '../api.js';
import { loading, errorBox, title, table, parseDay, isAdmin } from '../ui.js';

const MAX_DAYS = 367;

function periodForm(links) {
	const now = Math.floor(Date.now() / 1000);
	const dayInput = (v) => h('input', { value: date(v), required: true, pattern: '\\d{1,2}/\\d{1,2}/\\d{4}', placeholder: 'dd/mm/yyyy' });
	const from = dayInput(now - 30 * 86400);
	const to = dayInput(now);
	const msg = h('div', { 'aria-live': 'polite' });
	const update = () => {
		const f = parseDay(from.value), u = parseDay(to.value);
		const ok = f !== null && u !== null && u >= f && (u - f) / 86400 < MAX_DAYS;
		fill(msg, ok ? null : errorBox({ message: t('share.bad_dates') }));
		for (const [a, path] of links) {
			if (ok) a.setAttribute('href', `${path}${query({ from: f, to: u + 86400 })}`);
			else a.removeAttribute('href');
			a.setAttribute('aria-disabled', ok ? 'false' : 'true');
		}
	};
	from.addEventListener('input', update);
	to.addEventListener('input', update);
	update();
	return [h('form.filters', { on: { submit: (e) => e.preventDefault() } },
		field(t('rep.from'), from), field(t('rep.to'), to)), msg];
}

function taxiiPanel() {
	const root = `${location.origin}/taxii2/`;
	const example = `curl -u partner:rqt_… -H 'Accept: application/taxii+json;version=2.1' ${root}raquet/collections/`;
	return [h('h2', null, t('share.taxii')), h('p', null, t('share.taxii_lead')),
		h('dl.facts', null,
			h('dt', null, t('share.discovery')), h('dd', null, h('code.url', null, root)),
			h('dt', null, t('share.api_root')), h('dd', null, h('code.url', null, `${root}raquet/`)),
			h('dt', null, t('share.collection')), h('dd', null, t('share.collection_text'))),
		h('h3', null, t('share.connect')),
		h('ol.steps', null,
			h('li', null, t('share.step_user'), isAdmin() ? [' ', h('a', { href: '#/admin/users' }, t('share.users_link'))] : null),
			h('li', null, t('share.step_token')),
			h('li', null, t('share.step_client'))),
		h('pre.example', null, example)];
}

function tokensPanel(box, route) {
	const name = h('input', { name: 'name', required: true, maxlength: 100, placeholder: 'TAXII — NCSC' });
	const days = h('input', { name: 'expires_days', type: 'number', min: 1, max: 366, value: 365 });
	const msg = h('div', { 'aria-live': 'polite' });
	const listBox = h('div', null, loading());
	async function refresh() {
		try {
			const data = await get('/api/v1/api-tokens', { limit: 100 });
			if (!route.alive()) return;
			fill(listBox, table([
				{ key: 'name', label: t('share.token_name') },
				{ key: 'created_at', label: t('share.token_created'), render: (k) => dateTime(k.created_at) },
				{ key: 'expires_at', label: t('share.token_expires'), render: (k) => (k.expires_at ? date(k.expires_at) : t('share.never')) },
				{ key: 'last_used', label: t('share.token_used'), render: (k) => (k.last_used ? dateTime(k.last_used) : '—') },
				{ key: 'actions', label: t('common.actions'), render: (k) => (k.revoked ? t('share.revoked') : h('button.small', {
					type: 'button',
					on: {
						click: async (e) => {
							if (!window.confirm(t('share.revoke_confirm', { name: k.name }))) return;
							e.target.disabled = true;
							try { await api('DELETE', `/api/v1/api-tokens/${k.id}`); refresh(); } catch (err) { fill(msg, errorBox(err)); }
						},
					},
				}, t('share.revoke'))) },
			], data.items || [], { empty: t('share.no_tokens') }));
		} catch (e) {
			if (route.alive()) fill(listBox, errorBox(e));
		}
	}
	const form = h('form.filters', {
		on: {
			submit: async (e) => {
				e.preventDefault();
				try {
					const body = { name: name.value.trim() };
					if (days.value) body.expires_days = Number(days.value);
					const r = await api('POST', '/api/v1/api-tokens', body);
					fill(msg, h('div.once', { role: 'status' }, h('p', null, h('strong', null, t('share.token_once'))),
						h('pre', null, r.token)));
					name.value = '';
					refresh();
				} catch (err) {
					fill(msg, errorBox(err));
				}
			},
		},
	}, field(t('share.token_name'), name), field(t('share.token_days'), days),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('share.token_make'))));
	fill(box, h('h2', null, t('share.tokens')), h('p', null, t('share.tokens_lead')), form, msg, listBox);
	refresh();
}

export async function render(main, route) {
	const stix = h('a.button.primary', { download: '' }, t('share.stix'));
	const misp = h('a.button', { download: '' }, t('share.misp'));
	const tokensBox = h('section.panel', null);
	fill(main, title(t('share.title')), h('p.lead', null, t('share.lead')),
		h('section.panel', null, h('h2', null, t('share.downloads')), h('p', null, t('share.downloads_lead')),
			periodForm([[stix, '/api/v1/sharing/stix'], [misp, '/api/v1/sharing/misp']]),
			h('div.actionsbar', null, stix, misp)),
		h('section.panel', null, taxiiPanel()), tokensBox);
	tokensPanel(tokensBox, route);
}
