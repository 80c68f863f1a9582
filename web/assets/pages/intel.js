// Threat intelligence (#/intel?type=&source=&q=&allowlisted=&offset=): the
// publish status of the indicators' daily database, the import of a file
// (IOC list, MISP event, YARA rules, MISP feed), the indicators (filters,
// paging, delete), their sources and the allow-list of confirmed false
// positives, the TAXII collections pulled (their last pull and error, a
// "pull now" button), from /api/v1/intel/*. Everyone reads; only
// administrators get the forms and buttons (the server refuses the others).
import { h, fill, field, select } from '../dom.js';
import { t, num, dateTime } from '../i18n.js';
import { api, get } from '../api.js';
import { loading, errorBox, title, table, pager, badge, isAdmin } from '../ui.js';

const LIMIT = 50;
const KINDS = ['ioc-list', 'misp-event', 'yara', 'misp-feed'];
const TYPES = ['md5', 'sha1', 'sha256', 'ipv4', 'ipv6', 'domain', 'yara'];
const HASH_TYPES = { 32: 'md5', 40: 'sha1', 64: 'sha256' };

// A hash typed or pasted -> { type, value } of the allow-list call, or null.
export function hashKind(s) {
	const v = (s || '').trim().toLowerCase();
	return /^[0-9a-f]+$/.test(v) && HASH_TYPES[v.length] ? { type: HASH_TYPES[v.length], value: v } : null;
}

// Allow-list a hash after the user confirms -> the API's answer, or null
// when the user declined. Shared with the detections' sample page.
export async function allowlist(sha256, name) {
	if (!window.confirm(t('intel.allow_confirm', { hash: sha256 }))) return null;
	return api('POST', '/api/v1/intel/allowlist', { sha256, name: name || '' });
}

function statusPanel(box, s) {
	const facts = [
		[t('intel.publishing'), s.publishing ? badge(t('intel.on'), 'ok') : badge(t('intel.off'), 'warn')],
		[t('intel.database'), s.database || '—'],
		[t('intel.pending'), !s.pending ? badge(t('intel.pending_no'), 'ok')
			: badge(t(s.publishing ? 'intel.pending_yes' : 'intel.pending_kept'), s.publishing ? 'info' : 'warn')],
		[t('intel.published_version'), s.published_version ? num(s.published_version) : '—'],
		[t('intel.published_at'), s.published_at ? dateTime(s.published_at) : '—'],
		[t('intel.changed_at'), s.changed_at ? dateTime(s.changed_at) : '—'],
		[t('intel.last_error'), s.last_error ? h('span.bad', null, s.last_error) : '—'],
	];
	fill(box, h('h2', null, t('intel.status')),
		h('dl.facts', null, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
		s.publishing ? null : h('p.notice.warn', null, t('intel.not_publishing')));
}

function importForm(onDone) {
	const kind = select(KINDS.map((k) => [k, t(`intel.kind_${k}`)]), 'ioc-list', { name: 'kind' });
	const source = h('input', { name: 'source', maxlength: 200 });
	const confidence = h('input', { name: 'confidence', type: 'number', min: 0, max: 100, placeholder: '0–100' });
	const expires = h('input', { name: 'expires_days', type: 'number', min: 1, max: 3650 });
	const file = h('input', { name: 'file', type: 'file' });
	const location = h('input', { name: 'location', placeholder: '/media/usb/feed · https://…' });
	const fileField = field(t('intel.file'), file);
	const locField = field(t('intel.location'), location, t('intel.location_hint'));
	const msg = h('div.importresult', { 'aria-live': 'polite' });
	const submit = h('button.primary', { type: 'submit' }, t('intel.import'));
	const feed = () => kind.value === 'misp-feed';
	const show = () => { fileField.hidden = feed(); locField.hidden = !feed(); };
	kind.addEventListener('change', show);
	show();
	const form = h('form.filters.importform', {
		on: {
			submit: async (e) => {
				e.preventDefault();
				const f = file.files && file.files[0];
				if (!feed() && !f) { fill(msg, errorBox({ message: t('intel.no_file') })); return; }
				const params = new URLSearchParams({ kind: kind.value });
				if (f && !feed()) params.set('name', f.name);
				if (source.value.trim()) params.set('source', source.value.trim());
				if (confidence.value !== '') params.set('confidence', confidence.value);
				if (expires.value !== '') params.set('expires_days', expires.value);
				if (feed()) params.set('location', location.value.trim());
				submit.disabled = true;
				fill(msg, loading());
				try {
					const r = await api('POST', `/api/v1/intel/imports?${params}`, feed() ? new Blob([]) : f);
					fill(msg, h('p.notice', { role: 'status' }, t('intel.imported', {
						n: num(r.indicators), created: num(r.created), updated: num(r.updated),
						skipped: num(r.events_skipped || 0),
					})));
					onDone();
				} catch (err) {
					// the reason names the file and its bad lines, one per line when many
					fill(msg, h('div.error', { role: 'alert' }, h('strong', null, t('intel.import_failed')),
						h('pre.reason', null, err.message)));
				} finally {
					submit.disabled = false;
				}
			},
		},
	}, field(t('intel.kind'), kind), fileField, locField, field(t('intel.source'), source, t('intel.source_hint')),
	field(t('intel.confidence'), confidence), field(t('intel.expires_days'), expires, t('intel.expires_hint')),
	h('div.actions', null, submit));
	return [h('h2', null, t('intel.import_title')), form, msg];
}

function filterForm(route, p, sources) {
	const type = select([['', t('filter.any')], ...TYPES.map((x) => [x, x])], p.type, { name: 'type' });
	const source = select([['', t('filter.any')], ...sources.map((s) => [s.name, s.name])], p.source, { name: 'source' });
	const q = h('input', { type: 'search', name: 'q', value: p.q });
	const allow = select([['', t('filter.any')], ['true', t('intel.allowlisted')], ['false', t('intel.not_allowlisted')]], p.allowlisted, { name: 'allowlisted' });
	return h('form.filters', {
		role: 'search',
		on: {
			submit: (e) => {
				e.preventDefault();
				route.go('intel', { type: type.value, source: source.value, q: q.value.trim(), allowlisted: allow.value });
			},
		},
	}, field(t('intel.type'), type), field(t('intel.source'), source), field(t('intel.search'), q),
	field(t('intel.allowlist'), allow),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('common.apply')),
		h('button', { type: 'button', on: { click: () => route.go('intel') } }, t('common.reset'))));
}

