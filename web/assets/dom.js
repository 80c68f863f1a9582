// Small DOM helpers of the dashboard: elements are built with h() (text is
// always set as text, never parsed as HTML, so API data cannot inject markup
// and no inline style or script is ever needed under the page's CSP).

// h('tag.cls1.cls2', {attr: value, on: {click: fn}}, child...) -> element.
// Children: strings, numbers, nodes, arrays of them; null/false are skipped.
export function h(spec, attrs, ...children) {
	const [tag, ...classes] = spec.split('.');
	const el = tag.startsWith('svg:')
		? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4))
		: document.createElement(tag || 'div');
	for (const c of classes) el.classList.add(c);
	if (attrs) {
		for (const [k, v] of Object.entries(attrs)) {
			if (v === undefined || v === null || v === false) continue;
			if (k === 'on') for (const [ev, fn] of Object.entries(v)) el.addEventListener(ev, fn);
			else if (k === 'class') String(v).split(/\s+/).filter(Boolean).forEach((c) => el.classList.add(c));
			else if (k === 'value' && 'value' in el) el.value = v;
			else if (k === 'checked' || k === 'selected' || k === 'disabled') el[k] = !!v;
			else el.setAttribute(k, v === true ? '' : String(v));
		}
	}
	append(el, children);
	return el;
}

export function append(el, children) {
	for (const c of children.flat(Infinity)) {
		if (c === null || c === undefined || c === false) continue;
		el.append(c instanceof Node ? c : document.createTextNode(String(c)));
	}
	return el;
}

// Replace everything inside `el`.
export function fill(el, ...children) {
	el.replaceChildren();
	return append(el, children);
}

let ids = 0;
export function uid(prefix) {
	ids += 1;
	return `${prefix || 'id'}-${ids}`;
}

// A labelled control: field(label, control) -> <div class=field><label for>..</label>control</div>
export function field(label, control, hint) {
	if (!control.id) control.id = uid('f');
	return h('div.field', null, h('label', { for: control.id }, label), control,
		hint ? h('small.hint', null, hint) : null);
}

export function select(options, value, attrs) {
	return h('select', attrs, options.map(([v, label]) =>
		h('option', { value: v, selected: String(v) === String(value ?? '') }, label)));
}
