// One endpoint (#/endpoints/ID): its status, signature databases, scan
// history, detections and tasks, and the actions that queue tasks for it --
// scan now (quick/full), update now, and on a detection quarantine, restore
// or delete. A queued task's progress is polled until it ends and announced
// in an aria-live region.
import { h, fill } from '../dom.js';
import { t, num, dateTime, date, bytes } from '../i18n.js';
import { api, get } from '../api.js';
import { loading, errorBox, title, table, badge, stateClass, canOperate } from '../ui.js';
import { statusBadge, sigAge } from './endpoints.js';

const FINAL = new Set(['done', 'failed', 'cancelled', 'expired']);
const POLL_MS = 1500;

function dl(pairs) {
	return h('dl.facts', null, pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '—')]));
}

function taskState(s) { return badge(t(`task.${s}`), stateClass[s]); }

function resultText(task) {
	const r = task.result;
	if (!r || typeof r !== 'object') return '';
	const bits = [];
	const files = r.files ?? r.files_scanned;
	const found = r.infected ?? (Array.isArray(r.detections) ? r.detections.length : r.detections);
	if (files !== undefined) bits.push(t('task.files_scanned', { n: num(files) }));
	if (found !== undefined) bits.push(t('task.detections', { n: num(found) }));
	if (r.error) bits.push(String(r.error));
	if (r.message) bits.push(String(r.message));
	return bits.join(' · ');
}