const valueCell = (i) => h('code.hash', { title: i.value }, i.value);
// a source's kind in words (a kind a newer server adds: as it is)
const kindText = (k) => (KINDS.includes(k) || k === 'local' ? t(`intel.kind_${k}`) : k);

function allowlistForm(onDone) {
	const hash = h('input', { name: 'hash', required: true, placeholder: 'SHA-256 / SHA-1 / MD5', size: 66 });
	const reason = h('input', { name: 'reason', required: true, maxlength: 200 });
	const msg = h('div', { 'aria-live': 'polite' });
	return [h('form.filters', {
		on: {
			submit: async (e) => {
				e.preventDefault();
				const k = hashKind(hash.value);
				if (!k) { fill(msg, errorBox({ message: t('intel.bad_hash') })); return; }
				try {
					await api('POST', '/api/v1/intel/allowlist', { [k.type]: k.value, name: reason.value.trim() });
					fill(msg, h('p.notice', { role: 'status' }, t('intel.allowed', { hash: k.value })));
					hash.value = '';
					reason.value = '';
					onDone();
				} catch (err) {
					fill(msg, errorBox(err));
				}
			},
		},
	}, field(t('intel.hash'), hash), field(t('intel.reason'), reason, t('intel.reason_hint')),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('intel.allow_add')))), msg];
}

