// Machines protected by other products, on a unit's page (#/units/ID): the
// machines declared in the unit's subtree with their product, signature
// date and last scan (a declaration an agent of the same unit supersedes is
// marked so); for officers and administrators a form to declare or edit one
// and a CSV inventory import whose refused rows are listed with their row,
// column and reason (nothing is imported then). From
// /api/v1/declared-machines; the counting rules are docs/campaigns.md's.
import { h, fill, field, select } from '../dom.js';
import { t, num, date } from '../i18n.js';
import { api, get, upload } from '../api.js';
import { loading, errorBox, table, badge, canOperate } from '../ui.js';

const KINDS = ['workstation', 'server', 'other'];
const dateInput = (value) => h('input', { value: value || '', pattern: '\\d{1,2}/\\d{1,2}/\\d{4}|\\d{4}-\\d{2}-\\d{2}', placeholder: 'dd/mm/yyyy', size: 10 });
const countInput = (value) => h('input', { type: 'number', min: 0, step: 1, value: String(value || 0) });

export function declaredPanel(unitId) {
	const list = h('div', null, loading());
	const box = h('section.panel.declared', { 'aria-labelledby': 'declared-title' },
		h('h2', { id: 'declared-title' }, t('decl.title')), h('p.hint', null, t('decl.explain')), list);
	// the form stays while the list is redrawn after each change, with its message
	const editor = canOperate() ? form(unitId, () => draw(list, unitId, editor)) : null;
	if (editor) box.append(editor.el);
	draw(list, unitId, editor);
	return box;
}

async function draw(box, unitId, editor) {
	let list;
	try {
		list = await get('/api/v1/declared-machines', { unit: unitId });
	} catch (e) {
		fill(box, errorBox(e));
		return;
	}
	const items = list.items || [];
	const again = () => draw(box, unitId, editor);
	const columns = [
		{ key: 'hostname', label: t('decl.hostname') },
		{ key: 'unit', label: t('units.unit'), render: (m) => m.unit.name },
		{ key: 'kind', label: t('decl.kind'), render: (m) => t(`decl.kind.${m.kind}`) },
		{ key: 'product', label: t('decl.product') },
		{ key: 'sig_updated', label: t('decl.sig_updated'), render: (m) => date(m.sig_updated) },
		{ key: 'last_scan', label: t('decl.last_scan'), render: (m) => date(m.last_scan) },
		{ key: 'infections', label: t('decl.infections'), num: true,
			render: (m) => `${num(m.infections_cleaned)} / ${num(m.infections_found)}` },
		{ key: 'state', label: t('decl.counted'), render: (m) => (m.superseded_by
			? h('a', { href: `#/endpoints/${m.superseded_by}` }, badge(t('decl.superseded'), 'muted'))
			: badge(t('decl.counted_yes'), 'info')) },
	];
	if (editor) columns.push({ key: 'actions', label: t('common.actions'), render: (m) => h('span.rowactions', null,
		h('button', { type: 'button', on: { click: () => editor.edit(m) } }, t('common.edit')),
		h('button.danger', { type: 'button', on: { click: async () => {
			if (!window.confirm(t('decl.remove_confirm', { host: m.hostname }))) return;
			try {
				await api('DELETE', `/api/v1/declared-machines/${m.id}`);
				again();
			} catch (err) { editor.show(errorBox(err)); }
		} } }, t('decl.remove'))) });
	const products = new Map();
	for (const m of items) if (!m.superseded_by) products.set(m.product, (products.get(m.product) || 0) + 1);
	fill(box,
		products.size ? h('p.summary', null, t('decl.products'), ' ',
			[...products].map(([p, n]) => `${p} (${num(n)})`).join('; ')) : null,
		table(columns, items, { caption: t('decl.caption'), empty: t('decl.none') }));
}

