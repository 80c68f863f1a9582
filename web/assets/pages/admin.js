// Administration (#/admin/units|users|tokens|policy|reminders|tier): units
// (create, edit), users, their roles and e-mail addresses, the reminder
// e-mails sent (administrators), enrollment tokens (the token is shown once,
// with the command to enroll a machine), each unit's policy (own values and
// what it inherits), and the national tier (pages/tier.js). What a role
// may change is decided by the server; the page offers the forms the role
// can use and shows the server's refusal.
import { h, fill, field, select } from '../dom.js';
import { t, num, date, dateTime } from '../i18n.js';
import { api, get } from '../api.js';
import { loading, errorBox, title, table, unitOptions, unitName, session, loadUnits, badge, isAdmin, canOperate, isProvinceWide, form } from '../ui.js';
import { mailLog } from './reminders.js';
import { tierTab } from './tier.js';

const TABS = ['units', 'users', 'tokens', 'policy', 'reminders', 'tier'];
// the reminder e-mails: administrators; the tier tab: province-wide users
// (GET /api/v1/upstream is theirs)
const shownTabs = () => TABS.filter((k) => (k !== 'reminders' || isAdmin()) && (k !== 'tier' || isProvinceWide()));

function tabs(current) {
	return h('nav.tabs', { 'aria-label': t('nav.admin') }, h('ul', null, shownTabs().map((k) =>
		h('li', null, h('a', { href: `#/admin/${k}`, 'aria-current': current === k ? 'page' : null }, t(`adm.${k}`))))));
}

async function unitsTab(box, route) {
	const units = await loadUnits(true);
	if (!route.alive()) return;
	const editing = session.unitById.get(Number(route.params.get('edit')));
	const name = h('input', { value: editing ? editing.name : '', required: true, maxlength: 600 });
	const code = h('input', { value: editing ? editing.code : '', required: true, maxlength: 64, pattern: '[A-Za-z0-9._-]+' });
	const contact = h('input', { value: editing ? editing.contact || '' : '' });
	const parent = select([['', t('adm.top_level')], ...unitOptions(null).filter(([id]) => !editing || id !== editing.id)],
		editing ? editing.parent_id || '' : '');
	const admin = isAdmin();
	fill(box,
		admin ? h('section.panel', null, h('h2', null, editing ? t('adm.edit_unit', { name: editing.name }) : t('adm.new_unit')),
			form([field(t('adm.unit_name'), name), field(t('adm.unit_code'), code), field(t('adm.contact'), contact), field(t('adm.parent'), parent)],
				editing ? t('common.save') : t('common.create'),
				() => {
					const body = { name: name.value.trim(), code: code.value.trim(), contact: contact.value.trim(),
						parent_id: parent.value ? Number(parent.value) : null };
					return editing ? api('PATCH', `/api/v1/units/${editing.id}`, body) : api('POST', '/api/v1/units', body);
				},
				async () => { await loadUnits(true); route.go('admin/units'); }),
			editing ? h('p', null, h('a', { href: '#/admin/units' }, t('common.cancel'))) : null) : null,
		h('section.panel', null, h('h2', null, t('adm.units')), table([
			{ key: 'name', label: t('adm.unit_name'), render: (u) => [`${'\u00a0\u00a0'.repeat(u.depth || 0)}`, h('a', { href: `#/units/${u.id}` }, u.name)] },
			{ key: 'code', label: t('adm.unit_code') },
			{ key: 'parent', label: t('adm.parent'), render: (u) => (u.parent_id ? unitName(u.parent_id) : '—') },
			{ key: 'endpoint_count', label: t('fig.endpoints'), num: true, render: (u) => num(u.endpoint_count) },
			{ key: 'contact', label: t('adm.contact'), render: (u) => u.contact || '—' },
			admin ? { key: 'actions', label: t('common.actions'), render: (u) => h('a.button.small', { href: `#/admin/units?edit=${u.id}` }, t('common.edit')) } : null,
		].filter(Boolean), units, { empty: t('common.none') })));
}

