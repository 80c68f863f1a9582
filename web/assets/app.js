// The dashboard's entry: session (login, logout, expiry), the header (user,
// role, scope, language) and the hash router (#/overview, #/units/7, ...).
// Each page module exports render(main, route) and draws into <main>; a
// page that polls checks route.alive() so it stops once the user leaves.
import { h, fill, field, select } from './dom.js';
import { t, getLang, setLang } from './i18n.js';
import { api, setCsrf, onUnauthenticated } from './api.js';
import { session, loadUnits, errorBox, isProvinceWide, canOperate, isAdmin } from './ui.js';
import * as overview from './pages/overview.js';
import * as units from './pages/units.js';
import * as endpoints from './pages/endpoints.js';
import * as endpoint from './pages/endpoint.js';
import * as detections from './pages/detections.js';
import * as signatures from './pages/signatures.js';
import * as admin from './pages/admin.js';
import * as reports from './pages/reports.js';
import * as ncsc from './pages/ncsc.js';
import * as audit from './pages/audit.js';
import * as campaigns from './pages/campaigns.js';
import * as intel from './pages/intel.js';
import * as sharing from './pages/sharing.js';

const NAV = [
	['overview', 'nav.overview', overview],
	['units', 'nav.units', units],
	['endpoints', 'nav.endpoints', endpoints],
	['detections', 'nav.detections', detections],
	['signatures', 'nav.signatures', signatures],
	['admin', 'nav.admin', admin],
	['reports', 'nav.reports', reports],
	// a fourth element: who sees the page (the server refuses the others)
	['ncsc', 'nav.ncsc', ncsc, isProvinceWide],
	['audit', 'nav.audit', audit, canOperate],
	['campaigns', 'nav.campaigns', campaigns],
	['intel', 'nav.intel', intel],
	// the province's data: administrators and province-wide viewers
	['sharing', 'nav.sharing', sharing, () => isAdmin() || (isProvinceWide() && session.user.role === 'viewer')],
];
const shown = () => NAV.filter(([, , , who]) => !who || who());

const top = document.getElementById('top');
const main = document.getElementById('main');
let generation = 0;
let expiredNote = false;

function parseHash() {
	const raw = location.hash.replace(/^#\/?/, '');
	const [path, qs] = raw.split('?');
	const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
	return { parts, params: new URLSearchParams(qs || '') };
}

export function go(path, params) {
	const q = params ? new URLSearchParams(Object.entries(params).filter(([, v]) => v !== '' && v !== null && v !== undefined)).toString() : '';
	const target = `#/${path}${q ? `?${q}` : ''}`;
	if (location.hash === target) route();
	else location.hash = target;
}

function roleLabel(role) { return t(`role.${role}`); }

function scopeLabel() {
	const u = session.user;
	if (!u.unit_id) return t('scope.province');
	const unit = session.unitById.get(u.unit_id);
	return unit ? unit.name : `#${u.unit_id}`;
}

function drawHeader(current) {
	const langSel = select([['vi', 'Tiếng Việt'], ['en', 'English']], getLang(), {
		on: { change: (e) => { setLang(e.target.value); route(); } },
	});
	const brand = h('a.brand', { href: '#/overview' }, 'raquet');
	if (!session.user) {
		fill(top, h('div.bar', null, brand, h('div.right', null, field(t('header.language'), langSel))));
		return;
	}
	const u = session.user;
	const nav = h('nav.mainnav', { 'aria-label': t('nav.label') }, h('ul', null, shown().map(([key, label]) =>
		h('li', null, h('a', { href: `#/${key}`, 'aria-current': current === key ? 'page' : null }, t(label))))));
	fill(top,
		h('div.bar', null, brand,
			h('div.who', null,
				h('span.user', null, u.display_name || u.login),
				h('span.role', null, roleLabel(u.role)),
				h('span.scope', null, t('header.scope'), ': ', scopeLabel())),
			h('div.right', null, field(t('header.language'), langSel),
				h('button.logout', { type: 'button', on: { click: logout } }, t('header.logout')))),
		nav);
}

async function logout() {
	try { await api('POST', '/api/v1/auth/logout'); } catch { /* gone already */ }
	endSession(false);
}

function endSession(expired) {
	session.user = null;
	session.units = null;
	setCsrf(null);
	expiredNote = expired;
	go('login');
}

onUnauthenticated(() => { if (session.user) endSession(true); });

function loginPage() {
	drawHeader(null);
	const login = h('input', { name: 'login', autocomplete: 'username', required: true });
	const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
	const msg = h('div', { 'aria-live': 'polite' }, expiredNote ? h('p.notice', null, t('login.expired')) : null);
	const submit = h('button.primary', { type: 'submit' }, t('login.submit'));
	const form = h('form.login', {
		on: {
			submit: async (e) => {
				e.preventDefault();
				submit.disabled = true;
				fill(msg);
				try {
					const r = await api('POST', '/api/v1/auth/login', { login: login.value, password: password.value });
					expiredNote = false;
					await startSession(r);
					go('overview');
				} catch (err) {
					fill(msg, errorBox(err.status === 401 ? { message: t('login.bad') } : err));
					submit.disabled = false;
				}
			},
		},
	}, h('h1', null, t('login.title')), h('p.lead', null, t('login.lead')),
	field(t('login.login'), login), field(t('login.password'), password), submit, msg);
	fill(main, form);
	login.focus();
}

async function startSession(me) {
	session.user = me.user;
	setCsrf(me.csrf_token);
	await loadUnits(true);
}

async function route() {
	generation += 1;
	const mine = generation;
	const { parts, params } = parseHash();
	if (!session.user) {
		try {
			const me = await api('GET', '/api/v1/auth/me');
			await startSession(me);
		} catch {
			if (mine !== generation) return;
			if (parts[0] !== 'login') { go('login'); return; }
		}
	}
	if (mine !== generation) return;
	if (!session.user || parts[0] === 'login') {
		if (session.user) { go('overview'); return; }
		document.title = `${t('login.title')} — raquet`;
		loginPage();
		return;
	}
	let key = parts[0] || 'overview';
	let page = (shown().find(([k]) => k === key) || [])[2];
	if (key === 'endpoints' && parts[1]) page = endpoint;
	if (!page) { key = 'overview'; page = overview; }
	drawHeader(key);
	document.title = `${t(`nav.${key}`)} — raquet`;
	fill(main);
	const ctx = { parts, params, alive: () => mine === generation, go };
	try {
		await page.render(main, ctx);
	} catch (e) {
		if (mine === generation && session.user) fill(main, errorBox(e));
	}
}

window.addEventListener('hashchange', route);
route();
