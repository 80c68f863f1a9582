// The browser half of test_dashboard.sh: Debian's chromium (headless)
// driven by playwright-core against the server the shell half started and
// filled. Environment: RQ_URL, RQ_CHROMIUM, RQ_REAL_EP / RQ_REAL_HOST (the
// real agent's endpoint), RQ_SHA (a sample on three machines in three
// units), RQ_DOWNLOADS (a folder: the report files downloaded through the
// page go there, with ids.txt naming each report, for the shell half to
// check), RQ_PHASE (main; ncsc-off: only the NCSC page of a server whose
// [ncsc] is not configured, and the tier tab of that server, whose
// [upstream] points where nothing listens), RQ_SCREENSHOTS (a folder: save the main pages
// there as PNG). Every page runs on the real server's answers, and the
// figures it shows are checked against the API's.
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';

const BASE = process.env.RQ_URL;
const SHOTS = process.env.RQ_SCREENSHOTS || '';
const REAL_EP = process.env.RQ_REAL_EP;
const REAL_HOST = process.env.RQ_REAL_HOST;
const SHA = process.env.RQ_SHA;
const DOWNLOADS = process.env.RQ_DOWNLOADS;
const PHASE = process.env.RQ_PHASE || 'main';

let failures = 0;
function check(ok, what) {
	if (ok) console.log(`ok: ${what}`);
	else { failures += 1; console.log(`FAIL: ${what}`); }
}

// the two string tables hold the same keys, none empty
{
	const web = new URL('../../web/assets/i18n/', import.meta.url);
	const vi = (await import(new URL('vi.js', web))).default;
	const en = (await import(new URL('en.js', web))).default;
	const missing = Object.keys(vi).filter((k) => !en[k]).concat(Object.keys(en).filter((k) => !vi[k]));
	check(missing.length === 0, `vi.js and en.js hold the same keys ${missing.join(' ')}`);
}

const browser = await chromium.launch({
	executablePath: process.env.RQ_CHROMIUM || '/usr/bin/chromium',
	headless: true,
	args: process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [],
});
const problems = [];
// A refusal a step provokes on purpose (wrong password, expired session,
// another unit's machine): that status on that URL is not a problem.
let provoked = null;

