// Campaigns (#/campaigns, #/campaigns/ID, #/campaigns/ID/units/UNIT): the
// list with days left to each deadline and the caller's reminders (overdue
// and due-soon obligations of their units; administrators create campaigns
// and edit their deadlines), a campaign's progress per unit for the
// department (each obligation done / pending / at risk / overdue, coloured,
// overdue highlighted), and a unit's checklist for its officer: record the
// training and the response plan, upload evidence, declare information
// systems and move their level dossiers (only the steps the server says the
// user may take are offered), make and confirm the unit report; the
// campaign's report with every unit's obligations, kept and downloaded. From
// /api/v1/campaigns, /api/v1/systems and /api/v1/evidence.
import { h, fill, field, select } from '../dom.js';
import { t, num, date, day, bytes, getLang } from '../i18n.js';
import { api, get, upload } from '../api.js';
import { loading, errorBox, title, table, badge, unitOptions, unitName, isAdmin, canOperate, session } from '../ui.js';
import { remindersPanel } from './reminders.js';

export const ITEMS = ['training', 'systems', 'regulation', 'response_plan', 'malware_sweep', 'report'];
const STATE_CLASS = { done: 'ok', pending: 'muted', at_risk: 'warn', overdue: 'bad' };

// dd/mm/yyyy typed -> "yyyy-mm-dd" (a real date), or null.
export function isoDay(s) {
	const m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s || '');
	if (!m) return null;
	const d = new Date(Date.UTC(Number(m[3]), Number(m[2]) - 1, Number(m[1])));
	if (d.getUTCDate() !== Number(m[1]) || d.getUTCMonth() !== Number(m[2]) - 1) return null;
	return d.toISOString().slice(0, 10);
}

// The start of a typed dd/mm/yyyy day in Vietnam (UTC+7), Unix seconds.
function vnStart(s) {
	const iso = isoDay(s);
	return iso ? Date.parse(`${iso}T00:00:00+07:00`) / 1000 : null;
}

const dateInput = (value) => h('input', { value: value || '', pattern: '\\d{1,2}/\\d{1,2}/\\d{4}', placeholder: 'dd/mm/yyyy' });

// "còn 5 ngày" / "hôm nay" / "quá hạn 2 ngày"
export function daysLeft(n) {
	if (n > 0) return badge(t('camp.days_left', { n: num(n) }), n <= 7 ? 'warn' : 'info');
	if (n === 0) return badge(t('camp.due_today'), 'warn');
	return badge(t('camp.overdue_by', { n: num(-n) }), 'bad');
}

export function stateBadge(state) {
	return badge(t(`camp.state.${state}`), STATE_CLASS[state] || 'muted');
}

export async function render(main, route) {
	const [, id, sub, unit] = route.parts;
	if (id && sub === 'units' && unit) return checklist(main, route, Number(id), Number(unit));
	if (id) return detail(main, route, Number(id));
	return list(main, route);
}

// ---------- the list ----------

