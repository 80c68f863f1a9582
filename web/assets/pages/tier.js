// The national tier in the administration (#/admin/tier, docs/tier.md):
// on any server, its connection to an upstream (the report queue and the
// last sync of the upstream's databases, GET /api/v1/upstream); on an
// upstream, for administrators, the downstream servers that report to it
// (GET /api/v1/downstreams) and the credentials bound to a unit (issue:
// shown once with the [upstream] lines and the command to store it on the
// province's server; revoke after a confirmation).
import { h, fill, field, select } from '../dom.js';
import { t, num, dateTime } from '../i18n.js';
import { api, get } from '../api.js';
import { errorBox, table, unitName, unitOptions, loadUnits, badge, isAdmin, isProvinceWide, form } from '../ui.js';

const CRED_FILE = '/etc/raquet-server/upstream/credential';
const CA_FILE = '/etc/raquet-server/upstream/ca.crt';

const facts = (pairs) => h('dl.facts', null, pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '—')]));

// The upstream this server reports to, or a note that it has none.
async function upstreamPanel(route) {
	const up = await get('/api/v1/upstream');
	if (!route.alive()) return null;
	const box = h('section.panel', { id: 'upstream' }, h('h2', null, t('tier.upstream')));
	if (!up.configured) {
		box.append(h('p.notice', null, t('tier.no_upstream')));
		return box;
	}
	const status = up.last_status ? String(up.last_status) : '—';
	const db = up.databases || {};
	box.append(facts([
		[t('tier.url'), h('code', null, up.url)],
		[t('tier.queued'), up.queued ? t('tier.queued_n', { n: num(up.queued) }) : t('tier.queue_empty')],
		[t('tier.attempts'), num(up.attempts)],
		[t('tier.last_status'), up.last_status >= 200 && up.last_status < 300 ? badge(status, 'ok') : up.last_status ? badge(status, 'bad') : '—'],
		[t('tier.last_error'), up.last_error || '—'],
		[t('tier.last_sent'), dateTime(up.last_sent_at)],
		[t('tier.next_attempt'), dateTime(up.next_attempt)],
	]), h('h3', null, t('tier.databases')), db.configured ? facts([
		[t('tier.synced_at'), dateTime(db.synced_at)],
		[t('tier.published'), num(db.published)],
		[t('tier.last_error'), db.last_error || '—'],
	]) : h('p.notice', null, t('tier.no_db_sync')));
	return box;
}

function credState(c) {
	return badge(t(`tok.${c.state}`), c.state === 'active' ? 'ok' : 'muted');
}

// The lines the province's administrator runs and writes, for `cred`.
function provinceSetup(cred) {
	const url = location.protocol === 'https:' ? location.origin : 'https://SERVER:8443';
	const install = [
		'install -d -m 0750 -o raquet-server /etc/raquet-server/upstream',
		`install -m 0600 -o raquet-server /dev/stdin ${CRED_FILE} <<< '${cred.credential}'`,
		`install -m 0644 ca.crt ${CA_FILE}`,
	].join('\n');
	const conf = ['[upstream]', `url = ${url}`, `credential_file = ${CRED_FILE}`, `ca_file = ${CA_FILE}`, 'interval = 15m'].join('\n');
	return { install, conf, placeholder: location.protocol !== 'https:' };
}