// The declare/edit form and the CSV import; edit(m) loads a machine into it.
function form(unitId, after) {
	const msg = h('div.declmsg', { 'aria-live': 'polite' });
	const host = h('input', { required: true, maxlength: 253, name: 'hostname' });
	const kind = select(KINDS.map((k) => [k, t(`decl.kind.${k}`)]), 'workstation', { name: 'kind' });
	const product = h('input', { required: true, maxlength: 200, name: 'product' });
	const sig = dateInput(), scan = dateInput();
	sig.name = 'sig_updated';
	scan.name = 'last_scan';
	const found = countInput(0), cleaned = countInput(0);
	found.name = 'infections_found';
	cleaned.name = 'infections_cleaned';
	const submit = h('button.primary', { type: 'submit' }, t('decl.declare'));
	const cancel = h('button', { type: 'button', hidden: true, on: { click: () => reset() } }, t('common.cancel'));
	let editing = null;
	const show = (...nodes) => fill(msg, ...nodes);
	function reset() {
		editing = null;
		for (const el of [host, product, sig, scan]) el.value = '';
		found.value = cleaned.value = '0';
		kind.value = 'workstation';
		submit.textContent = t('decl.declare');
		cancel.hidden = true;
	}
	function edit(m) {
		editing = m;
		host.value = m.hostname;
		kind.value = m.kind;
		product.value = m.product;
		sig.value = date(m.sig_updated) === '—' ? '' : date(m.sig_updated);
		scan.value = date(m.last_scan) === '—' ? '' : date(m.last_scan);
		found.value = String(m.infections_found);
		cleaned.value = String(m.infections_cleaned);
		submit.textContent = t('common.save');
		cancel.hidden = false;
		host.focus();
	}
	const declare = h('form.filters.declform', {
		on: {
			submit: async (e) => {
				e.preventDefault();
				const body = { hostname: host.value.trim(), kind: kind.value, product: product.value.trim(),
					sig_updated: sig.value.trim() || null, last_scan: scan.value.trim() || null,
					infections_found: Number(found.value) || 0, infections_cleaned: Number(cleaned.value) || 0 };
				try {
					if (editing) await api('PATCH', `/api/v1/declared-machines/${editing.id}`, body);
					else await api('POST', '/api/v1/declared-machines', { unit: Number(unitId), ...body });
					show(h('p.notice', null, t(editing ? 'decl.saved' : 'decl.declared', { host: body.hostname })));
					reset();
					after();
				} catch (err) { show(errorBox(err)); }
			},
		},
	}, field(t('decl.hostname'), host), field(t('decl.kind'), kind), field(t('decl.product'), product),
	field(t('decl.sig_updated'), sig), field(t('decl.last_scan'), scan), field(t('decl.found'), found),
	field(t('decl.cleaned'), cleaned), h('div.actions', null, submit, cancel));
	const file = h('input', { type: 'file', accept: '.csv,text/csv', name: 'inventory' });
	const importBtn = h('button', {
		type: 'button',
		on: {
			click: async () => {
				if (!file.files.length) return;
				try {
					const r = await upload(`/api/v1/declared-machines/import?unit=${encodeURIComponent(unitId)}`, file.files[0]);
					show(h('p.notice', null, t('decl.imported', { rows: num(r.rows), created: num(r.created), updated: num(r.updated) })));
					file.value = '';
					after();
				} catch (err) { show(importErrors(err)); }
			},
		},
	}, t('decl.import'));
	const el = h('div.declared-edit', null,
		h('h3', null, t('decl.form_title')), declare,
		h('h3', null, t('decl.import_title')),
		h('p.hint', null, t('decl.import_hint')),
		h('div.upload', null, field(t('decl.file'), file), importBtn), msg);
	return { el, edit, show };
}

// A refused import: the reason and a table of every bad row.
function importErrors(err) {
	const rows = err.data && Array.isArray(err.data.errors) ? err.data.errors : null;
	if (!rows) return errorBox(err);
	return h('div.importerrors', null, errorBox(err), table([
		{ key: 'row', label: t('decl.row'), num: true, render: (e) => (e.row ? num(e.row) : '—') },
		{ key: 'column', label: t('decl.column'), render: (e) => e.column || '—' },
		{ key: 'reason', label: t('decl.reason') },
	], rows, { caption: t('decl.bad_rows') }));
}