async function usersTab(box, route) {
	if (!canOperate()) {
		fill(box, h('p.notice', null, t('adm.viewer_no_users')));
		return;
	}
	const data = await get('/api/v1/users', { limit: 500 });
	if (!route.alive()) return;
	const roles = isAdmin() ? ['admin', 'officer', 'viewer'] : ['officer', 'viewer'];
	const login = h('input', { required: true, autocomplete: 'off' });
	const display = h('input');
	const email = h('input', { type: 'email', maxlength: 254, autocomplete: 'off' });
	const role = select(roles.map((r) => [r, t(`role.${r}`)]), 'viewer');
	const unit = select(isAdmin() ? [['', t('scope.province')], ...unitOptions(null)] : unitOptions(null), session.user.unit_id || '');
	const password = h('input', { type: 'password', required: true, minlength: 10, autocomplete: 'new-password' });
	const patch = async (u, body) => {
		try {
			await api('PATCH', `/api/v1/users/${u.id}`, body);
			route.go('admin/users', { t: Date.now() });
		} catch (e) {
			box.prepend(errorBox(e));
		}
	};
	fill(box,
		h('section.panel', null, h('h2', null, t('adm.new_user')),
			form([field(t('login.login'), login), field(t('adm.display_name'), display),
				field(t('adm.email'), email, t('adm.email_hint')), field(t('adm.role'), role),
				field(t('filter.unit'), unit), field(t('login.password'), password, t('adm.password_hint'))],
			t('common.create'),
			() => api('POST', '/api/v1/users', { login: login.value.trim(), display_name: display.value.trim(),
				email: email.value.trim(), role: role.value,
				unit_id: unit.value ? Number(unit.value) : null, password: password.value }),
			() => route.go('admin/users', { t: Date.now() }))),
		h('section.panel', null, h('h2', null, t('adm.users')), table([
			{ key: 'login', label: t('login.login') },
			{ key: 'display_name', label: t('adm.display_name'), render: (u) => u.display_name || '—' },
			{ key: 'email', label: t('adm.email'), render: (u) => h('input.email', {
				type: 'email', value: u.email || '', maxlength: 254, 'aria-label': t('adm.email_of', { login: u.login }),
				on: { change: (e) => patch(u, { email: e.target.value.trim() }) },
			}) },
			{ key: 'role', label: t('adm.role'), render: (u) => (u.id === session.user.id ? t(`role.${u.role}`)
				: select(roles.includes(u.role) ? roles.map((r) => [r, t(`role.${r}`)]) : [[u.role, t(`role.${u.role}`)]], u.role, {
					'aria-label': t('adm.role_of', { login: u.login }),
					on: { change: (e) => patch(u, { role: e.target.value }) },
				})) },
			{ key: 'unit', label: t('filter.unit'), render: (u) => (u.unit_id ? unitName(u.unit_id) : t('scope.province')) },
			{ key: 'last_login', label: t('adm.last_login'), render: (u) => dateTime(u.last_login) },
			{ key: 'state', label: t('ep.state'), render: (u) => (u.disabled ? badge(t('adm.disabled'), 'muted') : badge(t('adm.enabled'), 'ok')) },
			{ key: 'actions', label: t('common.actions'), render: (u) => (u.id === session.user.id ? '—'
				: h('button.small', { type: 'button', on: { click: () => patch(u, { disabled: !u.disabled }) } },
					u.disabled ? t('adm.enable') : t('adm.disable'))) },
		], data.items, { empty: t('common.none') })));
}

export function enrollCommand(tok) {
	const url = tok.server_url || 'https://SERVER:8443';
	return `raquet agent enroll --server ${url} --token ${tok.token}${url.startsWith('https:') ? ' --ca ca.crt' : ''}`;
}

async function tokensTab(box, route) {
	const unitId = route.params.get('unit') || session.user.unit_id || (session.units[0] && session.units[0].id) || '';
	const unitSel = select(unitOptions(null), unitId, { on: { change: (e) => route.go('admin/tokens', { unit: e.target.value }) } });
	if (!unitId) {
		fill(box, h('p.notice', null, t('adm.no_units')));
		return;
	}
	const listBox = h('section.panel');
	const drawList = (data) => fill(listBox, h('h2', null, t('adm.tokens')), table([
		{ key: 'label', label: t('adm.label'), render: (x) => x.label || '—' },
		{ key: 'created_at', label: t('task.created'), render: (x) => date(x.created_at) },
		{ key: 'expires_at', label: t('adm.expires'), render: (x) => date(x.expires_at) },
		{ key: 'uses', label: t('adm.uses'), num: true, render: (x) => `${num(x.uses)} / ${num(x.max_uses)}` },
		{ key: 'state', label: t('ep.state'), render: (x) => badge(t(`tok.${x.state}`), x.state === 'active' ? 'ok' : 'muted') },
		canOperate() ? { key: 'actions', label: t('common.actions'), render: (x) => (x.state === 'active'
			? h('button.small.danger', { type: 'button', on: { click: () => revoke(x) } }, t('adm.revoke')) : '—') } : null,
	].filter(Boolean), data.items, { empty: t('common.none') }));
	const refresh = async () => drawList(await get(`/api/v1/units/${unitId}/enrollment-tokens`, { limit: 100 }));
	const data = await get(`/api/v1/units/${unitId}/enrollment-tokens`, { limit: 100 });
	if (!route.alive()) return;
	drawList(data);
	const label = h('input', { maxlength: 200 });
	const days = h('input', { type: 'number', min: 1, max: 366, value: 7 });
	const uses = h('input', { type: 'number', min: 1, max: 100000, value: 1 });
	async function revoke(tok) {
		try {
			await api('DELETE', `/api/v1/enrollment-tokens/${tok.id}`);
			await refresh();
		} catch (e) {
			box.prepend(errorBox(e));
		}
	}
	fill(box,
		h('div.filters', null, field(t('filter.unit'), unitSel)),
		canOperate() ? h('section.panel', null, h('h2', null, t('adm.new_token', { unit: unitName(unitId) })),
			form([field(t('adm.label'), label), field(t('adm.expires_days'), days), field(t('adm.max_uses'), uses)], t('common.create'),
				() => api('POST', `/api/v1/units/${unitId}/enrollment-tokens`, {
					label: label.value.trim() || undefined, expires_in_days: Number(days.value), max_uses: Number(uses.value),
				}),
				(tok, msg) => {
					const cmd = enrollCommand(tok);
					const code = h('code.command', { id: 'enroll-command' }, cmd);
					fill(msg, h('div.once', { role: 'alert' },
						h('p', null, h('strong', null, t('adm.token_once'))),
						h('pre', null, code),
						h('button', { type: 'button', on: { click: () => navigator.clipboard && navigator.clipboard.writeText(cmd) } }, t('adm.copy')),
						cmd.includes(' --ca ') ? h('p.hint', null, t('adm.token_ca')) : null));
					return refresh();
				})) : null,
		listBox);
}

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

