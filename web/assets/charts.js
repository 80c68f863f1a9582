// The dashboard's two charts, drawn as inline SVG by our own code: a bar
// chart of labelled counts (signature freshness) and a line chart of a few
// series over days (the coverage trend). Colours come from CSS classes, so
// no style attribute is needed under the page's CSP.
import { h } from './dom.js';
import { num, day } from './i18n.js';

const svg = (tag, attrs, ...kids) => h(`svg:${tag}`, attrs, ...kids);

// bars: [{label, value, cls}] -> <svg> with one bar each, value above it.
export function barChart(bars, title) {
	const W = 560, H = 220, top = 24, bottom = 40, left = 10;
	const max = Math.max(1, ...bars.map((b) => b.value));
	const slot = (W - left * 2) / bars.length;
	const bw = Math.min(64, slot * 0.6);
	const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart' });
	chart.append(svg('title', null, title));
	bars.forEach((b, i) => {
		const hgt = ((H - top - bottom) * b.value) / max;
		const x = left + slot * i + (slot - bw) / 2;
		const y = H - bottom - hgt;
		chart.append(
			svg('rect', { x, y, width: bw, height: Math.max(hgt, b.value ? 1 : 0), class: `bar ${b.cls || ''}` }),
			svg('text', { x: x + bw / 2, y: y - 6, 'text-anchor': 'middle', class: 'val' }, num(b.value)),
			svg('text', { x: x + bw / 2, y: H - bottom + 18, 'text-anchor': 'middle', class: 'lbl' }, b.label));
	});
	chart.append(svg('line', { x1: left, x2: W - left, y1: H - bottom, y2: H - bottom, class: 'axis' }));
	return chart;
}

// days: ["2026-12-01", ...]; series: [{label, cls, values: [n per day]}].
export function lineChart(days, series, title) {
	const W = 720, H = 260, top = 16, bottom = 34, left = 52, right = 12;
	const max = Math.ceil(Math.max(1, ...series.flatMap((s) => s.values)) / 4) * 4; // whole-number grid lines
	const n = days.length;
	const x = (i) => left + (n <= 1 ? 0 : ((W - left - right) * i) / (n - 1));
	const y = (v) => top + (H - top - bottom) * (1 - v / max);
	const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title, class: 'chart' });
	chart.append(svg('title', null, title));
	for (let k = 0; k <= 4; k++) {
		const v = (max * k) / 4;
		chart.append(svg('line', { x1: left, x2: W - right, y1: y(v), y2: y(v), class: 'grid' }),
			svg('text', { x: left - 6, y: y(v) + 4, 'text-anchor': 'end', class: 'lbl' }, num(v)));
	}
	const ticks = Math.min(6, n);
	for (let k = 0; k < ticks; k++) {
		const i = ticks === 1 ? 0 : Math.round(((n - 1) * k) / (ticks - 1));
		const anchor = k === 0 ? 'start' : k === ticks - 1 ? 'end' : 'middle'; // the ends stay inside the chart
		chart.append(svg('text', { x: x(i), y: H - 10, 'text-anchor': anchor, class: 'lbl' }, day(days[i]).slice(0, 5)));
	}
	for (const s of series) {
		const pts = s.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
		chart.append(svg('polyline', { points: pts, class: `line ${s.cls}` }));
		if (n === 1) chart.append(svg('circle', { cx: x(0), cy: y(s.values[0]), r: 3, class: `dot ${s.cls}` }));
	}
	const legend = h('ul.legend', null, series.map((s) =>
		h('li', null, h('span.swatch', { class: s.cls, 'aria-hidden': 'true' }), s.label)));
	return h('figure.linechart', null, chart, legend);
}