async function newPage(label) {
	const context = await browser.newContext({ viewport: { width: 1366, height: 768 }, locale: 'en-US', acceptDownloads: true });
	const page = await context.newPage();
	await page.addInitScript(() => document.addEventListener('securitypolicyviolation',
		(e) => console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`)));
	page.on('console', (m) => {
		if (m.type() !== 'error') return;
		const url = (m.location() && m.location().url) || '';
		const expected = /Failed to load resource/.test(m.text()) &&
			((/status of 401/.test(m.text()) && /\/api\/v1\/auth\/me/.test(url)) ||
			 (provoked && provoked.test(`${m.text()} ${url}`)));
		if (!expected) problems.push(`${label}: console: ${m.text()} ${url}`);
	});
	page.on('pageerror', (e) => problems.push(`${label}: page error: ${e.message}`));
	return page;
}

async function shot(page, name) {
	if (!SHOTS) return;
	mkdirSync(SHOTS, { recursive: true });
	await page.waitForTimeout(300);
	await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

async function login(page, user) {
	await page.goto(`${BASE}/`);
	await page.waitForSelector('form.login');
	await page.getByLabel(/Tên đăng nhập|Login/).fill(user);
	await page.getByLabel(/Mật khẩu|Password/).fill(`${user}-password-123`);
	await page.getByRole('button', { name: /Đăng nhập|Sign in/ }).click();
	await page.waitForSelector('.cards');
}

// The value of the overview's card whose label is `label`.
async function card(page, label) {
	return (await page.locator('.card', { has: page.locator('.label', { hasText: label }) }).locator('.value').textContent()).trim();
}

const dmy = /\b\d{2}\/\d{2}\/\d{4}\b/;
const dmyHm = /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/;

// The API's answer as the page's session sees it.
async function apiGet(page, path) {
	const r = await page.request.get(`${BASE}${path}`);
	return { status: r.status(), body: r.status() === 200 ? await r.json() : null };
}

// A change through the API with the session's CSRF token -> status.
async function apiSend(page, method, path, data) {
	const me = (await apiGet(page, '/api/v1/auth/me')).body;
	const r = await page.request.fetch(`${BASE}${path}`, { method, data, headers: { 'X-CSRF-Token': me.csrf_token } });
	return r.status();
}

// Click `link`, wait for the download it starts, save it as `path` -> the bytes.
async function download(page, link, path) {
	const [dl] = await Promise.all([page.waitForEvent('download'), link.click()]);
	await dl.saveAs(path);
	return { name: dl.suggestedFilename(), url: dl.url(), bytes: readFileSync(path) };
}

if (PHASE === 'ncsc-off') await ncscOff();

// ---------- the administrator: the whole province ----------
if (PHASE === 'main') {
	const page = await newPage('admin');
	await page.goto(`${BASE}/`);
	await page.waitForSelector('form.login');
	check(await page.evaluate(() => document.documentElement.lang) === 'vi', 'Vietnamese by default (<html lang="vi">)');
	check(await page.getByRole('heading', { name: 'Đăng nhập' }).isVisible(), 'login page in Vietnamese with diacritics');
	await page.getByLabel('Tên đăng nhập').fill('quantri');
	await page.getByLabel('Mật khẩu').fill('wrong-password');
	provoked = /status of 401 .*\/api\/v1\/auth\/login$/;
	await page.getByRole('button', { name: 'Đăng nhập' }).click();
	await page.waitForSelector('.error');
	check(/không đúng/.test(await page.locator('.error').textContent()), 'a wrong password is refused with a reason');
	provoked = null;
	await shot(page, 'login');
	await login(page, 'quantri');
	check(await card(page, 'Số máy') === '7', 'admin overview counts the 7 machines of the province');
	check((await page.locator('.top .who').textContent()).includes('Toàn tỉnh'), 'header shows the scope "Toàn tỉnh"');
	check((await page.locator('.top .who').textContent()).includes('Quản trị viên'), 'header shows the role');
	check(dmy.test(await page.locator('p.period').textContent()), 'the period is shown dd/mm/yyyy');
	check(await card(page, 'Bảo vệ thời gian thực') === '71,4 %', 'Vietnamese number format: 71,4 %');
	{
		const cov = (await apiGet(page, '/api/v1/coverage')).body.figures;
		const shown = [await card(page, 'Số máy'), await card(page, 'Mẫu cũ hơn 7 ngày'), await card(page, 'Đang nhiễm'),
			await card(page, 'Đã rà quét'), await card(page, 'Tệp đã xử lý')];
		const want = [cov.endpoints, cov.endpoints - cov.fresh_7d, cov.infected, cov.scanned, cov.files_cleaned].map(String);
		check(JSON.stringify(shown) === JSON.stringify(want), `overview: the cards show GET /api/v1/coverage's figures (${shown.join(', ')})`);
	}
	check(await page.locator('svg.chart rect.bar').count() === 6, 'freshness chart: six bars');
	await page.waitForSelector('#trend svg');
	{
		// the trend: the three days the server recorded, each line one point a day,
		// the machines' line rising as the history does
		const hist = (await apiGet(page, '/api/v1/coverage/history?days=90')).body.days;
		check(hist.length === 3 && hist.map((d) => d.figures.endpoints).join() === '3,5,6', `coverage history: three days recorded, 3, 5 and 6 machines (${hist.map((d) => d.day).join(' ')})`);
		check(await page.locator('#trend polyline').count() === 5, 'overview trend: five lines');
		const ys = (await page.locator('#trend polyline.s1').getAttribute('points')).split(' ').map((p) => Number(p.split(',')[1]));
		const counts = hist.map((d) => d.figures.endpoints);
		check(ys.length === hist.length && ys.every((y, i) => i === 0 || Math.sign(ys[i - 1] - y) === Math.sign(counts[i] - counts[i - 1])),
			`overview trend: the machines' line follows the history (${counts.join(', ')})`);
		const labels = await page.locator('#trend svg text').allTextContents();
		check(hist.every((d) => labels.includes(`${d.day.slice(8, 10)}/${d.day.slice(5, 7)}`)), 'overview trend: each day dd/mm on the axis');
	}
	await shot(page, 'overview');

	await page.goto(`${BASE}/#/units`);
	await page.waitForSelector('table');
	const names = await page.locator('tbody th').allTextContents();
	check(names.some((n) => n.includes('Sở Y tế')) && names.some((n) => n.includes('UBND huyện Hòa An')), 'units: the top-level units listed');
	const sortBtn = page.getByRole('button', { name: /Số máy/ });
	await sortBtn.focus();
	await page.keyboard.press('Enter');
	check(await page.locator('th[aria-sort="ascending"]').count() === 1, 'units: sorted from the keyboard (aria-sort)');
	const syt = page.locator('tbody tr', { hasText: 'Sở Y tế' });
	check(/bad/.test(await syt.locator('td').nth(4).getAttribute('class')), 'units: Sở Y tế (a machine 20 days behind) is red');
	await shot(page, 'units');
	await page.getByRole('link', { name: /UBND huyện Hòa An/ }).click();
	await page.waitForSelector('nav.crumbs [aria-current="page"]');
	check((await page.locator('nav.crumbs').textContent()).includes('UBND huyện Hòa An'), 'units: drill down shows the breadcrumb');
	await page.waitForSelector('tbody th:has-text("Phòng Giáo dục")');
	check(await page.locator('tbody th', { hasText: 'Phòng Giáo dục' }).count() === 1 &&
		await page.locator('tbody th', { hasText: 'Sở Y tế' }).count() === 0, 'units: the child unit listed, not the others');
	await page.locator('nav.crumbs a').first().click();
	await page.waitForSelector('tbody th >> text=Sở Y tế');

	await page.goto(`${BASE}/#/endpoints?q=syt`);
	await page.waitForSelector('table caption');
	check(await page.locator('tbody tr').count() === 3, 'endpoints: the server-side search finds the 3 machines of Sở Y tế');
	await page.goto(`${BASE}/#/endpoints`);
	await page.waitForSelector('table caption');
	check((await page.locator('.pager [role=status]').textContent()).includes('7'), 'endpoints: pager counts 7');
	await shot(page, 'endpoints');

	await page.goto(`${BASE}/#/detections`);
	await page.waitForSelector('table caption');
	check(await page.locator(`code:text("${SHA}")`).count() === 3, 'detections: the file\'s SHA-256 shown on its 3 detections');
	check(dmy.test(await page.locator('tbody td').first().textContent()), 'detections: dates dd/mm/yyyy HH:mm');
	await shot(page, 'detections');

	// an enrollment token for Hòa An: shown once, with the command to copy
	await page.goto(`${BASE}/#/admin/tokens`);
	await page.waitForSelector('form');
	await page.getByLabel('Đơn vị').selectOption({ label: 'UBND huyện Hòa An (HOAAN)' });
	await page.waitForSelector('h2:has-text("UBND huyện Hòa An")');
	await page.getByLabel('Ghi chú').fill('Máy trạm phòng Kế toán');
	await page.getByRole('button', { name: 'Tạo mới' }).click();
	await page.waitForSelector('#enroll-command');
	const cmd = await page.locator('#enroll-command').textContent();
	check(/^raquet agent enroll --server http:\/\/127\.0\.0\.1:\d+ --token rqe_[A-Za-z0-9_-]{43}$/.test(cmd), `token: the enroll command shown (${cmd.replace(/rqe_.*/, 'rqe_…')})`);
	await page.waitForSelector('tbody td:has-text("Máy trạm phòng Kế toán")');
	await shot(page, 'admin-token');
	await page.goto(`${BASE}/#/admin/units`);
	await page.waitForSelector('table');
	await shot(page, 'admin');
	const unitOpt = await page.evaluate(() => [...document.querySelectorAll('tbody tr')].length);
	check(unitOpt === 5, 'administration: the 5 units listed');
	const order = await page.locator('tbody tr td:nth-child(2)').allTextContents();
	check(order.indexOf('HOAAN-GD') === order.indexOf('HOAAN') + 1, 'administration: a sub-unit listed under its parent');
	await page.goto(`${BASE}/#/admin/policy`);
	await page.waitForSelector('table');
	await page.getByLabel('Đơn vị').selectOption({ label: '\u00a0\u00a0Phòng Giáo dục huyện Hòa An (HOAAN-GD)' });
	await page.waitForSelector('h2:has-text("Phòng Giáo dục")');
	check(await page.locator('tbody th').count() === 6, 'administration: policy fields listed');
	check(await page.locator('tbody tr', { hasText: 'Xử lý khi phát hiện' }).locator('td').last().textContent() === 'Kế thừa từ UBND huyện Hòa An',
		'administration: a policy value inherited from the parent unit says so');
	// the scan schedule form: a wrong time refused in the page, a day of the
	// month the server refuses (its reason shown), then saved and in force
	await page.getByLabel('Lịch rà quét').selectOption('own');
	const quick = page.locator('fieldset.schedule', { hasText: 'Quét nhanh' });
	const full = page.locator('fieldset.schedule', { hasText: 'Quét toàn bộ' });
	await quick.getByLabel('Tần suất').selectOption('week');
	check(await quick.getByLabel('Thứ', { exact: true }).isVisible() && !(await quick.getByLabel('Ngày trong tháng (1–28)').isVisible()),
		'schedule: a weekly scan asks for the weekday');
	await quick.getByLabel('Thứ', { exact: true }).selectOption('wed');
	await quick.getByLabel('Giờ (HH:MM)').fill('25:00');
	await full.getByLabel('Tần suất').selectOption('month');
	await full.getByLabel('Ngày trong tháng (1–28)').fill('29');
	await full.getByLabel('Giờ (HH:MM)').fill('16:00');
	const save = page.locator('section.panel', { hasText: 'Sửa chính sách' }).getByRole('button', { name: 'Lưu' });
	await save.click();
	await page.waitForSelector('.error:has-text("HH:MM")');
	check((await page.locator('.error').textContent()).includes('Quét nhanh'), 'schedule: a wrong time refused in the page, naming the scan');
	await quick.getByLabel('Giờ (HH:MM)').fill('10:30');
	provoked = /status of 400 .*\/policy$/;
	await save.click();
	await page.waitForSelector('.error:has-text("scan_schedule.full.day")');
	check(true, `schedule: the server's refusal shown (${(await page.locator('.error').textContent()).trim()})`);
	provoked = null;
	await full.getByLabel('Ngày trong tháng (1–28)').fill('5');
	await save.click();
	await page.waitForSelector('tbody td:has-text("Quét nhanh: hằng tuần, Thứ Tư lúc 10:30; Quét toàn bộ: hằng tháng, ngày 5 lúc 16:00")');
	const gd = (await apiGet(page, '/api/v1/units?limit=500')).body.items.find((u) => u.code === 'HOAAN-GD').id;
	const sched = (await apiGet(page, `/api/v1/units/${gd}/policy`)).body.own.scan_schedule;
	check(sched.quick.every === 'week' && sched.quick.day === 'wed' && sched.quick.time === '10:30' &&
		sched.full.every === 'month' && sched.full.day === 5 && sched.full.time === '16:00',
	`schedule: saved in the policy's shape ${JSON.stringify(sched)}`);
	check(await page.getByLabel('Lịch rà quét').inputValue() === 'own' && await quick.getByLabel('Thứ', { exact: true }).inputValue() === 'wed',
		'schedule: the form shows the unit\'s own schedule again');
	await shot(page, 'admin-policy');

	await signaturesPage(page);
	await samplesPages(page);
	await reportsAsAdmin(page);
	await ncscPage(page);
	await auditPage(page, 'admin');
	await intelAsAdmin(page);
	await sharingAsAdmin(page);

	// language: English, remembered over a reload, then back
	await page.goto(`${BASE}/#/overview`);
	await page.waitForSelector('.cards');
	await page.getByLabel('Ngôn ngữ').selectOption('en');
	await page.waitForSelector('h1:text("Overview")');
	check(await page.evaluate(() => document.documentElement.lang) === 'en', 'English: <html lang="en">');
	check(await card(page, 'Machines') === '7', 'English: figures relabelled');
	check(await card(page, 'Real-time protection') === '71.4%', 'English number format: 71.4%');
	check(dmy.test(await page.locator('p.period').textContent()), 'English: dates still dd/mm/yyyy');
	await page.reload();
	await page.waitForSelector('h1:text("Overview")');
	check(true, 'English remembered after a reload');
	await page.getByLabel('Language').selectOption('vi');
	await page.waitForSelector('h1:text("Tổng quan")');
	check(await page.evaluate(() => document.documentElement.lang) === 'vi', 'back to Vietnamese');

	// logout, then an expired session goes back to the login page
	await page.getByRole('button', { name: 'Đăng xuất' }).click();
	await page.waitForSelector('form.login');
	check(true, 'logout returns to the login page');
	await login(page, 'quantri');
	await page.context().clearCookies();
	provoked = /status of 401 .*\/api\/v1\/endpoints/;
	await page.goto(`${BASE}/#/endpoints`);
	await page.waitForSelector('form.login');
	check((await page.locator('main').textContent()).includes('hết hạn'), 'an expired session returns to login and says so');
	provoked = null;
	await page.context().close();
}

// ---------- the officer of UBND huyện Hòa An: its subtree only ----------
if (PHASE === 'main') {
	const page = await newPage('officer');
	await login(page, 'canbo');
	check(await card(page, 'Số máy') === '3', 'officer overview counts only the 3 machines of Hòa An');
	check((await page.locator('.top .who').textContent()).includes('UBND huyện Hòa An'), 'officer header shows its unit');
	await page.goto(`${BASE}/#/units`);
	await page.waitForSelector('table, .notice');
	const text = await page.locator('main').textContent();
	check(!text.includes('Sở Y tế') && text.includes('Phòng Giáo dục'), 'officer units: a unit outside is not listed');
	await page.goto(`${BASE}/#/endpoints`);
	await page.waitForSelector('table caption');
	const hosts = await page.locator('tbody th').allTextContents();
	check(hosts.length === 3 && !hosts.some((h) => h.startsWith('syt')), 'officer endpoints: only its machines');

	// a quick scan from the endpoint's page, carried out by the real agent
	await page.goto(`${BASE}/#/endpoints/${REAL_EP}`);
	await page.waitForSelector(`h1:text("${REAL_HOST}")`);
	await page.getByRole('button', { name: 'Quét nhanh ngay' }).click();
	await page.waitForSelector('.progress p');
	check(await page.locator('.progress[aria-live="polite"]').count() === 1, 'task progress in an aria-live region');
	try {
		await page.waitForSelector('.progress p:has-text("Hoàn thành")', { timeout: 180000 });
		check(true, 'the quick scan task completed on the real agent');
	} catch {
		check(false, `the quick scan task completed: ${await page.locator('.progress').textContent()}`);
	}
	await page.waitForTimeout(2500);
	await page.reload();
	await page.waitForSelector(`h1:text("${REAL_HOST}")`);
	check(await page.locator('section.panel', { hasText: 'Lịch sử rà quét' }).locator('tbody tr', { hasText: 'Quét nhanh' }).count() >= 1,
		'the scan shows in the endpoint\'s scan history');
	await shot(page, 'endpoint');

	// quarantine a detection of another machine of the unit: a task queued for it
	await page.goto(`${BASE}/#/endpoints?q=hoaan-vanphong`);
	await page.locator('tbody th a').first().click();
	await page.waitForSelector('h1:text("hoaan-vanphong-01")');
	await page.getByRole('button', { name: 'Cách ly' }).click();
	await page.waitForSelector('.progress p:has-text("Cách ly: Đang chờ")');
	await page.waitForSelector('section.panel tbody td:has-text("/home/ketoan/Downloads/setup.exe")');
	check(await page.locator('section.panel', { hasText: 'Lệnh điều khiển' }).locator('tbody tr', { hasText: 'setup.exe' }).count() === 1,
		'a quarantine task queued from a detection, listed with its path');

	// reports: its unit's, never the province's (not offered; the API refuses)
	await page.goto(`${BASE}/#/reports`);
	await page.waitForSelector('section.panel h2');
	const kinds = await page.getByLabel('Loại báo cáo').locator('option').allTextContents();
	check(kinds.length === 1 && kinds[0] === 'Báo cáo đơn vị', 'officer reports: only a unit report offered');
	const units = await page.getByLabel('Đơn vị', { exact: true }).locator('option').allTextContents();
	check(units.length === 2 && units.every((u) => u.includes('Hòa An')), 'officer reports: only the units of its subtree');
	const mine = await makeReport(page, 'unit', 'UBND huyện Hòa An (HOAAN)');
	check(mine.unit.code === 'HOAAN', `officer reports: its unit's report made (#${mine.id})`);
	provoked = /status of 403 .*\/api\/v1\/reports/;
	const now = Math.floor(Date.now() / 1000);
	check(await apiSend(page, 'POST', '/api/v1/reports', { kind: 'province', from: now - 86400, to: now }) === 403,
		'officer reports: the API refuses the province\'s report (403)');
	const list = (await apiGet(page, '/api/v1/reports?limit=50')).body;
	check(list.items.every((r) => r.kind === 'unit' && r.unit.code.startsWith('HOAAN')) &&
		(await page.locator('tbody tr', { hasText: 'Toàn tỉnh' }).count()) === 0, 'officer reports: the province\'s reports not listed');
	check(await page.locator('nav.mainnav a', { hasText: 'Báo cáo NCSC' }).count() === 0, 'officer: no NCSC page in the navigation');
	await intelReadOnly(page, 'officer');
	await auditPage(page, 'officer');
	await page.goto(`${BASE}/#/audit`);
	await page.waitForSelector('section.panel tbody tr');
	check(!(await page.locator('section.panel tbody').textContent()).includes('Sở Y tế'), 'officer audit: no entry of a unit outside');
	provoked = null;
	await page.context().close();
}

// ---------- machines protected by other products: the officer declares, imports, edits, removes ----------
if (PHASE === 'main') {
	const page = await newPage('declared');
	await login(page, 'canbo');
	const me = (await apiGet(page, '/api/v1/auth/me')).body;
	const unitId = me.user.unit ? me.user.unit.id : me.user.unit_id;
	await page.goto(`${BASE}/#/units/${unitId}`);
	// the heading is drawn at once, the table once the list has come
	await page.waitForSelector('section.declared table');
	const panel = page.locator('section.declared');
	check(await panel.locator('tbody td.empty').count() === 1, 'declared machines: none yet on the unit\'s page');
	const vnToday = new Date(Date.now() + 7 * 3600 * 1000).toISOString().slice(0, 10).split('-').reverse().join('/');
	await panel.getByLabel('Tên máy').fill('KeToan-PC');
	await panel.getByLabel('Loại', { exact: true }).selectOption('workstation');
	await panel.getByLabel('Sản phẩm', { exact: true }).fill('Kaspersky Endpoint Security 11');
	await panel.getByLabel('Cập nhật mẫu').fill(vnToday);
	await panel.getByRole('button', { name: 'Khai báo', exact: true }).click();
	await panel.locator('tbody tr', { hasText: 'ketoan-pc' }).waitFor();
	const row = await panel.locator('tbody tr', { hasText: 'ketoan-pc' }).textContent();
	check(row.includes('Kaspersky Endpoint Security 11') && /\d{2}\/\d{2}\/\d{4}/.test(row) && row.includes('Máy trạm'),
		`declared from the form, listed with its product and date: ${row}`);

	// a CSV with bad rows: nothing imported, every bad row named
	const file = panel.getByLabel('Tệp CSV');
	const csv = (rows) => Buffer.from('\ufeffTên máy;Loại;Sản phẩm;Cập nhật mẫu\r\n' + rows.join('\r\n') + '\r\n');
	await file.setInputFiles({ name: 'kiem-ke.csv', mimeType: 'text/csv',
		buffer: csv(['srv-01;máy chủ;BKAV Pro;01/02/2026', 'bad host;máy chủ;X;', 'pc-02;laptop;X;31/02/2026']) });
	provoked = /status of 400 .*declared-machines\/import/;
	await panel.getByRole('button', { name: 'Nhập', exact: true }).click();
	await panel.locator('.importerrors table').waitFor();
	const errs = await panel.locator('.importerrors tbody tr').allTextContents();
	check(errs.length === 3 && errs[0].startsWith('3hostname') && errs.some((e) => e.startsWith('4kind')) &&
		errs.some((e) => e.startsWith('4sig_updated') && e.includes('no such day')),
		`a bad inventory lists each bad row, column and reason: ${errs.join(' | ')}`);
	check(await panel.locator('table:not(.importerrors table) caption', { hasText: 'Máy khai báo' }).count() === 1 &&
		(await apiGet(page, `/api/v1/declared-machines?unit=${unitId}`)).body.total === 1, 'nothing of the bad file imported');
	provoked = null;
	// the corrected file: imported, the existing machine updated by hostname
	await file.setInputFiles({ name: 'kiem-ke.csv', mimeType: 'text/csv',
		buffer: csv(['srv-01;máy chủ;BKAV Pro;01/02/2026', 'pc-02;khác;"ESET; Endpoint";', `KETOAN-PC;máy trạm;Kaspersky 12;${vnToday}`]) });
	await panel.getByRole('button', { name: 'Nhập', exact: true }).click();
	await panel.locator('p.notice', { hasText: 'Đã nhập 3 máy' }).waitFor();
	await panel.locator('tbody tr', { hasText: 'srv-01' }).waitFor();
	check(await panel.locator('caption:has-text("Máy khai báo") ~ tbody tr').count() === 3 &&
		(await panel.locator('tbody tr', { hasText: 'ketoan-pc' }).textContent()).includes('Kaspersky 12'),
		'the inventory imported: 2 new, ketoan-pc updated, not duplicated');
	check((await panel.locator('p.summary').textContent()).includes('ESET; Endpoint (1)'), 'the unit\'s products summed');
	await shot(page, 'declared-machines');
	// edited from its row
	await panel.locator('tbody tr', { hasText: 'srv-01' }).getByRole('button', { name: 'Sửa' }).click();
	check(await panel.getByLabel('Tên máy').inputValue() === 'srv-01', 'the form holds the machine being edited');
	await panel.getByLabel('Sản phẩm', { exact: true }).fill('BKAV Endpoint');
	await panel.getByRole('button', { name: 'Lưu', exact: true }).click();
	await panel.locator('tbody tr', { hasText: 'BKAV Endpoint' }).waitFor();
	check(true, 'a declared machine edited');
	// the overview counts them
	await page.goto(`${BASE}/#/`);
	await page.waitForSelector('.cards');
	check(await card(page, 'Số máy') === '6' &&
		(await page.locator('.card', { has: page.locator('.label', { hasText: 'Số máy' }) }).textContent()).includes('gồm 3 máy dùng sản phẩm khác'),
		'the overview counts the 3 declared machines among 6');
	// removed from their rows (the rest of the run counts agents only)
	await page.goto(`${BASE}/#/units/${unitId}`);
	await page.waitForSelector('section.declared tbody tr');
	page.on('dialog', (d) => d.accept());
	for (let i = 3; i > 0; i--) {
		await page.locator('section.declared tbody tr').first().getByRole('button', { name: 'Xoá' }).click();
		await page.waitForFunction((n) => document.querySelectorAll('section.declared tbody tr:not(:has(td.empty))').length === n, i - 1);
	}
	check((await apiGet(page, `/api/v1/declared-machines?unit=${unitId}`)).body.total === 0, 'declared machines removed from the page');
	await page.context().close();
}

// ---------- the viewer of Sở Y tế: reads only ----------
if (PHASE === 'main') {
	const page = await newPage('viewer');
	await login(page, 'xem');
	check(await card(page, 'Số máy') === '3', 'viewer overview counts the 3 machines of Sở Y tế');
	check(await card(page, 'Đang nhiễm') === '1', 'viewer overview: one infected machine');
	await page.goto(`${BASE}/#/endpoints`);
	await page.waitForSelector('table caption');
	await page.locator('tbody th a').first().click();
	await page.waitForSelector('section.panel');
	check(await page.getByRole('button', { name: 'Quét nhanh ngay' }).count() === 0, 'viewer: no action buttons');
	provoked = new RegExp(`status of 403 .*/api/v1/endpoints/${REAL_EP}$`);
	await page.goto(`${BASE}/#/endpoints/${REAL_EP}`);
	await page.waitForSelector('.error');
	provoked = null;
	check(true, 'viewer: another unit\'s endpoint is refused with the server\'s reason');
	check(await page.locator('nav.mainnav a', { hasText: 'Báo cáo NCSC' }).count() === 0, 'viewer of a unit: no NCSC page');
	await page.goto(`${BASE}/#/reports`);
	await page.waitForSelector('section.panel h2');
	check(await page.getByRole('button', { name: 'Lập báo cáo' }).count() === 0, 'viewer: reports listed, no form to make one');
	await page.context().close();
}

// ---------- a province-wide viewer: reads the NCSC log and the province's reports ----------
if (PHASE === 'main') {
	const page = await newPage('province viewer');
	await login(page, 'xemtinh');
	await page.goto(`${BASE}/#/ncsc`);
	await page.waitForSelector('section.panel tbody tr');
	const api = (await apiGet(page, '/api/v1/ncsc/submissions')).body;
	check(api.total === 1 && (await page.locator('section.panel tbody tr').count()) === 1, 'province viewer: the NCSC log read');
	check(await page.getByRole('button', { name: 'Gửi báo cáo ngay' }).count() === 0, 'province viewer: no "send now"');
	await page.goto(`${BASE}/#/sharing`);
	await page.waitForSelector('h1:text("Chia sẻ dữ liệu")');
	check(await page.locator('a.button', { hasText: 'Tải gói STIX 2.1' }).count() === 1 &&
		await page.getByRole('button', { name: 'Tạo mã API' }).count() === 1,
	'province viewer: the sharing page, its downloads and API tokens');
	// a token for a partner made on the page, shown once, then read TAXII with
	await page.getByLabel('Tên mã').fill('TAXII cho NCSC');
	await page.getByRole('button', { name: 'Tạo mã API' }).click();
	await page.waitForSelector('.once pre');
	const token = (await page.locator('.once pre').textContent()).trim();
	await page.waitForSelector('tbody td:has-text("TAXII cho NCSC")');
	// (node's fetch: no session cookie, the token alone)
	const taxii = await fetch(`${BASE}/taxii2/raquet/collections/`, {
		headers: { Authorization: `Basic ${Buffer.from(`partner:${token}`).toString('base64')}`, Accept: 'application/taxii+json;version=2.1' },
	});
	check(/^rqt_/.test(token) && taxii.status === 200 && (await taxii.json()).collections.length === 1,
		'province viewer: an API token made on the sharing page reads the TAXII collection (HTTP Basic)');
	await page.goto(`${BASE}/#/reports`);
	await page.waitForSelector('section.panel tbody tr');
	check(await page.locator('tbody tr', { hasText: 'Toàn tỉnh' }).count() >= 1 && await page.getByRole('button', { name: 'Lập báo cáo' }).count() === 0,
		'province viewer: the province\'s reports listed, no form');
	await page.context().close();
}

// ---------- pages of the admin's round, as functions ----------

// Signatures: the mirror's database and the machines behind it, as the API says.
async function signaturesPage(page) {
	const sig = (await apiGet(page, '/api/v1/signatures')).body;
	const lag = (await apiGet(page, '/api/v1/endpoints?outdated=true&limit=50')).body;
	await page.goto(`${BASE}/#/signatures`);
	await page.waitForFunction(() => !document.querySelector('main .loading'));
	const main = sig.databases.find((d) => d.name === 'main');
	check(main && main.version === 3 && main.behind === 2, `signatures API: main 3, 2 machines behind (${JSON.stringify(main)})`);
	const row = page.locator('section.panel').first().locator('tbody tr', { hasText: 'main' });
	const cells = (await row.locator('td').allTextContents()).map((c) => c.trim());
	check(cells[0] === '3' && cells[2] === String(main.current) && cells[3] === String(main.behind) && cells[4] === String(main.unknown),
		`signatures: the database row shows the API's figures (${cells.join(' | ')})`);
	check((await page.locator('section.panel').first().textContent()).includes(`Tổng số máy: ${sig.endpoints}`), `signatures: ${sig.endpoints} machines`);
	const hosts = (await page.locator('section.panel').nth(1).locator('tbody th, tbody td:first-child').allTextContents()).map((x) => x.trim());
	const want = lag.items.map((e) => e.hostname).sort();
	check(lag.total === 2 && JSON.stringify(hosts.filter((x) => want.includes(x)).sort()) === JSON.stringify(want),
		`signatures: the machines behind listed (${want.join(', ')})`);
	await shot(page, 'signatures');
}

// Threat intelligence as the administrator: an IOC list with a bad line
// refused (the error names the line, nothing imported), then imported; the
// indicators as the API lists them; the sample allow-listed from its
// detections page (confirmed) and then on the intelligence page's allow-list.
async function intelAsAdmin(page) {
	const good = 'b'.repeat(64);
	await page.locator('nav.mainnav a', { hasText: 'Tình báo' }).click();
	await page.waitForSelector('h1:text("Tình báo mối đe dọa")');
	await page.waitForSelector('section.intelstatus dl.facts');
	const form = page.locator('form.importform');
	await form.getByLabel('Loại tệp').selectOption('ioc-list');
	await form.getByLabel('Nguồn').fill('Bản tin CERT');
	await form.getByLabel('Độ tin cậy').fill('80');
	const list = (bad) => Buffer.from(['# bản tin thử', `${good} IOC.Test_dropper`, bad ? 'not-a-hash!' : 'c2.vidu-doc-hai.vn', '203.0.113.9', ''].join('\n'));
	await form.getByLabel('Tệp', { exact: true }).setInputFiles({ name: 'bulletin.txt', mimeType: 'text/plain', buffer: list(true) });
	provoked = /status of 400 .*\/api\/v1\/intel\/imports/;
	await form.getByRole('button', { name: 'Nhập' }).click();
	await page.waitForSelector('.importresult [role=alert]');
	const err = await page.locator('.importresult [role=alert]').textContent();
	check(err.includes('bulletin.txt:3'), `intel import: a bad line refused, the error names it (${err.trim()})`);
	provoked = null;
	check((await apiGet(page, '/api/v1/intel/indicators')).body.total === 0, 'intel import: nothing imported from the bad file');
	await form.getByLabel('Tệp', { exact: true }).setInputFiles({ name: 'bulletin.txt', mimeType: 'text/plain', buffer: list(false) });
	await form.getByRole('button', { name: 'Nhập' }).click();
	await page.waitForSelector('.importresult p.notice');
	check((await page.locator('.importresult p.notice').textContent()).includes('Đã nhập 3 dấu hiệu: 3 mới'), 'intel import: 3 indicators added');
	const api = (await apiGet(page, '/api/v1/intel/indicators')).body;
	await page.waitForSelector(`tbody code:text("${good}")`);
	check(api.total === 3 && (await page.locator('section.panel', { hasText: '3 dấu hiệu' }).locator('caption').count()) === 1,
		'intel: the 3 indicators listed as the API has them');
	const row = page.locator('tbody tr', { has: page.locator(`code:text("${good}")`) });
	check((await row.textContent()).includes('Bản tin CERT') && (await row.textContent()).includes('IOC.Test_dropper'),
		'intel: an indicator with its source and name');
	check((await page.locator('section.panel', { hasText: 'Nguồn' }).last().textContent()).includes('Bản tin CERT'), 'intel: the source listed');
	await page.waitForSelector('section.taxiipulls table');
	check((await page.locator('section.taxiipulls').textContent()).includes('Chưa cấu hình nguồn TAXII nào'),
		'intel: the TAXII sources panel (none configured here; test_taxii_pull.sh pulls)');

	// the sample from its detections page onto the allow-list
	await page.goto(`${BASE}/#/detections/samples/${SHA}`);
	await page.waitForSelector('dl.facts');
	page.once('dialog', (d) => d.accept());
	await page.getByRole('button', { name: 'Đánh dấu nhầm (false positive)' }).click();
	await page.waitForSelector('.fpbox p.notice');
	check((await page.locator('.fpbox').textContent()).includes('«daily» kế tiếp'), 'false positive: marked from the sample page, reaches agents with the next daily');
	const allowed = (await apiGet(page, '/api/v1/intel/indicators?allowlisted=true')).body;
	check(allowed.total === 1 && allowed.items[0].value === SHA, 'false positive: the sample\'s SHA-256 allow-listed in the API');
	await page.goto(`${BASE}/#/intel`);
	await page.waitForSelector(`section.panel:has-text("1 mã băm được loại trừ") code:text("${SHA}")`);
	check(true, 'false positive: on the intelligence page\'s allow-list');
	const status = (await apiGet(page, '/api/v1/intel/status')).body;
	check((await page.locator('section.intelstatus').textContent()).includes(status.publishing ? 'Đang bật' : 'Chưa bật'), 'intel: the publish status shown');
	await shot(page, 'intel');
}

// Sharing as the administrator: the STIX bundle of the last 30 days
// downloaded through the page holds the sample's indicator; the TAXII URL shown.
async function sharingAsAdmin(page) {
	await page.locator('nav.mainnav a', { hasText: 'Chia sẻ' }).click();
	await page.waitForSelector('h1:text("Chia sẻ dữ liệu")');
	check((await page.locator('code.url').first().textContent()) === `${BASE}/taxii2/`, 'sharing: the TAXII discovery URL shown');
	const dl = await download(page, page.locator('a.button', { hasText: 'Tải gói STIX 2.1' }), `${DOWNLOADS}/stix.json`);
	let bundle = null;
	try { bundle = JSON.parse(dl.bytes.toString('utf8')); } catch { /* checked below */ }
	const ind = bundle && (bundle.objects || []).find((o) => o.type === 'indicator' && o.pattern.includes(SHA));
	check(bundle && bundle.type === 'bundle' && ind && /raquet-stix-\d+-\d+\.json/.test(dl.name),
		`sharing: the STIX bundle downloaded (${dl.name}) holds the sample's indicator`);
	const misp = await download(page, page.locator('a.button', { hasText: 'Tải sự kiện MISP' }), `${DOWNLOADS}/misp.json`);
	check(JSON.parse(misp.bytes.toString('utf8')).Event.Attribute.some((a) => a.value === SHA), 'sharing: the MISP event holds the sample');
	await shot(page, 'sharing');
}

// Threat intelligence read only: the indicators, no import form, no buttons.
async function intelReadOnly(page, who) {
	await page.goto(`${BASE}/#/intel`);
	await page.waitForSelector(`section.panel caption`);
	check(await page.locator('form.importform').count() === 0 && await page.getByRole('button', { name: 'Xoá' }).count() === 0 &&
		(await page.locator('tbody code').count()) >= 3, `${who}: intelligence read, no import form, no delete`);
	check(await page.locator('nav.mainnav a', { hasText: 'Chia sẻ' }).count() === 0, `${who}: no sharing page`);
}

// Samples: the file on three machines in three units, one row per unit.
async function samplesPages(page) {
	const api = (await apiGet(page, `/api/v1/detections/samples/${SHA}`)).body;
	check(api.endpoints === 3 && api.units === 3, `samples API: ${SHA.slice(0, 8)}… on 3 machines in 3 units`);
	await page.goto(`${BASE}/#/detections/samples`);
	await page.waitForSelector('tbody tr');
	check((await page.locator('tbody tr', { has: page.locator(`a[href="#/detections/samples/${SHA}"]`) }).textContent()).includes('trên 3 máy tại 3 đơn vị'),
		'samples: the same file on 3 machines in 3 units');
	await page.locator(`tbody a[href="#/detections/samples/${SHA}"]`).first().click();
	await page.waitForSelector('dl.facts');
	check((await page.locator('dl.facts').textContent()).includes(SHA), 'sample page: its SHA-256');
	const rows = await page.locator('tbody tr').allTextContents();
	check(rows.length === api.by_unit.length && api.by_unit.every((u) => rows.some((r) => r.includes(u.unit.name))),
		`sample page: one row per unit (${api.by_unit.map((u) => u.unit.code).join(', ')})`);
	await shot(page, 'detections-sample');
}

// Make a report from the form -> its id (the newest report of that kind).
async function makeReport(page, kind, unitLabel) {
	await page.getByLabel('Loại báo cáo').selectOption(kind);
	if (unitLabel) await page.getByLabel('Đơn vị', { exact: true }).selectOption({ label: unitLabel });
	await page.getByRole('button', { name: 'Lập báo cáo' }).click();
	await page.waitForSelector('p.notice:has-text("Đã lập báo cáo")');
	const list = (await apiGet(page, `/api/v1/reports?kind=${kind}&limit=1`)).body;
	return list.items[0];
}

// Download the three files of report `r` through its row's links into
// RQ_DOWNLOADS/NAME.{xlsx,pdf,csv}; ids.txt gets "NAME ID".
async function downloadReport(page, r, name) {
	for (const f of ['xlsx', 'pdf', 'csv']) {
		const link = page.getByRole('link', { name: `Tải về ${f.toUpperCase()} #${r.id}` });
		const d = await download(page, link, `${DOWNLOADS}/${name}.${f}`);
		check(d.url.endsWith(`/api/v1/reports/${r.id}/file?format=${f}`) && d.name.endsWith(`.${f}`) && d.bytes.length > 100,
			`reports: ${name} ${f.toUpperCase()} downloaded from the page (${d.name}, ${d.bytes.length} bytes)`);
	}
	appendFileSync(`${DOWNLOADS}/ids.txt`, `${name} ${r.id}\n`);
}

async function reportsAsAdmin(page) {
	await page.goto(`${BASE}/#/reports`);
	await page.waitForSelector('section.panel h2');
	check(await page.getByLabel('Loại báo cáo').inputValue() === 'province' && !(await page.getByLabel('Đơn vị', { exact: true }).isVisible()),
		'reports: a province report asks for no unit');
	await page.getByLabel('Từ ngày (dd/mm/yyyy)').fill('31/02/2026');
	await page.getByRole('button', { name: 'Lập báo cáo' }).click();
	await page.waitForSelector('.error');
	check((await page.locator('.error').textContent()).includes('dd/mm/yyyy'), 'reports: an impossible date is refused');
	const from = new Date(Date.now() - 30 * 86400000);
	const pad = (n) => String(n).padStart(2, '0');
	await page.getByLabel('Từ ngày (dd/mm/yyyy)').fill(`${pad(from.getDate())}/${pad(from.getMonth() + 1)}/${from.getFullYear()}`);
	const prov = await makeReport(page, 'province');
	check(prov.kind === 'province' && prov.unit === null, `reports: the province report made (#${prov.id})`);
	await page.getByLabel('Loại báo cáo').selectOption('unit');
	check(await page.getByLabel('Đơn vị', { exact: true }).isVisible(), 'reports: a unit report asks for the unit');
	const unit = await makeReport(page, 'unit', 'UBND huyện Hòa An (HOAAN)');
	check(unit.kind === 'unit' && unit.unit.code === 'HOAAN', `reports: the unit report of UBND huyện Hòa An made (#${unit.id})`);
	await page.waitForSelector(`a[aria-label="Tải về XLSX #${unit.id}"]`);
	const row = page.locator('tbody tr', { has: page.locator(`a[aria-label="Tải về XLSX #${prov.id}"]`) });
	check(dmy.test(await row.textContent()) && (await row.textContent()).includes('Toàn tỉnh'), 'reports: listed with its period dd/mm/yyyy');
	await downloadReport(page, prov, 'province');
	await downloadReport(page, unit, 'unit');
	await shot(page, 'reports');
}

// The NCSC page: "send now" makes a report, the worker's attempt at an
// address that refuses leaves it queued with the error; the signed
// document downloaded is the one whose digest and size the log shows.
async function ncscPage(page) {
	await page.goto(`${BASE}/#/ncsc`);
	await page.waitForSelector('section.panel h2');
	check(await page.locator('nav.mainnav a', { hasText: 'Báo cáo NCSC' }).count() === 1, 'NCSC: in the admin\'s navigation');
	await page.getByRole('button', { name: 'Gửi báo cáo ngay' }).click();
	await page.waitForSelector('p.notice:has-text("đang chờ gửi")');
	let sub = null;
	for (let i = 0; i < 60 && !(sub && sub.attempts >= 1); i++) {
		await page.waitForTimeout(500);
		sub = (await apiGet(page, '/api/v1/ncsc/submissions?limit=1')).body.items[0];
	}
	check(sub && sub.state === 'queued' && sub.attempts >= 1 && sub.last_error, `NCSC API: queued after a failed attempt (${sub && sub.last_error})`);
	await page.getByRole('button', { name: 'Làm mới' }).click();
	await page.waitForSelector(`tbody td:has-text("${sub.last_error.slice(0, 30)}")`);
	const row = page.locator('tbody tr').first();
	const text = await row.textContent();
	check(text.includes('Đang chờ gửi') && text.includes(sub.sha256.slice(0, 16)) && text.includes(new Intl.NumberFormat('vi-VN').format(sub.size)),
		'NCSC: the log row shows state, digest and size');
	check(dmy.test(text) && text.includes('lần thử tiếp'), 'NCSC: times dd/mm/yyyy and the next attempt');
	const d = await download(page, row.getByRole('link', { name: `Tải về #${sub.id}` }), `${DOWNLOADS}/ncsc-${sub.id}.xml`);
	check(createHash('sha256').update(d.bytes).digest('hex') === sub.sha256 && d.bytes.length === sub.size,
		'NCSC: the signed document downloaded is the one sent (SHA-256 and size)');
	check((await row.getByRole('link', { name: `Xem #${sub.id}` }).getAttribute('href')) === `/api/v1/ncsc/submissions/${sub.id}/document`,
		'NCSC: a link to view the document');
	await shot(page, 'ncsc');
}

// The audit log: dd/mm/yyyy HH:mm, the API's total, an action filter.
async function auditPage(page, who) {
	await page.goto(`${BASE}/#/audit`);
	await page.waitForSelector('section.panel tbody');
	const all = (await apiGet(page, '/api/v1/audit?limit=50')).body;
	check((await page.locator('.pager [role=status]').textContent()).includes(`/ ${all.total}`), `audit (${who}): the API's ${all.total} entries counted`);
	const first = (await page.locator('section.panel tbody tr').first().locator('td').first().textContent()).trim();
	check(dmyHm.test(first), `audit (${who}): time dd/mm/yyyy HH:mm (${first})`);
	if (who === 'admin') await shot(page, 'audit');
	await page.getByLabel('Thao tác', { exact: true }).selectOption('report.');
	await page.getByRole('button', { name: 'Lọc' }).click();
	await page.waitForURL(/action=report/);
	await page.waitForSelector('section.panel tbody tr');
	const reps = (await apiGet(page, '/api/v1/audit?action=report.')).body;
	const rows = await page.locator('section.panel tbody tr').allTextContents();
	check(reps.total >= 1 && rows.length === reps.total && rows.every((r) => r.includes('report.create')),
		`audit (${who}): filtered to the ${reps.total} report.create entries`);
	const details = await page.locator('section.panel tbody tr', { hasText: 'report.create' }).first().locator('.details').textContent();
	check(/from: \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}/.test(details), `audit (${who}): a report's period in its details dd/mm/yyyy (${details})`);
	return all;
}