// {"quick": {...}, "full": {...}} -> "Quét nhanh: hằng ngày lúc 12:00; ..."
function scheduleText(v) {
	const one = (kind) => {
		const s = v[kind];
		if (!s) return `${t(`pol.sched_${kind}`)}: ${t('pol.sched_none')}`;
		const when = s.every === 'day' ? t('pol.every_day')
			: s.every === 'week' ? `${t('pol.every_week')}, ${t(`pol.wd_${s.day}`)}` : `${t('pol.every_month')}, ${t('pol.on_day', { d: s.day })}`;
		return `${t(`pol.sched_${kind}`)}: ${when} ${t('pol.at')} ${s.time}`;
	};
	return `${one('quick')}; ${one('full')}`;
}

/*
 * The scan schedule as a form (the policy's shape: a quick scan every day or
 * week, a full scan every week or month, each at a time HH:MM; a schedule
 * left out is not run). value() -> the object, null to inherit, or throws
 * the reason a time is wrong; the server checks everything again and the
 * form shows its reason (e.g. a day of the month after 28).
 */
function scheduleForm(own) {
	const mode = select([['', t('pol.inherit')], ['own', t('pol.sched_set')]], own ? 'own' : '');
	const part = (kind, everies) => {
		const cur = (own && own[kind]) || null;
		const every = select([['', t('pol.sched_none')], ...everies.map((e) => [e, t(`pol.every_${e}`)])], cur ? cur.every : '');
		const wday = select(WEEKDAYS.map((d) => [d, t(`pol.wd_${d}`)]), cur && cur.every === 'week' ? cur.day : 'fri');
		// the day of the month is checked by the server (its reason names the field)
		const mday = h('input', { type: 'number', inputmode: 'numeric', value: cur && cur.every === 'month' ? cur.day : 1 });
		const time = h('input', { value: cur ? cur.time : (kind === 'quick' ? '12:00' : '15:00'), placeholder: 'HH:MM', maxlength: 5, size: 6 });
		const wField = field(t('pol.weekday'), wday), mField = field(t('pol.month_day'), mday), tField = field(t('pol.time'), time);
		const sync = () => {
			wField.hidden = every.value !== 'week';
			mField.hidden = every.value !== 'month';
			tField.hidden = !every.value;
		};
		every.addEventListener('change', sync);
		sync();
		const box = h('fieldset.schedule', null, h('legend', null, t(`pol.sched_${kind}`)), field(t('pol.every'), every), wField, mField, tField);
		const value = () => {
			if (!every.value) return null;
			if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(time.value.trim())) throw new Error(t('pol.bad_time', { what: t(`pol.sched_${kind}`) }));
			const out = { every: every.value, time: time.value.trim() };
			if (every.value === 'week') out.day = wday.value;
			if (every.value === 'month') out.day = Number(mday.value);
			return out;
		};
		return { box, value };
	};
	const quick = part('quick', ['day', 'week']), full = part('full', ['week', 'month']);
	const parts = h('div.schedparts', null, quick.box, full.box);
	const sync = () => { parts.hidden = mode.value !== 'own'; };
	mode.addEventListener('change', sync);
	sync();
	const node = h('div.schedform', null, field(t('pol.scan_schedule'), mode), parts);
	return {
		node,
		value: () => {
			if (mode.value !== 'own') return null;
			const out = {}, q = quick.value(), f = full.value();
			if (q) out.quick = q;
			if (f) out.full = f;
			return out;
		},
	};
}