export async function render(main, route) {
	const p = Object.fromEntries(['type', 'source', 'q', 'allowlisted', 'offset'].map((k) => [k, route.params.get(k) || '']));
	const offset = Number(p.offset) || 0;
	const admin = isAdmin();
	const statusBox = h('section.panel.intelstatus', null, h('h2', null, t('intel.status')), loading());
	const importBox = admin ? h('section.panel', null) : null;
	const listBox = h('section.panel', { 'aria-live': 'polite' }, h('h2', null, t('intel.indicators')), loading());
	const allowBox = h('section.panel', null, h('h2', null, t('intel.allowlist')), loading());
	const sourcesBox = h('section.panel', null, h('h2', null, t('intel.sources')), loading());
	const taxiiBox = h('section.panel.taxiipulls', { 'aria-live': 'polite' }, h('h2', null, t('intel.taxii_title')), loading());
	fill(main, title(t('intel.title')), h('p.lead', null, t('intel.lead')),
		admin ? null : h('p.notice', null, t('intel.read_only')),
		statusBox, importBox, listBox, allowBox, taxiiBox, sourcesBox);

	const fail = (box, head, e) => { if (route.alive()) fill(box, h('h2', null, head), errorBox(e)); };
	async function drawStatus() {
		try {
			const s = await get('/api/v1/intel/status');
			if (route.alive()) statusPanel(statusBox, s);
		} catch (e) { fail(statusBox, t('intel.status'), e); }
	}
	function removeButton(label, path, what) {
		return h('button.small', {
			type: 'button',
			'aria-label': `${label} ${what}`,
			on: {
				click: async (e) => {
					if (!window.confirm(`${label}: ${what}?`)) return;
					e.target.disabled = true;
					try { await api('DELETE', path); refreshAll(); } catch (err) { e.target.replaceWith(errorBox(err)); }
				},
			},
		}, label);
	}
	let sources = [];
	async function drawSources() {
		try {
			const data = await get('/api/v1/intel/sources');
			sources = data.items || [];
			if (!route.alive()) return;
			fill(sourcesBox, h('h2', null, t('intel.sources')), table([
				{ key: 'name', label: t('intel.source') },
				{ key: 'kind', label: t('intel.kind'), render: (s) => kindText(s.kind) },
				{ key: 'location', label: t('intel.location'), render: (s) => (s.location ? h('code', null, s.location) : '—') },
				{ key: 'indicators', label: t('intel.indicators'), num: true, render: (s) => num(s.indicators) },
				{ key: 'created_at', label: t('intel.created_at'), render: (s) => dateTime(s.created_at) },
				{ key: 'last_import', label: t('intel.last_import'), render: (s) => dateTime(s.last_import) },
			], sources, { localSort: true, rowHeader: true, empty: t('intel.no_sources') }));
		} catch (e) { fail(sourcesBox, t('intel.sources'), e); }
	}
	async function drawList() {
		try {
			const data = await get('/api/v1/intel/indicators', {
				type: p.type, source: p.source, q: p.q, allowlisted: p.allowlisted, limit: LIMIT, offset,
			});
			if (!route.alive()) return;
			const rows = data.items || [];
			const buttons = new Map();
			if (admin) for (const i of rows) buttons.set(i.id, removeButton(t('intel.delete'), `/api/v1/intel/indicators/${i.id}`, i.value));
			fill(listBox, h('h2', null, t('intel.indicators')), filterForm(route, p, sources), table([
				{ key: 'type', label: t('intel.type') },
				{ key: 'value', label: t('intel.value'), render: valueCell },
				{ key: 'name', label: t('intel.name'), render: (i) => i.name || '—' },
				{ key: 'confidence', label: t('intel.confidence'), num: true, render: (i) => num(i.confidence) },
				{ key: 'sources', label: t('intel.sources'), render: (i) => (i.sources || []).join(', ') || '—' },
				{ key: 'allowlisted', label: t('intel.allowlist'), render: (i) => (i.allowlisted ? badge(t('intel.allowlisted'), 'ok') : '') },
				{ key: 'imported_at', label: t('intel.imported_at'), render: (i) => dateTime(i.imported_at) },
				{ key: 'expires_at', label: t('intel.expires_at'), render: (i) => (i.expired ? badge(t('intel.expired'), 'warn')
					: i.expires_at ? dateTime(i.expires_at) : '—') },
				admin ? { key: 'actions', label: t('common.actions'), render: (i) => buttons.get(i.id) } : null,
			].filter(Boolean), rows, { empty: t('intel.no_indicators'), caption: t('intel.caption', { n: num(data.total) }) }),
			pager(data.total, LIMIT, offset, (o) => route.go('intel', { ...p, offset: o || '' })));
		} catch (e) { fail(listBox, t('intel.indicators'), e); }
	}
	async function drawAllowlist() {
		try {
			const data = await get('/api/v1/intel/indicators', { allowlisted: 'true', limit: 500 });
			if (!route.alive()) return;
			const rows = data.items || [];
			const buttons = new Map();
			if (admin) for (const i of rows) buttons.set(i.id, removeButton(t('intel.allow_remove'), `/api/v1/intel/allowlist/${i.id}`, i.value));
			fill(allowBox, h('h2', null, t('intel.allowlist')), h('p', null, t('intel.allowlist_lead')),
				admin ? allowlistForm(refreshAll) : null, table([
					{ key: 'type', label: t('intel.type') },
					{ key: 'value', label: t('intel.value'), render: valueCell },
					{ key: 'name', label: t('intel.reason'), render: (i) => i.name || '—' },
					{ key: 'imported_at', label: t('intel.allowed_at'), render: (i) => dateTime(i.imported_at) },
					admin ? { key: 'actions', label: t('common.actions'), render: (i) => buttons.get(i.id) } : null,
				].filter(Boolean), rows, { empty: t('intel.no_allowlist'), caption: t('intel.allow_caption', { n: num(data.total) }) }));
		} catch (e) { fail(allowBox, t('intel.allowlist'), e); }
	}
	function pullButton(src) {
		return h('button.small', {
			type: 'button',
			'aria-label': `${t('intel.pull_now')} ${src.name}`,
			disabled: !src.enabled || src.state.running || src.state.pending,
			on: {
				click: async (e) => {
					e.target.disabled = true;
					try {
						await api('POST', `/api/v1/intel/taxii-pulls/${encodeURIComponent(src.name)}/pull`);
						setTimeout(() => { if (route.alive()) drawTaxii(); }, 1500);
					} catch (err) { e.target.replaceWith(errorBox(err)); }
				},
			},
		}, t('intel.pull_now'));
	}
	function pullState(s) {
		if (s.running) return badge(t('intel.pull_running'), 'info');
		if (s.pending) return badge(t('intel.pull_pending'), 'info');
		if (s.last_error) return h('span.bad', null, s.last_error);
		return s.last_success ? badge(t('intel.pull_ok'), 'ok') : '—';
	}
	async function drawTaxii() {
		try {
			const data = await get('/api/v1/intel/taxii-pulls');
			if (!route.alive()) return;
			const rows = data.items || [];
			fill(taxiiBox, h('h2', null, t('intel.taxii_title')), h('p', null, t('intel.taxii_lead')), table([
				{ key: 'name', label: t('intel.source') },
				{ key: 'url', label: t('intel.taxii_url'), render: (x) => h('code', null, `${x.url} · ${x.collection}`) },
				{ key: 'enabled', label: t('intel.taxii_enabled'), render: (x) => (x.enabled ? badge(t('intel.on'), 'ok') : badge(t('intel.off'), 'warn')) },
				{ key: 'last_success', label: t('intel.taxii_last_success'), render: (x) => dateTime(x.state.last_success) },
				{ key: 'state', label: t('intel.taxii_state'), render: (x) => pullState(x.state) },
				{ key: 'run', label: t('intel.taxii_last_run'), render: (x) => t('intel.taxii_run', {
					pages: num(x.state.run_pages), objects: num(x.state.run_objects), n: num(x.state.run_indicators) }) },
				{ key: 'failures', label: t('intel.taxii_failures'), num: true, render: (x) => num(x.state.failures) },
				admin ? { key: 'actions', label: t('common.actions'), render: pullButton } : null,
			].filter(Boolean), rows, { rowHeader: true, empty: t('intel.taxii_none') }));
		} catch (e) { fail(taxiiBox, t('intel.taxii_title'), e); }
	}
	async function refreshAll() {
		await drawSources();
		await Promise.all([drawStatus(), drawList(), drawAllowlist(), drawTaxii()]);
	}
	if (importBox) fill(importBox, importForm(refreshAll));
	await refreshAll();
}