export async function render(main, route) {
	const id = route.parts[1];
	const progress = h('div.progress', { 'aria-live': 'polite', role: 'status' });
	const body = h('div', null, loading());
	fill(main, body);
	let ep;
	try {
		ep = await get(`/api/v1/endpoints/${encodeURIComponent(id)}`);
	} catch (e) {
		fill(body, errorBox(e));
		return;
	}
	if (!route.alive()) return;

	async function watch(task, label) {
		const line = h('p', null);
		progress.prepend(line);
		let last = '';
		for (;;) {
			const text = t('task.progress', { what: label, state: t(`task.${task.state}`) });
			if (text !== last) fill(line, taskState(task.state), ' ', text, ' ', resultText(task));
			last = text;
			if (FINAL.has(task.state) || !route.alive()) break;
			await new Promise((r) => setTimeout(r, POLL_MS));
			if (!route.alive()) return;
			try {
				task = await get(`/api/v1/tasks/${task.id}`);
			} catch (e) {
				fill(line, errorBox(e));
				return;
			}
		}
		if (route.alive()) refreshTasks();
	}

	async function queue(kind, params, label) {
		try {
			const body = params ? { kind, params } : { kind };
			const task = await api('POST', `/api/v1/endpoints/${ep.id}/tasks`, body);
			watch(task, label);
			refreshTasks();
		} catch (e) {
			progress.prepend(errorBox(e));
		}
	}

	const tasksBox = h('section.panel', null);
	async function refreshTasks() {
		try {
			const data = await get('/api/v1/tasks', { endpoint: ep.id, limit: 20 });
			if (route.alive()) drawTasks(data);
		} catch { /* keep the old list */ }
	}
	function drawTasks(data) {
		fill(tasksBox, h('h2', null, t('task.title')), table([
			{ key: 'kind', label: t('task.kind'), render: (x) => t(`kind.${x.kind}`) },
			{ key: 'params', label: t('task.params'), render: (x) => (x.params && x.params.path) || (x.params && x.params.detection_id ? `#${x.params.detection_id}` : '—') },
			{ key: 'state', label: t('ep.state'), render: (x) => taskState(x.state) },
			{ key: 'created_at', label: t('task.created'), render: (x) => dateTime(x.created_at) },
			{ key: 'finished_at', label: t('task.finished'), render: (x) => dateTime(x.finished_at) },
			{ key: 'by', label: t('task.by'), render: (x) => (x.created_by ? x.created_by.login : '—') },
			{ key: 'result', label: t('task.result'), render: resultText },
		], data.items, { empty: t('task.none') }));
	}

	const op = canOperate();
	const actionBtn = (kind, params, label, cls) => h('button', {
		type: 'button', class: cls, on: { click: () => queue(kind, params, label) },
	}, label);
	const detRows = ep.detections.items || [];
	const detColumns = [
		{ key: 'name', label: t('det.name') },
		{ key: 'path', label: t('det.path'), render: (d) => h('code', null, d.path) },
		{ key: 'sha256', label: 'SHA-256', render: (d) => h('code.hash', { title: d.sha256 || '' }, d.sha256 || '—') },
		{ key: 'state', label: t('ep.state'), render: (d) => badge(t(`det.${d.state}`), stateClass[d.state]) },
		{ key: 'last_seen', label: t('det.last_seen'), render: (d) => dateTime(d.last_seen) },
	];
	if (op) {
		detColumns.push({
			key: 'actions', label: t('common.actions'), render: (d) => h('div.rowactions', null,
				d.state === 'active' && d.path ? actionBtn('quarantine', { path: d.path }, t('act.quarantine'), 'small') : null,
				d.state === 'quarantined' ? actionBtn('restore', { detection_id: d.id }, t('act.restore'), 'small') : null,
				(d.state === 'active' || d.state === 'restored') && d.path ? actionBtn('delete', { path: d.path }, t('act.delete'), 'small danger') : null),
		});
	}
	const dbs = Object.entries(ep.databases || {});
	fill(body,
		h('nav.crumbs', { 'aria-label': t('units.breadcrumb') }, h('ol', null,
			h('li', null, h('a', { href: '#/endpoints' }, t('nav.endpoints'))),
			h('li', null, h('a', { href: `#/endpoints?unit=${ep.unit.id}` }, ep.unit.name)),
			h('li', null, h('span', { 'aria-current': 'page' }, ep.hostname)))),
		title(ep.hostname, statusBadge(ep)),
		op ? h('section.actionsbar', { 'aria-label': t('common.actions') },
			actionBtn('scan_quick', null, t('act.scan_quick'), 'primary'),
			actionBtn('scan_full', null, t('act.scan_full')),
			actionBtn('update', null, t('act.update'))) : null,
		progress,
		h('div.cols', null,
			h('section.panel', null, h('h2', null, t('ep.status')), dl([
				[t('filter.unit'), ep.unit.name],
				[t('ep.kind'), t(`kind.${ep.kind}`)],
				[t('ep.os'), [ep.os.name, ep.os.version].filter(Boolean).join(' ')],
				[t('ep.ips'), (ep.ips || []).join(', ')],
				[t('ep.agent'), ep.agent_version],
				[t('ep.agent_status'), ep.status],
				[t('ep.realtime'), ep.realtime ? t('ep.rt_on') : t('ep.rt_off')],
				[t('ep.firewall'), ep.firewall ? t('ep.rt_on') : t('ep.rt_off')],
				[t('ep.last_seen'), dateTime(ep.last_seen)],
				[t('ep.last_full_scan'), dateTime(ep.last_full_scan)],
				[t('ep.last_update'), dateTime(ep.last_update)],
				[t('ep.vault'), ep.vault_total_bytes ? `${bytes(ep.vault_free_bytes)} / ${bytes(ep.vault_total_bytes)}` : '—'],
				[t('ep.enrolled'), date(ep.created_at)],
			])),
			h('section.panel', null, h('h2', null, t('ep.signatures')), h('p', null, sigAge(ep)), table([
				{ key: 'name', label: t('sig.database') },
				{ key: 'version', label: t('sig.version'), num: true },
				{ key: 'built', label: t('sig.built'), render: (d) => date(d.built) },
			], dbs.map(([name, d]) => ({ name, version: d.version, built: d.built })), { empty: t('fresh.unknown') }))),
		h('section.panel', null, h('h2', null, t('ep.scans')), table([
			{ key: 'kind', label: t('task.kind'), render: (s) => t(`scan.${s.kind}`) },
			{ key: 'started_at', label: t('scan.started'), render: (s) => dateTime(s.started_at) },
			{ key: 'finished_at', label: t('task.finished'), render: (s) => dateTime(s.finished_at) },
			{ key: 'files_scanned', label: t('scan.files'), num: true, render: (s) => num(s.files_scanned) },
			{ key: 'detections', label: t('nav.detections'), num: true, render: (s) => num(s.detections) },
			{ key: 'errors', label: t('scan.errors'), num: true, render: (s) => num(s.errors) },
			{ key: 'result', label: t('task.result') },
		], ep.scans || [], { empty: t('scan.none') })),
		h('section.panel', null, h('h2', null, t('nav.detections'), ' ', h('small', null, `(${num(ep.detections.total)})`)),
			table(detColumns, detRows, { empty: t('det.none') })),
		tasksBox);
	drawTasks(ep.tasks);
}