async function list(main, route) {
	const box = h('section.panel', null, loading());
	fill(main, title(t('camp.title')), remindersPanel(route), isAdmin() ? createForm(route) : null, box);
	let data;
	try {
		data = await get('/api/v1/campaigns');
	} catch (e) {
		fill(box, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	fill(box, table([
		{ key: 'name', label: t('camp.name'), render: (c) => h('a', { href: `#/campaigns/${c.id}` }, c.name) },
		{ key: 'unit', label: t('filter.unit'), render: (c) => (c.unit ? unitName(c.unit) : t('scope.province')) },
		{ key: 'period', label: t('filter.period'), render: (c) => `${date(c.from)} – ${date(c.to - 1)}` },
		{ key: 'unit_deadline', label: t('camp.unit_deadline'), render: (c) => h('span', null, day(c.unit_deadline), ' ', daysLeft(c.days_left.unit)) },
		{ key: 'dept_deadline', label: t('camp.dept_deadline'), render: (c) => h('span', null, day(c.dept_deadline), ' ', daysLeft(c.days_left.department)) },
		{ key: 'status', label: t('camp.status'), render: (c) => badge(t(`camp.status.${c.status}`), c.status === 'active' ? 'info' : 'muted') },
	], data.items || [], { caption: t('camp.list'), empty: t('camp.none') }));
}

function createForm(route) {
	const name = h('input', { required: true, maxlength: 200, value: t('camp.default_name', { y: new Date().getFullYear() }) });
	const unit = select(unitOptions(t('scope.province')), '');
	const from = dateInput(), to = dateInput(), ud = dateInput(), dd = dateInput();
	const msg = h('div', { 'aria-live': 'polite' });
	return h('details.panel', null, h('summary', null, t('camp.new')),
		h('form.filters', {
			on: {
				submit: async (e) => {
					e.preventDefault();
					const f = vnStart(from.value), u = vnStart(to.value);
					const body = { name: name.value, unit: unit.value ? Number(unit.value) : null, from: f, to: u === null ? null : u + 86400,
						unit_deadline: isoDay(ud.value), dept_deadline: isoDay(dd.value) };
					if (f === null || u === null || !body.unit_deadline || !body.dept_deadline) {
						fill(msg, errorBox({ message: t('camp.bad_dates') }));
						return;
					}
					try {
						const c = await api('POST', '/api/v1/campaigns', body);
						route.go(`campaigns/${c.id}`);
					} catch (err) { fill(msg, errorBox(err)); }
				},
			},
		}, field(t('camp.name'), name), field(t('filter.unit'), unit), field(t('rep.from'), from), field(t('rep.to'), to),
		field(t('camp.unit_deadline'), ud), field(t('camp.dept_deadline'), dd),
		h('div.actions', null, h('button.primary', { type: 'submit' }, t('camp.create')))), msg);
}

// ---------- a campaign: progress per unit ----------

function itemCell(it) {
	if (!it) return '—';
	const extra = it.total !== undefined ? ` ${num(it.approved ?? it.issued)}/${num(it.total)}`
		: it.endpoints !== undefined ? ` ${num(it.scanned)}/${num(it.endpoints)}` : '';
	return h('span', null, t(`camp.state.${it.state}`), extra);
}

async function detail(main, route, id) {
	const body = h('div', null, loading());
	fill(main, body);
	let p;
	try {
		p = await get(`/api/v1/campaigns/${id}/progress`, { risk_days: route.params.get('risk_days') || '' });
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	const c = p.campaign;
	const s = p.summary;
	fill(body,
		title(c.name, h('a.button', { href: '#/campaigns' }, t('camp.back'))),
		h('p.period', null, c.unit ? unitName(c.unit) : t('scope.province'), ' — ', `${date(c.from)} – ${date(c.to - 1)}`, ' — ',
			badge(t(`camp.status.${c.status}`), c.status === 'active' ? 'info' : 'muted')),
		h('section.cards', { 'aria-label': t('camp.deadlines') },
			h('div.card', { class: c.days_left.unit < 0 ? 'bad' : 'plain' }, h('div.label', null, t('camp.unit_deadline')),
				h('div.value', null, day(c.unit_deadline)), h('div.sub', null, daysLeft(c.days_left.unit))),
			h('div.card', { class: c.days_left.department < 0 ? 'bad' : 'plain' }, h('div.label', null, t('camp.dept_deadline')),
				h('div.value', null, day(c.dept_deadline)), h('div.sub', null, daysLeft(c.days_left.department))),
			h('div.card', { class: s.complete === s.units ? 'ok' : 'plain' }, h('div.label', null, t('camp.complete')),
				h('div.value', null, `${num(s.complete)}/${num(s.units)}`)),
			h('div.card', { class: s.overdue_items ? 'bad' : 'ok' }, h('div.label', null, t('camp.overdue_items')),
				h('div.value', null, num(s.overdue_items))),
			h('div.card', { class: s.at_risk_items ? 'warn' : 'ok' }, h('div.label', null, t('camp.at_risk_items')),
				h('div.value', null, num(s.at_risk_items)))),
		c.status === 'active' ? remindersPanel(route, c.id) : null,
		isAdmin() ? editForm(route, c) : null,
		(c.unit ? canOperate() : isAdmin() && !session.user.unit_id) ? reportPanel(c) : null,
		h('section.panel', null, table([
			{ key: 'unit', label: t('filter.unit'), value: (r) => r.unit.name,
				render: (r) => h('span', null, '\u00a0\u00a0'.repeat(r.depth || 0), h('a', { href: `#/campaigns/${c.id}/units/${r.unit.id}` }, r.unit.name)) },
			...ITEMS.map((k) => ({ key: k, label: t(`camp.item.${k}`), value: (r) => r.items[k].state,
				render: (r) => itemCell(r.items[k]), cls: (r) => `state-${r.items[k].state} ${STATE_CLASS[r.items[k].state]}` })),
			{ key: 'done', label: t('camp.done'), num: true, render: (r) => `${r.done}/${r.total}` },
		], p.units, { caption: t('camp.progress'), rowHeader: true, localSort: true, empty: t('common.none') })));
}

// The campaign's report (POST /campaigns/{id}/report): made and kept by
// the server, then offered as XLSX, PDF and CSV downloads.
function reportPanel(c) {
	const lang = select([['vi', 'Tiếng Việt'], ['en', 'English']], getLang());
	const msg = h('div', { 'aria-live': 'polite' });
	return h('details.panel', { id: 'campaign-report' }, h('summary', null, t('camp.campaign_report')),
		h('p.hint', null, t('camp.campaign_report_hint')),
		h('form.filters', {
			on: {
				submit: async (e) => {
					e.preventDefault();
					fill(msg, loading());
					try {
						const r = await api('POST', `/api/v1/campaigns/${c.id}/report`, { lang: lang.value });
						fill(msg, h('p.notice', null, t('camp.campaign_report_made', { d: date(Math.floor(Date.now() / 1000)) }), ' ',
							h('span.rowactions', null, ['xlsx', 'pdf', 'csv'].map((f) =>
								h('a.button.small', { href: `/api/v1/reports/${r.report}/file?format=${f}`, download: '',
									'aria-label': `${t('rep.download')} ${f.toUpperCase()}` }, f.toUpperCase())))));
					} catch (err) { fill(msg, errorBox(err)); }
				},
			},
		}, field(t('rep.lang'), lang), h('div.actions', null, h('button.primary', { type: 'submit' }, t('camp.make_campaign_report')))), msg);
}

function editForm(route, c) {
	const ud = dateInput(day(c.unit_deadline)), dd = dateInput(day(c.dept_deadline));
	const status = select(['draft', 'active', 'closed'].map((s) => [s, t(`camp.status.${s}`)]), c.status);
	const msg = h('div', { 'aria-live': 'polite' });
	return h('details.panel', null, h('summary', null, t('camp.edit')),
		h('form.filters', {
			on: {
				submit: async (e) => {
					e.preventDefault();
					const body = { unit_deadline: isoDay(ud.value), dept_deadline: isoDay(dd.value), status: status.value };
					if (!body.unit_deadline || !body.dept_deadline) { fill(msg, errorBox({ message: t('camp.bad_dates') })); return; }
					try {
						await api('PATCH', `/api/v1/campaigns/${c.id}`, body);
						route.go(`campaigns/${c.id}`);
					} catch (err) { fill(msg, errorBox(err)); }
				},
			},
		}, field(t('camp.unit_deadline'), ud), field(t('camp.dept_deadline'), dd), field(t('camp.status'), status),
		h('div.actions', null, h('button.primary', { type: 'submit' }, t('camp.save')))), msg);
}

// ---------- a unit's checklist ----------

function evidenceList(files) {
	if (!files || !files.length) return null;
	return h('ul.files', null, files.map((f) => h('li', null,
		h('a', { href: `/api/v1/evidence/${f.id}/file`, download: '' }, f.file_name), ' ',
		h('small', null, `${bytes(f.size)} · ${f.uploaded_by || '—'} · ${date(f.uploaded_at)}`))));
}

// A file input and its upload button, posting to `path` (subject in it).
function uploader(path, after, msg) {
	const file = h('input', { type: 'file', accept: '.pdf,.png,.jpg,.jpeg,.docx,.xlsx,.odt' });
	const btn = h('button', {
		type: 'button',
		on: {
			click: async () => {
				if (!file.files.length) return;
				const f = file.files[0];
				try {
					await upload(`${path}&name=${encodeURIComponent(f.name)}`, f);
					fill(msg, h('p.notice', null, t('camp.uploaded', { name: f.name })));
					after();
				} catch (err) { fill(msg, errorBox(err)); }
			},
		},
	}, t('camp.upload'));
	return h('div.upload', null, field(t('camp.evidence'), file, t('camp.evidence_hint')), btn);
}

function itemPanel(kind, it, body) {
	return h('section.panel.item', { 'data-kind': kind },
		h('h2', null, t(`camp.item.${kind}`), ' ', stateBadge(it.state)),
		h('p.hint', null, t(`camp.help.${kind}`)),
		body, evidenceList(it.evidence));
}

async function checklist(main, route, id, unitId) {
	const body = h('div', null, loading());
	fill(main, body);
	const msg = h('div', { 'aria-live': 'polite' });
	const again = () => checklist(main, route, id, unitId);
	let cl, systems;
	try {
		[cl, systems] = await Promise.all([get(`/api/v1/campaigns/${id}/units/${unitId}`), get('/api/v1/systems', { unit: unitId })]);
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;
	const c = cl.campaign, items = cl.items, may = cl.may_record && c.status === 'active';
	const base = `/api/v1/campaigns/${id}/units/${unitId}`;
	const put = async (kind, b) => {
		try {
			await api('PUT', `${base}/items/${kind}`, b);
			fill(msg, h('p.notice', null, t('camp.saved')));
			again();
		} catch (err) { fill(msg, errorBox(err)); }
	};

	// training held
	const tr = items.training;
	const trDate = dateInput(tr.done_on ? day(tr.done_on) : ''), trTopic = h('input', { value: (tr.details && tr.details.topic) || '' });
	const trPeople = h('input', { type: 'number', min: 0, value: tr.details && tr.details.attendees !== undefined ? tr.details.attendees : '' });
	const trForm = may ? h('form.filters', {
		on: { submit: (e) => { e.preventDefault(); put('training', { status: 'done', done_on: isoDay(trDate.value), topic: trTopic.value, attendees: Number(trPeople.value) }); } },
	}, field(t('camp.held_on'), trDate), field(t('camp.topic'), trTopic), field(t('camp.attendees'), trPeople),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('camp.record')))) : recorded(tr);

	// response plan issued
	const rp = items.response_plan;
	const rpNumber = h('input', { value: rp.number || '' }), rpDate = dateInput(rp.done_on ? day(rp.done_on) : '');
	const rpScen = h('textarea', { rows: 2 }, (rp.details && rp.details.scenarios) || '');
	const rpForm = may ? h('form.filters', {
		on: { submit: (e) => { e.preventDefault(); put('response_plan', { status: 'done', number: rpNumber.value, done_on: isoDay(rpDate.value), scenarios: rpScen.value }); } },
	}, field(t('camp.number'), rpNumber), field(t('camp.issued_on'), rpDate), field(t('camp.scenarios'), rpScen),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('camp.record')))) : recorded(rp);

	// the unit report
	const rep = items.report;
	const repActions = may ? h('div.actionsbar', null,
		h('button', { type: 'button', on: { click: () => post(`${base}/report`) } }, t('camp.make_report')),
		rep.status === 'generated' ? h('button.primary', { type: 'button', on: { click: () => post(`${base}/report/confirm`) } }, t('camp.confirm_report')) : null) : null;
	async function post(path) {
		try {
			await api('POST', path);
			again();
		} catch (err) { fill(msg, errorBox(err)); }
	}
	const sw = items.malware_sweep;

	fill(body,
		title(`${cl.unit.name}`, h('a.button', { href: `#/campaigns/${id}` }, t('camp.back_progress'))),
		h('p.period', null, c.name, ' — ', t('camp.unit_deadline'), ': ', day(c.unit_deadline), ' ', daysLeft(cl.days_left)),
		msg,
		itemPanel('training', tr, h('div', null, trForm, may ? uploader(`${base}/evidence?subject=training`, again, msg) : null)),
		systemsPanel(items, systems.items || [], unitId, may || (isAdmin() && c.status === 'active'), msg, again),
		itemPanel('response_plan', rp, h('div', null, rpForm, may ? uploader(`${base}/evidence?subject=response_plan`, again, msg) : null)),
		itemPanel('malware_sweep', sw, h('p', null, t('camp.sweep_figures', { scanned: num(sw.scanned), endpoints: num(sw.endpoints), infected: num(sw.infected) }))),
		itemPanel('report', rep, h('div', null,
			rep.report ? h('p', null, h('a', { href: `/api/v1/reports/${rep.report}/file?format=pdf`, download: '' }, t('camp.report_pdf')),
				' ', badge(t(`camp.report.${rep.status}`), rep.status === 'done' ? 'ok' : 'warn')) : null,
			repActions)));
}