// [ncsc] not configured: "send now" says so (409 not_configured).
async function ncscOff() {
	const page = await newPage('ncsc-off');
	await login(page, 'quantri');
	await page.goto(`${BASE}/#/ncsc`);
	await page.waitForSelector('section.panel h2');
	provoked = /status of 409 .*\/api\/v1\/ncsc\/submissions$/;
	await page.getByRole('button', { name: 'Gửi báo cáo ngay' }).click();
	await page.waitForSelector('[role=alert]:has-text("Chưa cấu hình gửi báo cáo NCSC")');
	check((await page.locator('[role=alert]').textContent()).includes('[ncsc] url'), 'NCSC without [ncsc] url: the page says it is not configured and how');
	provoked = null;
	await shot(page, 'ncsc-not-configured');
	// this server reports to an upstream where nothing listens: its report
	// waits in the queue, with the failed attempt and the error
	const up = async () => (await apiGet(page, '/api/v1/upstream')).body;
	for (let i = 0; i < 100 && !((await up()).attempts >= 1); i++) await page.waitForTimeout(100);
	const want = await up();
	await page.goto(`${BASE}/#/admin/tier`);
	await page.waitForSelector('#upstream dl');
	const fact = async (label) => (await page.locator('#upstream dt', { hasText: label }).first().locator('xpath=following-sibling::dd[1]').textContent()).trim();
	check(await fact('Địa chỉ máy chủ cấp trên') === 'https://127.0.0.1:9' && await fact('Hàng đợi báo cáo') === '1 báo cáo chờ gửi' &&
		await fact('Số lần thử gửi') === String(want.attempts) && want.attempts >= 1,
		`upstream panel: the URL, the report queued and its attempts (${want.attempts})`);
	const err = await fact('Lỗi gần nhất');
	check(err.length > 1 && err === want.last_error && dmyHm.test(await fact('Lần gửi tiếp theo')) && await fact('Gửi thành công lần cuối') === '—',
		`upstream panel: the last error and the next attempt (${err})`);
	check((await page.locator('#upstream').textContent()).includes('[upstream] keys chưa được cấu hình'),
		'upstream panel: says the upstream\'s databases are not synced without [upstream] keys');
	await shot(page, 'admin-tier-upstream');
	await page.context().close();
}

