// Rumbo in a real browser, as a person uses it: sign in, switch language, open the map.
// Run by .ci/browser-test against `rumbo demo`; needs RUMBO_URL, RUMBO_USER, RUMBO_PASSWORD.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = process.env.RUMBO_URL ?? 'http://127.0.0.1:8080';
const user = process.env.RUMBO_USER ?? 'admin';
const password = process.env.RUMBO_PASSWORD;
const shots = process.env.RUMBO_SCREENSHOTS ?? 'screenshots';
mkdirSync(shots, { recursive: true });

let browser;
let page;

before(async () => {
  assert.ok(password, 'RUMBO_PASSWORD must be set');
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic'],
  });
  const context = await browser.newContext({ locale: 'es-CO', viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (e) => { throw new Error(`script error on ${page.url()}: ${e.message}`); });
});

after(async () => {
  await browser?.close();
});

test('an anonymous visitor is sent to the sign-in form, in Spanish', async () => {
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/login/);
  assert.equal(await page.getAttribute('html', 'lang'), 'es');
  assert.match(await page.textContent('h1'), /Iniciar sesión/);
});

test('a wrong password is refused with a message', async () => {
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', 'not the password');
  await page.click('button[type=submit].primary');
  assert.match(await page.textContent('.alert'), /usuario o la contraseña/);
});

test('signing in opens the start page', async () => {
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', password);
  await Promise.all([page.waitForURL(`${base}/`), page.click('button[type=submit].primary')]);
  assert.ok(await page.isVisible('nav.mainnav'));
  await page.screenshot({ path: `${shots}/home.png`, fullPage: true });
});

test('switching the language translates the interface', async () => {
  // The demo admin prefers English; switch to Portuguese and back.
  for (const [code, word] of [['pt', /Organizações/], ['en', /Organisations/]]) {
    await page.selectOption('#language-select', code);
    await Promise.all([page.waitForURL(`${base}/`), page.click('#language-apply')]);
    await page.waitForSelector(`html[lang=${code}]`);
    assert.match(await page.textContent('nav.mainnav'), word);
  }
});

test('the map draws admin areas and locations', async () => {
  await page.goto(`${base}/map`);
  await page.waitForSelector('#map[data-loaded="true"]', { timeout: 20000 });
  const shapes = await page.locator('#map .leaflet-interactive').count();
  assert.ok(shapes > 10, `expected admin areas and locations on the map, found ${shapes} shapes`);
  await page.screenshot({ path: `${shots}/map-en.png` });
});

test('the flow dashboard draws its chart and its corridors map', async () => {
  await page.goto(`${base}/flow?interval=month`);
  assert.ok(await page.isVisible('svg.flow-chart polyline'), 'the series chart is drawn');
  await page.waitForSelector('#flow-map[data-loaded="true"]', { timeout: 20000 });
  const lines = await page.locator('#flow-map .leaflet-interactive').count();
  assert.ok(lines > 0, 'corridors are drawn on the map');
  await page.screenshot({ path: `${shots}/flow.png`, fullPage: true });
  await page.goto(`${base}/fms`);
  assert.ok(await page.isVisible('.caveat'), 'surveys carry the caveat');
});

test('the R4V menu shows the demo year of 5W and its error report', async () => {
  await Promise.all([page.waitForURL(`${base}/r4v`), page.click('nav.mainnav a[href="/r4v"]')]);
  assert.match(await page.textContent('h1'), /R4V/);
  assert.ok((await page.locator('svg rect').count()) > 5, 'bars of people reached by country and sector');
  await page.screenshot({ path: `${shots}/r4v.png`, fullPage: true });
  await page.goto(`${base}/r4v/errors`);
  assert.match(await page.textContent('main'), /countryadmincheck/);
});

test('registration lists the demo households and explains a household\'s score', async () => {
  await Promise.all([page.waitForURL(`${base}/registration`), page.click('nav.mainnav a[href="/registration"]')]);
  await page.screenshot({ path: `${shots}/registration.png`, fullPage: true });
  await page.goto(`${base}/registration/households`);
  const first = page.locator('table a[href^="/registration/households/"]').first();
  const code = (await first.textContent()).trim();
  assert.match(code, /^H-/, 'households are listed under their pseudonymous codes');
  await Promise.all([page.waitForURL(/\/registration\/households\/\d+$/), first.click()]);
  assert.match(await page.textContent('h1'), new RegExp(code));
  assert.match(await page.textContent('main'), /Vulnerability score/);
  await page.screenshot({ path: `${shots}/registration-household.png`, fullPage: true });
});

test('the desks page shows which enumerator works at which registration desk', async () => {
  await page.goto(`${base}/registration`);
  await Promise.all([page.waitForURL(`${base}/registration/desks`), page.click('a[href="/registration/desks"]')]);
  const desk = page.locator('section.card', { hasText: 'COL-CUC-RD-OIM' });
  assert.match(await desk.textContent(), /enum\.cucuta/, 'the demo assigns enum.cucuta to IOM\'s Cúcuta desk');
  await page.screenshot({ path: `${shots}/registration-desks.png`, fullPage: true });
});

test('the review queue opens a possible duplicate side by side, merges it and undoes the merge', async () => {
  await page.goto(`${base}/registration`);
  await Promise.all([page.waitForURL(/\/registration\/duplicates$/), page.click('a[href="/registration/duplicates"]')]);
  await page.goto(`${base}/registration/duplicates?country=PAN&kind=probable_match`);
  const first = page.locator('#duplicate-pairs a[href^="/registration/duplicates/"]').first();
  await Promise.all([page.waitForURL(/\/registration\/duplicates\/\d+$/), first.click()]);
  assert.match(await page.textContent('main'), /Why they may be the same person/);
  assert.ok(await page.locator('main table.data tbody tr').count() > 2, 'both sides and the explanation are shown');
  await page.screenshot({ path: `${shots}/duplicate-pair.png`, fullPage: true });
  await Promise.all([page.waitForLoadState('load'), page.click('button[value=confirm]')]);
  await page.waitForSelector('button[value=undo]');
  await Promise.all([page.waitForLoadState('load'), page.click('button[value=undo]')]);
  await page.waitForSelector('button[value=confirm]');
  assert.match(await page.textContent('main'), /merge undone/);
});

test('a run over a country is asked for from the queue and followed on its page until it ends', async () => {
  await page.goto(`${base}/registration/duplicates?country=PAN`);
  const ask = 'form[action="/registration/duplicates/run"]';
  await page.selectOption(`${ask} select[name=country]`, 'PAN');
  await Promise.all([
    page.waitForURL(/\/registration\/duplicates\/runs\/\d+\?asked=(new|already)$/),
    page.click(`${ask} button[type=submit]`),
  ]);
  // Queued, then run by the server's worker in the background: the page reloads itself until
  // the run ends (a <meta http-equiv=refresh>, no script).
  await page.locator('#run-review').waitFor({ timeout: 120_000 });
  assert.match(await page.textContent('#run-state'), /Finished/);
  assert.ok(await page.locator('#deduplication-runs tbody tr').count() >= 2, "the demo's own run is listed too");
  assert.equal(await page.locator('meta[http-equiv=refresh]').count(), 0, 'an ended run stops refreshing');
  await page.screenshot({ path: `${shots}/deduplication-run.png`, fullPage: true });
});

test('signing out returns to the sign-in form', async () => {
  await page.goto(`${base}/`);
  await Promise.all([page.waitForURL(/\/login/), page.click('button.link')]);
  assert.match(page.url(), /\/login/);
});