function recorded(it) {
	if (it.status === 'pending') return h('p.muted', null, t('camp.not_recorded'));
	const d = it.details || {};
	return h('p', null, [it.done_on ? day(it.done_on) : '', it.number, d.topic, d.attendees !== undefined ? t('camp.people', { n: num(d.attendees) }) : '', d.scenarios]
		.filter(Boolean).join(' · '), it.recorded_by ? h('small', null, ` (${it.recorded_by})`) : null);
}

const STEP_LABEL = { submitted: 'camp.step.submit', appraised: 'camp.step.appraise', approved: 'camp.step.approve', draft: 'camp.step.return' };

function systemsPanel(items, systems, unitId, mayAdd, msg, again) {
	const rows = systems.filter((x) => x.unit.id === unitId);
	const act = async (method, path, b) => {
		try {
			await api(method, path, b);
			again();
		} catch (err) { fill(msg, errorBox(err)); }
	};
	const cards = rows.map((x) => {
		const d = x.dossier;
		const decision = h('input', { value: '', placeholder: t('camp.decision_number') });
		const decisionOn = dateInput('');
		const regNumber = h('input', { value: x.regulation.number || '' }), regOn = dateInput(x.regulation.issued_on ? day(x.regulation.issued_on) : '');
		const steps = d.next.map((to) => h('button', {
			type: 'button', class: to === 'draft' ? null : 'primary', 'data-step': to,
			on: { click: () => act('POST', `/api/v1/systems/${x.id}/dossier`, to === 'approved' ? { to, decision_number: decision.value, on: isoDay(decisionOn.value) } : { to }) },
		}, t(STEP_LABEL[to])));
		return h('article.system', { 'data-system': x.id },
			h('h3', null, x.name, ' ', badge(t('camp.level', { n: x.level }), 'info'), ' ', badge(t(`camp.dossier.${d.state}`), d.state === 'approved' ? 'ok' : 'warn')),
			h('p.hint', null, t('camp.authorities', { appraiser: t(`camp.auth.${d.appraiser}`), approver: t(`camp.auth.${d.approver}`) })),
			h('p', null, [x.purpose, x.owner && `${t('camp.owner')}: ${x.owner}`, x.operator && `${t('camp.operator')}: ${x.operator}`,
				x.users && `${t('camp.users')}: ${x.users}`].filter(Boolean).join(' · ')),
			d.decision_number ? h('p', null, t('camp.decision'), ': ', d.decision_number, ' ', day(d.decision_on)) : null,
			h('p', null, t('camp.regulation'), ': ', x.regulation.number ? `${x.regulation.number} (${day(x.regulation.issued_on)})` : t('camp.not_issued')),
			steps.length ? h('div.actionsbar', null, d.next.includes('approved') ? [field(t('camp.decision_number'), decision), field(t('camp.decision_on'), decisionOn)] : null, steps)
				: h('p.muted.nostep', null, t('camp.no_step')),
			canOperate() && mayAdd ? h('form.filters', {
				on: { submit: (e) => { e.preventDefault(); act('PATCH', `/api/v1/systems/${x.id}`, { regulation_number: regNumber.value, regulation_on: isoDay(regOn.value) }); } },
			}, field(t('camp.regulation_number'), regNumber), field(t('camp.issued_on'), regOn),
			h('div.actions', null, h('button', { type: 'submit' }, t('camp.record_regulation')))) : null,
			canOperate() && mayAdd ? uploader(`/api/v1/systems/${x.id}/evidence?subject=dossier`, again, msg) : null,
			evidenceList(x.evidence));
	});
	const f = { name: h('input', { required: true }), purpose: h('input'), owner: h('input'), operator: h('input'), info_type: h('input'), users: h('input') };
	const level = select([1, 2, 3, 4, 5].map((n) => [n, t('camp.level', { n })]), 2);
	const add = mayAdd && session.user.role !== 'viewer' ? h('details', null, h('summary', null, t('camp.add_system')), h('form.filters', {
		on: {
			submit: (e) => {
				e.preventDefault();
				const b = { unit: unitId, level: Number(level.value) };
				for (const [k, el] of Object.entries(f)) b[k] = el.value;
				act('POST', '/api/v1/systems', b);
			},
		},
	}, Object.entries(f).map(([k, el]) => field(t(`camp.sys.${k}`), el)), field(t('camp.proposed_level'), level),
	h('div.actions', null, h('button.primary', { type: 'submit' }, t('camp.add'))))) : null;
	return h('section.panel.item', { 'data-kind': 'systems' },
		h('h2', null, t('camp.item.systems'), ' ', stateBadge(items.systems.state), ' · ', t('camp.item.regulation'), ' ', stateBadge(items.regulation.state)),
		h('p.hint', null, t('camp.help.systems')),
		cards.length ? cards : h('p.muted', null, t('camp.no_systems')), add);
}