// ---------- a campaign run through: the department, the officer, the viewer ----------
if (PHASE === 'main') {
	// dd/mm/yyyy of today + n days in Vietnam (UTC+7), whatever this machine's zone
	const vn = (n) => {
		const d = new Date(Date.now() + 7 * 3600000 + n * 86400000);
		const p = (x) => String(x).padStart(2, '0');
		return `${p(d.getUTCDate())}/${p(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
	};
	const hoaanRow = (page) => page.locator('tbody tr', { has: page.locator('th', { hasText: /^\s*UBND huyện Hòa An$/ }) });
	const admin = await newPage('campaign-admin');
	await login(admin, 'quantri');
	await admin.goto(`${BASE}/#/campaigns`);
	await admin.waitForSelector('table caption');
	await admin.locator('summary', { hasText: 'Tạo chiến dịch mới' }).click();
	await admin.getByLabel('Tên chiến dịch').fill('Rà quét, bóc gỡ mã độc 2026');
	await admin.getByLabel('Từ ngày (dd/mm/yyyy)').fill(vn(-10));
	await admin.getByLabel('Đến ngày (dd/mm/yyyy)').fill(vn(60));
	await admin.getByLabel('Hạn đơn vị báo cáo').fill(vn(5));
	await admin.getByLabel('Hạn Sở báo cáo').fill(vn(12));
	await admin.getByRole('button', { name: 'Tạo chiến dịch' }).click();
	await admin.waitForSelector('table caption:has-text("Tiến độ thực hiện")');
	check(await admin.locator('tbody tr').count() === 5, 'campaign progress: a row per unit of the province');
	check((await admin.locator('.cards').textContent()).includes('còn 5 ngày'), 'campaign: days left to the units\' deadline');
	check(/warn/.test(await hoaanRow(admin).locator('td').nth(0).getAttribute('class')), 'campaign progress: Hòa An\'s training due soon (amber)');
	const campaignUrl = admin.url();
	await shot(admin, 'campaign-progress');

	// the officer fills in its checklist
	const off = await newPage('campaign-officer');
	await login(off, 'canbo');
	await off.waitForSelector('#deadlines li');
	check((await off.locator('#deadlines').textContent()).includes('còn 5 ngày'), 'overview: days left to each deadline of the campaign');
	await off.waitForSelector('section.reminders li');
	{
		const items = await off.locator('section.reminders li').allTextContents();
		check(items.length === 2 && items.every((x) => x.includes('còn 5 ngày') && x.includes('Tập huấn nâng cao nhận thức')),
			`overview reminders: the officer's unit and sub-unit, due in 5 days, their pending items (${items.join(' | ')})`);
		check(items.some((x) => x.includes('UBND huyện Hòa An')) && !items.some((x) => x.includes('Sở Y tế')),
			'overview reminders: only the officer\'s subtree');
		const href = await off.locator('section.reminders li a', { hasText: /^UBND huyện Hòa An$/ }).getAttribute('href');
		check(/^#\/campaigns\/\d+\/units\/\d+$/.test(href), `overview reminders: a link to the unit's checklist (${href})`);
	}
	await shot(off, 'reminders-overview');
	await off.locator('#deadlines a').first().click();
	await off.waitForSelector('table caption:has-text("Tiến độ thực hiện")');
	check(await off.locator('tbody tr').count() === 2, 'officer: its unit and sub-unit only in the progress');
	await hoaanRow(off).locator('th a').click();
	await off.waitForSelector('section[data-kind="training"]');
	const training = off.locator('section[data-kind="training"]');
	await training.getByLabel('Ngày tổ chức').fill(vn(-2));
	await training.getByLabel('Chủ đề').fill('Nhận diện thư điện tử giả mạo');
	await training.getByLabel('Số người tham dự').fill('42');
	await training.getByRole('button', { name: 'Ghi nhận' }).click();
	await off.waitForSelector('section[data-kind="training"] h2 .badge.ok');
	check(true, 'officer: the training recorded, shown done');
	await off.locator('section[data-kind="training"] input[type=file]').setInputFiles({
		name: 'Biên bản tập huấn.pdf', mimeType: 'application/pdf',
		buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
	});
	await off.locator('section[data-kind="training"]').getByRole('button', { name: 'Tải lên' }).click();
	await off.waitForSelector('section[data-kind="training"] ul.files a:has-text("Biên bản tập huấn.pdf")');
	check(true, 'officer: a PDF uploaded as the training\'s evidence');
	const systems = off.locator('section[data-kind="systems"]');
	await systems.locator('summary').click();
	await systems.getByLabel('Tên hệ thống').fill('Cổng thông tin điện tử huyện');
	await systems.getByLabel('Chủ quản').fill('UBND huyện Hòa An');
	await systems.getByLabel('Cấp độ đề xuất').selectOption('3');
	await systems.getByRole('button', { name: 'Thêm' }).click();
	await off.waitForSelector('article.system button[data-step="submitted"]');
	await off.locator('article.system button[data-step="submitted"]').click();
	await off.waitForSelector('article.system button[data-step="appraised"]');
	check((await off.locator('article.system h3').textContent()).includes('đã trình'), 'officer: the level-3 dossier submitted');
	await off.locator('article.system button[data-step="appraised"]').click();
	await off.waitForSelector('article.system .nostep');
	check(await off.locator('article.system button[data-step="approved"]').count() === 0,
		'officer: no approve button for a level-3 dossier (the owner approves)');
	const sysId = await off.locator('article.system').getAttribute('data-system');
	provoked = /status of 403/;
	const refused = await off.evaluate(async (id) => {
		const me = await (await fetch('/api/v1/auth/me')).json();
		const r = await fetch(`/api/v1/systems/${id}/dossier`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': me.csrf_token },
			body: JSON.stringify({ to: 'approved', decision_number: '1/QĐ' }) });
		return r.status;
	}, sysId);
	provoked = null;
	check(refused === 403, `the API refuses the officer's approval of a level-3 dossier (${refused})`);
	await off.locator('article.system').getByLabel('Số quy chế').fill('15/QC-UBND');
	await off.locator('article.system').getByLabel('Ngày ban hành').fill(vn(-20));
	await off.locator('article.system').getByRole('button', { name: 'Ghi nhận quy chế' }).click();
	await off.waitForSelector('article.system p:has-text("15/QC-UBND")');
	check(true, 'officer: the security regulation recorded');
	await shot(off, 'campaign-checklist');
	const checklistUrl = off.url();
	await off.context().close();

	// the department approves, and sees the unit's progress change
	await admin.goto(checklistUrl);
	await admin.waitForSelector('article.system button[data-step="approved"]');
	await admin.locator('article.system').getByLabel('Số quyết định').fill('45/QĐ-UBND');
	await admin.locator('article.system').getByLabel('Ngày quyết định').fill(vn(-1));
	await admin.locator('article.system button[data-step="approved"]').click();
	await admin.waitForSelector('article.system h3:has-text("đã phê duyệt")');
	check(true, 'department: the level-3 dossier approved with its decision');
	await admin.goto(campaignUrl);
	await admin.reload();
	await admin.waitForSelector('table caption:has-text("Tiến độ thực hiện")');
	const cells = hoaanRow(admin).locator('td');
	check(/\bok\b/.test(await cells.nth(0).getAttribute('class')), 'department: Hòa An\'s training now done (green)');
	check(/\bok\b/.test(await cells.nth(1).getAttribute('class')) && /\bok\b/.test(await cells.nth(2).getAttribute('class')),
		'department: Hòa An\'s dossier and regulation now done');
	check((await cells.nth(6).textContent()).trim() === '3/6', 'department: Hòa An 3 of 6 obligations done');
	await admin.locator('summary', { hasText: 'Sửa thời hạn' }).click();
	await admin.getByLabel('Hạn đơn vị báo cáo').fill(vn(-1));
	await admin.getByRole('button', { name: 'Lưu' }).click();
	await admin.waitForSelector('.cards .card.bad');
	check(await hoaanRow(admin).locator('td.state-overdue').count() === 3, 'department: the deadline moved back, 3 items overdue and highlighted');
	// the campaign report, with every unit's obligations, exported from the campaign page
	await admin.locator('summary', { hasText: 'Báo cáo chiến dịch' }).click();
	await admin.getByRole('button', { name: 'Lập báo cáo chiến dịch' }).click();
	await admin.waitForSelector('#campaign-report p.notice');
	let campaignReport = null;
	for (const f of ['xlsx', 'pdf', 'csv']) {
		const link = admin.locator('#campaign-report').getByRole('link', { name: `Tải về ${f.toUpperCase()}` });
		const d = await download(admin, link, `${DOWNLOADS}/campaign.${f}`);
		const m = /\/api\/v1\/reports\/(\d+)\/file\?format=(\w+)$/.exec(d.url);
		check(m && m[2] === f && d.name.endsWith(`.${f}`) && d.bytes.length > 100,
			`campaign report: ${f.toUpperCase()} exported from the campaign page (${d.name}, ${d.bytes.length} bytes)`);
		campaignReport = m ? m[1] : campaignReport;
	}
	appendFileSync(`${DOWNLOADS}/ids.txt`, `campaign ${campaignReport}\n`);
	await shot(admin, 'campaign-report');
	await admin.reload();
	await admin.waitForSelector('section.reminders li');
	{
		const items = await admin.locator('section.reminders li').allTextContents();
		check(items.length === 5 && items.every((x) => x.includes('quá hạn 1 ngày')),
			`campaign page reminders: every unit of the province one day overdue (${items.length})`);
		check(items.some((x) => x.includes('UBND huyện Hòa An') && !x.includes('Tập huấn')),
			'campaign page reminders: Hòa An\'s training done, not listed');
	}
	// the administrator's e-mail log and a user's address
	await admin.goto(`${BASE}/#/admin/reminders`);
	await admin.waitForSelector('table caption:has-text("Thư nhắc hạn đã gửi")');
	check(await admin.locator('td.empty').count() === 1, 'admin: the reminder e-mail log, empty without [smtp]');
	await admin.goto(`${BASE}/#/admin/users`);
	await admin.waitForSelector('input.email');
	await admin.getByLabel('Thư điện tử của canbo').fill('le.thi.ha@hoaan.example.gov.vn');
	await admin.getByLabel('Thư điện tử của canbo').press('Tab');
	await admin.waitForFunction(async () => {
		const r = await (await fetch('/api/v1/users?limit=500')).json();
		return r.items.some((u) => u.login === 'canbo' && u.email === 'le.thi.ha@hoaan.example.gov.vn');
	});
	check(true, 'admin: an officer\'s e-mail address set from the users page');
	await admin.context().close();

	// the viewer of Sở Y tế reads its checklist, no form
	const viewer = await newPage('campaign-viewer');
	await login(viewer, 'xem');
	await viewer.goto(`${BASE}/#/campaigns`);
	await viewer.waitForSelector('tbody a');
	await viewer.locator('tbody a').first().click();
	await viewer.waitForSelector('table caption:has-text("Tiến độ thực hiện")');
	check(await viewer.locator('tbody tr').count() === 1, 'viewer: its unit only in the progress');
	await viewer.locator('tbody th a').click();
	await viewer.waitForSelector('section[data-kind="training"]');
	check(await viewer.getByRole('button', { name: 'Ghi nhận' }).count() === 0 && await viewer.locator('input[type=file]').count() === 0,
		'viewer: the checklist without forms or uploads');
	await viewer.goto(`${BASE}/#/admin/units`);
	await viewer.waitForSelector('nav.tabs');
	check(await viewer.locator('nav.tabs a', { hasText: 'Thư nhắc hạn' }).count() === 0, 'viewer: no reminder e-mail log tab');
	await viewer.context().close();
}

// ---------- the national tier: a province's figures reported by its own server ----------
if (PHASE === 'main') {
	const admin = await newPage('tier');
	await login(admin, 'quantri');
	const me = (await apiGet(admin, '/api/v1/auth/me')).body;
	const send = async (method, path, data, headers) => {
		const r = await admin.request.fetch(`${BASE}${path}`, { method, data, headers: { 'X-CSRF-Token': me.csrf_token, ...headers } });
		return { status: r.status(), body: await r.json() };
	};
	const unit = await send('POST', '/api/v1/units', { name: 'Tỉnh Bắc Kạn', code: 'BK' });
	const cred = await send('POST', `/api/v1/units/${unit.body.id}/downstream-credentials`, { label: 'Bắc Kạn' });
	check(cred.status === 201 && /^rqd_/.test(cred.body.credential), 'tier: a downstream credential issued');
	const zero = { endpoints: 0, reporting: 0, realtime_on: 0, fresh_1d: 0, fresh_3d: 0, fresh_7d: 0, fresh_15d: 0, older_15d: 0, sig_unknown: 0, infected: 0 };
	const report = await send('POST', `/api/v1/tier/units/${unit.body.id}/report`, {
		batch_id: 'dashboard-1', server: 'Sở TT&TT Bắc Kạn', snapshot_at: Math.floor(Date.now() / 1000), window_days: 7,
		units: [{ code: 'STTTT', name: 'Sở TT&TT Bắc Kạn', parent: '', figures: { ...zero, endpoints: 40, reporting: 38, realtime_on: 37, fresh_1d: 30, fresh_3d: 35, fresh_7d: 36, fresh_15d: 38, older_15d: 2, infected: 1 } }],
		sightings: [{ sha256: 'ab'.repeat(32), name: 'Win.Trojan.BacKan', endpoints: 4, units: 2, first_seen: 1796000000, last_seen: 1796100000 }] },
		{ Authorization: `Bearer ${cred.body.credential}` });
	check(report.status === 200 && report.body.outcome === 'applied', `tier: the downstream's report applied (${report.status})`);
	await admin.goto(`${BASE}/#/units`);
	const row = admin.locator('tbody tr', { has: admin.locator('th', { hasText: 'Tỉnh Bắc Kạn' }) });
	await row.waitFor();
	check((await row.locator('.badge').textContent()).includes('cấp dưới báo cáo'), 'tier: the province\'s row is marked as reported by a downstream');
	check((await row.locator('td').first().textContent()).trim() === '40', 'tier: the reported machines counted in the province\'s row');
	await row.locator('th a').click();
	await admin.waitForSelector('p.notice.reported');
	const note = await admin.locator('p.notice.reported').textContent();
	check(note.includes('Bao gồm số liệu do máy chủ cấp dưới báo cáo') && /báo cáo lúc \d\d\/\d\d\/\d{4} \d\d:\d\d/.test(note),
		`tier: the unit's page says who reported its figures and when (${note})`);
	await shot(admin, 'units-downstream');
	await admin.goto(`${BASE}/#/detections/samples`);
	await admin.waitForSelector('section.reported table');
	const sighted = await admin.locator('section.reported tbody tr', { hasText: 'Win.Trojan.BacKan' }).textContent();
	check(sighted.includes('4 máy, 2 đơn vị, 1 máy chủ cấp dưới'), `tier: the samples page lists the downstream's sighting (${sighted})`);

	// the tier tab of the administration: this server has no upstream and says so
	await admin.goto(`${BASE}/#/admin/tier`);
	await admin.waitForSelector('#upstream p.notice');
	check((await admin.locator('#upstream').textContent()).includes('không báo cáo lên máy chủ cấp trên nào'),
		'tier page: a server without [upstream] says it reports to no upstream');
	// the downstream that reported, with its name, time, figures and credential
	const drow = admin.locator('#downstreams tbody tr', { hasText: 'Tỉnh Bắc Kạn' });
	await drow.waitFor();
	const dcells = (await drow.locator('td').allTextContents()).map((x) => x.trim());
	check(dcells[1] === 'Sở TT&TT Bắc Kạn' && dmyHm.test(dcells[2]) && dcells[4] === '1' && dcells[5] === '1' && dcells[6].startsWith('1 khoá hiệu lực'),
		`tier page: the downstream listed with its server, report time, units, sightings, credential (${dcells.join(' | ')})`);
	// a credential issued through the page: shown once, with the lines for the province
	await admin.getByLabel('Đơn vị gắn với máy chủ cấp dưới').selectOption({ label: 'Tỉnh Bắc Kạn (BK)' });
	await admin.waitForSelector('#credentials h2:has-text("Tỉnh Bắc Kạn")');
	check(await admin.locator('#credentials tbody tr').count() === 1, 'tier page: the credential issued through the API listed');
	await admin.getByLabel('Ghi chú').fill('Bắc Kạn 2027');
	await admin.getByRole('button', { name: 'Cấp khoá' }).click();
	await admin.waitForSelector('#downstream-credential');
	const issued = (await admin.locator('#downstream-credential').textContent()).trim();
	const install = await admin.locator('#downstream-install').textContent();
	const conf = await admin.locator('#downstream-conf').textContent();
	check(/^rqd_[A-Za-z0-9_-]{43}$/.test(issued) && install.includes(`install -m 0600 -o raquet-server /dev/stdin /etc/raquet-server/upstream/credential <<< '${issued}'`),
		'tier page: the credential shown with the command that stores it in a 0600 file');
	check(conf.startsWith('[upstream]\nurl = https://') && conf.includes('credential_file = /etc/raquet-server/upstream/credential') && conf.includes('ca_file = /etc/raquet-server/upstream/ca.crt'),
		'tier page: the [upstream] lines of the province\'s configuration shown');
	const self = await fetch(`${BASE}/api/v1/tier/self`, { headers: { Authorization: `Bearer ${issued}` } });
	check(self.status === 200 && (await self.json()).unit.code === 'BK', 'tier page: the credential it issued authenticates a downstream for its unit');
	const newRow = admin.locator('#credentials tbody tr', { hasText: 'Bắc Kạn 2027' });
	await newRow.waitFor();
	check((await newRow.textContent()).includes('Còn hiệu lực'), 'tier page: the new credential listed as valid');
	await shot(admin, 'admin-tier');
	await admin.reload();
	await admin.waitForSelector('#credentials tbody tr:has-text("Bắc Kạn 2027")');
	check(!(await admin.content()).includes(issued), 'tier page: the credential is not shown again');
	// revoked after a confirmation
	let asked = '';
	admin.once('dialog', (d) => { asked = d.message(); d.accept(); });
	await admin.locator('#credentials tbody tr', { hasText: 'Bắc Kạn 2027' }).getByRole('button', { name: 'Thu hồi' }).click();
	await admin.waitForSelector('#credentials tbody tr:has-text("Bắc Kạn 2027"):has-text("Đã thu hồi")');
	check(asked.includes('Bắc Kạn 2027'), `tier page: revoking asks for a confirmation (${asked})`);
	const after = await fetch(`${BASE}/api/v1/tier/self`, { headers: { Authorization: `Bearer ${issued}` } });
	check(after.status === 401, `tier page: the revoked credential is refused (${after.status})`);
	const audit = (await apiGet(admin, '/api/v1/audit?action=tier.credential.')).body;
	check(audit && audit.items.filter((x) => x.action === 'tier.credential.revoke').length === 1 && audit.items.filter((x) => x.action === 'tier.credential.create').length === 2,
		'tier page: issuing and revoking are in the audit log');
	await admin.context().close();

	// a province-wide viewer reads the upstream panel, no credential forms
	const pv = await newPage('tier-viewer');
	await login(pv, 'xemtinh');
	await pv.goto(`${BASE}/#/admin/tier`);
	await pv.waitForSelector('#upstream');
	check(await pv.locator('#issue').count() === 0 && await pv.locator('#downstreams').count() === 0,
		'tier page: a province-wide viewer sees the upstream panel, no downstream credentials');
	await pv.context().close();
	// a unit's officer has no tier tab
	const off = await newPage('tier-officer');
	await login(off, 'canbo');
	await off.goto(`${BASE}/#/admin/units`);
	await off.waitForSelector('nav.tabs');
	check(await off.locator('nav.tabs a[href="#/admin/tier"]').count() === 0, 'tier page: no tier tab for a unit\'s officer');
	await off.context().close();
}

await browser.close();
for (const p of problems) console.log(`FAIL: ${p}`);
check(problems.length === 0, 'no console error, page error or CSP violation');
process.exit(failures ? 1 : 0);