async function downstreamPanels(box, route) {
	const units = await loadUnits(true);
	// a unit mirrored from a downstream cannot be given a credential here
	const bindable = units.filter((u) => !u.reported_by_downstream);
	const asked = Number(route.params.get('unit'));
	const unitId = bindable.some((u) => u.id === asked) ? asked : (bindable[0] && bindable[0].id);
	const [down, creds] = await Promise.all([
		get('/api/v1/downstreams'),
		unitId ? get(`/api/v1/units/${unitId}/downstream-credentials`) : { items: [] },
	]);
	if (!route.alive()) return;
	// each downstream's credentials (few: one province per bound unit)
	const credsOf = new Map(await Promise.all(down.items.map(async (d) =>
		[d.unit.id, (await get(`/api/v1/units/${d.unit.id}/downstream-credentials`)).items])));
	if (!route.alive()) return;
	const credSummary = (list) => {
		const active = list.filter((c) => c.state === 'active');
		if (!active.length) return badge(t('tier.no_active'), 'bad');
		const soonest = Math.min(...active.map((c) => c.expires_at));
		return [badge(t('tier.n_active', { n: num(active.length) }), 'ok'), ' ', t('tier.until', { at: dateTime(soonest) })];
	};
	const listBox = h('section.panel', { id: 'downstreams' }, h('h2', null, t('tier.downstreams')), table([
		{ key: 'unit', label: t('tier.bound_unit'), render: (d) => h('a', { href: `#/units/${d.unit.id}` }, `${d.unit.name} (${d.unit.code})`) },
		{ key: 'server', label: t('tier.server'), render: (d) => d.server || '—' },
		{ key: 'reported_at', label: t('tier.reported_col'), render: (d) => dateTime(d.reported_at) },
		{ key: 'snapshot_at', label: t('tier.snapshot_at'), render: (d) => dateTime(d.snapshot_at) },
		{ key: 'units', label: t('tier.units'), num: true, render: (d) => num(d.units) },
		{ key: 'sightings', label: t('tier.sightings'), num: true, render: (d) => num(d.sightings) },
		{ key: 'creds', label: t('tier.credentials'), render: (d) => credSummary(credsOf.get(d.unit.id) || []) },
	], down.items, { empty: t('tier.no_downstreams') }));
	if (!unitId) {
		fill(box, listBox, h('p.notice', null, t('adm.no_units')));
		return;
	}
	const unitSel = select(unitOptions(null).filter(([id]) => bindable.some((u) => u.id === id)), unitId,
		{ on: { change: (e) => route.go('admin/tier', { unit: e.target.value }) } });
	const credBox = h('section.panel', { id: 'credentials' });
	const drawCreds = (items) => fill(credBox, h('h2', null, t('tier.creds_of', { unit: unitName(unitId) })), table([
		{ key: 'label', label: t('adm.label'), render: (c) => c.label || '—' },
		{ key: 'created_at', label: t('task.created'), render: (c) => dateTime(c.created_at) },
		{ key: 'expires_at', label: t('adm.expires'), render: (c) => dateTime(c.expires_at) },
		{ key: 'last_used', label: t('tier.last_used'), render: (c) => dateTime(c.last_used) },
		{ key: 'state', label: t('ep.state'), render: credState },
		{ key: 'actions', label: t('common.actions'), render: (c) => (c.state === 'active'
			? h('button.small.danger', { type: 'button', on: { click: () => revoke(c) } }, t('adm.revoke')) : '—') },
	], items, { empty: t('common.none') }));
	const refresh = async () => drawCreds((await get(`/api/v1/units/${unitId}/downstream-credentials`)).items);
	async function revoke(c) {
		if (!window.confirm(t('tier.revoke_confirm', { label: c.label || `#${c.id}`, unit: unitName(unitId) }))) return;
		try {
			await api('DELETE', `/api/v1/downstream-credentials/${c.id}`);
			await refresh();
		} catch (e) {
			credBox.prepend(errorBox(e));
		}
	}
	drawCreds(creds.items);
	const label = h('input', { maxlength: 200 });
	const days = h('input', { type: 'number', min: 1, max: 1825, value: 365 });
	const issue = form([field(t('adm.label'), label), field(t('tier.expires_days'), days, t('tier.expires_hint'))], t('tier.issue'),
		() => api('POST', `/api/v1/units/${unitId}/downstream-credentials`,
			{ label: label.value.trim() || undefined, expires_in_days: Number(days.value) }),
		(cred, msg) => {
			const s = provinceSetup(cred);
			fill(msg, h('div.once', { role: 'alert' },
				h('p', null, h('strong', null, t('tier.cred_once'))),
				h('pre', null, h('code', { id: 'downstream-credential' }, cred.credential)),
				h('p', null, t('tier.cred_install')),
				h('pre', null, h('code.command', { id: 'downstream-install' }, s.install)),
				h('button', { type: 'button', on: { click: () => navigator.clipboard && navigator.clipboard.writeText(s.install) } }, t('adm.copy')),
				h('p', null, t('tier.cred_conf')),
				h('pre', null, h('code', { id: 'downstream-conf' }, s.conf)),
				h('p.hint', null, s.placeholder ? t('tier.cred_https') : t('tier.cred_ca'))));
			return refresh();
		});
	fill(box, listBox,
		h('div.filters', null, field(t('tier.bound_unit'), unitSel)),
		h('section.panel', { id: 'issue' }, h('h2', null, t('tier.new_cred', { unit: unitName(unitId) })), h('p.hint', null, t('tier.new_cred_hint')), issue),
		credBox);
}

export async function tierTab(box, route) {
	const parts = [];
	if (isProvinceWide()) parts.push(await upstreamPanel(route));
	if (!route.alive()) return;
	const down = h('div');
	if (isAdmin() && isProvinceWide()) parts.push(down);
	if (!parts.length) parts.push(h('p.notice', null, t('tier.province_only')));
	fill(box, parts);
	if (isAdmin() && isProvinceWide()) await downstreamPanels(down, route);
}