const POLICY_FIELDS = ['scan_schedule', 'action_on_detection', 'exclusions', 'realtime', 'update_interval_minutes', 'heartbeat_interval_seconds'];

function showValue(v, k) {
	if (v === undefined || v === null) return '—';
	if (k === 'action_on_detection') return t(`pol.act_${v}`);
	if (k === 'exclusions' && Array.isArray(v)) return v.length ? h('code', null, v.join('  ')) : '—';
	if (typeof v === 'boolean') return v ? t('ep.rt_on') : t('ep.rt_off');
	if (k === 'scan_schedule' && typeof v === 'object') return scheduleText(v);
	if (typeof v === 'object') return h('code', null, JSON.stringify(v));
	return String(v);
}

async function policyTab(box, route) {
	const unitId = route.params.get('unit') || session.user.unit_id || (session.units[0] && session.units[0].id) || '';
	const unitSel = select(unitOptions(null), unitId, { on: { change: (e) => route.go('admin/policy', { unit: e.target.value }) } });
	if (!unitId) {
		fill(box, h('p.notice', null, t('adm.no_units')));
		return;
	}
	const pol = await get(`/api/v1/units/${unitId}/policy`);
	if (!route.alive()) return;
	const own = pol.own || {};
	const source = (k) => {
		if (k in own) return badge(t('pol.own'), 'info');
		const from = pol.inherited_from && pol.inherited_from[k];
		return from ? t('pol.inherited', { unit: unitName(from) }) : t('pol.default');
	};
	const parts = [h('div.filters', null, field(t('filter.unit'), unitSel)),
		h('section.panel', null, h('h2', null, t('pol.title', { unit: unitName(unitId), v: num(pol.version) })), table([
			{ key: 'field', label: t('pol.field'), render: (k) => t(`pol.${k}`) },
			{ key: 'value', label: t('pol.value'), render: (k) => showValue(pol.effective[k], k) },
			{ key: 'source', label: t('pol.source'), render: source },
		], POLICY_FIELDS, { rowHeader: true }))];
	if (isAdmin()) {
		const inherit = ['', t('pol.inherit')];
		const action = select([inherit, ...['report', 'quarantine', 'delete'].map((a) => [a, t(`pol.act_${a}`)])], own.action_on_detection ?? '');
		const realtime = select([inherit, ['true', t('ep.rt_on')], ['false', t('ep.rt_off')]], own.realtime === undefined ? '' : String(own.realtime));
		const upd = h('input', { type: 'number', min: 15, max: 1440, value: own.update_interval_minutes ?? '', placeholder: t('pol.inherit') });
		const hb = h('input', { type: 'number', min: 30, max: 3600, value: own.heartbeat_interval_seconds ?? '', placeholder: t('pol.inherit') });
		const excl = h('textarea', { rows: 3, placeholder: t('pol.inherit') }, (own.exclusions || []).join('\n'));
		const sched = scheduleForm(own.scan_schedule);
		parts.push(h('section.panel', null, h('h2', null, t('pol.edit')), h('p.hint', null, t('pol.edit_hint')),
			form([field(t('pol.action_on_detection'), action), field(t('pol.realtime'), realtime),
				field(t('pol.update_interval_minutes'), upd), field(t('pol.heartbeat_interval_seconds'), hb),
				field(t('pol.exclusions'), excl, t('pol.exclusions_hint')), sched.node],
			t('common.save'),
			() => {
				const schedule = sched.value();
				const lines = excl.value.split('\n').map((s) => s.trim()).filter(Boolean);
				return api('PUT', `/api/v1/units/${unitId}/policy`, {
					action_on_detection: action.value || null,
					realtime: realtime.value === '' ? null : realtime.value === 'true',
					update_interval_minutes: upd.value ? Number(upd.value) : null,
					heartbeat_interval_seconds: hb.value ? Number(hb.value) : null,
					exclusions: lines.length ? lines : null,
					scan_schedule: schedule,
				});
			},
			() => route.go('admin/policy', { unit: unitId, t: Date.now() }))));
	}
	fill(box, parts);
}

export async function render(main, route) {
	const tab = shownTabs().includes(route.parts[1]) ? route.parts[1] : 'units';
	const box = h('div', null, loading());
	fill(main, title(t('nav.admin')), tabs(tab), box);
	try {
		await { units: unitsTab, users: usersTab, tokens: tokensTab, policy: policyTab, reminders: mailLog,
			tier: tierTab }[tab](box, route);
	} catch (e) {
		if (route.alive()) fill(box, errorBox(e));
	}
}
