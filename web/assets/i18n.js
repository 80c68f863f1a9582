// Language and formats of the dashboard: every string comes from one table
// per language (i18n/vi.js, i18n/en.js; Vietnamese by default, the choice
// remembered in localStorage), dates are dd/mm/yyyy (times HH:mm) in both
// languages, numbers use the language's grouping (vi-VN: 1.234).
import vi from './i18n/vi.js';
import en from './i18n/en.js';

const tables = { vi, en };
const KEY = 'raquet.lang';
let lang = 'vi';
try {
	const saved = localStorage.getItem(KEY);
	if (saved && tables[saved]) lang = saved;
} catch { /* storage disabled: Vietnamese */ }

export function getLang() { return lang; }

export function setLang(l) {
	if (!tables[l]) return;
	lang = l;
	try { localStorage.setItem(KEY, l); } catch { /* not remembered */ }
	document.documentElement.lang = l;
}
document.documentElement.lang = lang;

// t('key', {n: 3}) -> the text with {n} replaced; an unknown key shows itself.
export function t(key, vars) {
	let s = tables[lang][key] ?? tables.vi[key] ?? key;
	if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
	return s;
}

const numberFormats = {};
export function num(n) {
	if (n === null || n === undefined || Number.isNaN(n)) return '—';
	const locale = lang === 'vi' ? 'vi-VN' : 'en-GB';
	numberFormats[locale] ??= new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
	return numberFormats[locale].format(n);
}

// Share a/b as "97,5 %" (vi) or "97.5%" (en); "—" when b is 0.
export function pct(a, b) {
	if (!b) return '—';
	const v = Math.round((1000 * a) / b) / 10;
	return lang === 'vi' ? `${num(v)} %` : `${num(v)}%`;
}

const pad = (n) => String(n).padStart(2, '0');

// Unix seconds -> dd/mm/yyyy (local time); "—" for null.
export function date(unix) {
	if (unix === null || unix === undefined || unix === 0) return '—';
	const d = new Date(unix * 1000);
	return `${pad(d.getDate())}/${pad(d.getMonth() + 1)}/${d.getFullYear()}`;
}

// Unix seconds -> dd/mm/yyyy HH:mm.
export function dateTime(unix) {
	if (unix === null || unix === undefined || unix === 0) return '—';
	const d = new Date(unix * 1000);
	return `${date(unix)} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

// "2026-12-01" -> "01/12/2026" (a day of the history, no time zone shift).
export function day(iso) {
	const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
	return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

export function bytes(n) {
	if (n === null || n === undefined) return '—';
	const units = ['B', 'KB', 'MB', 'GB', 'TB'];
	let i = 0;
	while (n >= 1024 && i < units.length - 1) { n /= 1024; i += 1; }
	return `${num(Math.round(n * 10) / 10)} ${units[i]}`;
}

// Age of a Unix time in whole days from now (null: never).
export function ageDays(unix) {
	if (!unix) return null;
	return Math.floor((Date.now() / 1000 - unix) / 86400);
}
