// Drives Debian's headless Chromium (/usr/bin/chromium) through playwright-core, following a plan.
//
// Usage: node browser.mjs plan.json
// plan: {
//   "storageStateIn": "path" (optional; cookies and local storage to start with, if the file exists),
//   "storageStateOut": "path" (optional; written after the steps, whether they passed or not),
//   "timeoutMs": 20000 (bound of each step),
//   "steps": [
//     {"goto": "url"},
//     {"login": {"user": "alice", "password": "password"}}   fills the identity provider's login form
//         (inputs "login" and "password"), submits it and waits for the page it leads to; a consent
//         form (form#consent) shown after it is submitted too. A refused login is not a failure of
//         this step: follow it with expectText to check the outcome.
//     {"click": "playwright selector"},
//     {"fill": {"selector": "...", "value": "..."}},
//     {"waitForUrl": "substring"}   or "/regex/flags" (a string starting with "/" and ending with
//         "/" plus optional flags), or {"regex": "...", "flags": "..."}, or {"substring": "..."}
//     {"expectText": "text"}   waits until the page's text contains it
//     {"snapshot": "name"}     records url, status and text under the name
//   ]
// }
// Output: one JSON object on stdout, {ok, error?, finalUrl, status, text, snapshots, cookies};
// exit code 0 when every step passed, 1 otherwise. "status" is the HTTP status of the last
// main-frame navigation's final (non-redirect) response, null when there was none.
//
// Every name resolves to 127.0.0.1 (--host-resolver-rules), so tests use any hostname such as
// app.localhost.test with their own loopback ports; certificates are not checked. Playwright runs
// Chromium on a fresh temporary profile of its own, removed when the browser closes.
import fs from 'node:fs';
import { chromium } from 'playwright-core';

const CHROMIUM = '/usr/bin/chromium';
const LAUNCH_TIMEOUT_MS = 30000;
const ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--ignore-certificate-errors',
  '--host-resolver-rules=MAP * 127.0.0.1',
  // Chromium on Linux follows http_proxy & co. from the environment; tests talk to loopback only.
  '--no-proxy-server',
];

const result = { ok: false, finalUrl: null, status: null, text: '', snapshots: {}, cookies: [] };
let browser;
let finished = false;

function finish(code) {
  if (finished) return;
  finished = true;
  process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(code));
}

// Playwright's messages end with a call log: the first part says what went wrong.
function brief(error) {
  const message = String(error?.message ?? error);
  const cut = message.indexOf('Call log:');
  return (cut > 0 ? message.slice(0, cut) : message).trim().replace(/\s*\n\s*/g, ' | ').slice(0, 1000);
}

function describe(step) {
  const json = JSON.stringify(step);
  return json.length > 200 ? `${json.slice(0, 200)}...` : json;
}

// Bounds any promise, so no step can hang the run whatever Playwright does.
function bounded(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

function urlMatcher(spec) {
  if (spec && typeof spec === 'object' && typeof spec.substring === 'string') return (url) => url.href.includes(spec.substring);
  if (spec && typeof spec === 'object') return new RegExp(spec.regex, spec.flags ?? '');
  const regex = /^\/(.+)\/([dgimsuy]*)$/s.exec(spec);
  if (regex) return new RegExp(regex[1], regex[2]);
  return (url) => url.href.includes(spec);
}

async function pageText(page) {
  return page.evaluate(() => (document.body ? document.body.innerText : document.documentElement?.textContent ?? ''));
}

// Reading the text fails while a navigation replaces the document: retry until the deadline.
async function waitForText(page, expected, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    try {
      last = await page.evaluate(() => (document.body ? document.body.innerText : ''));
      if (last.includes(expected)) return;
    } catch {
      // document being replaced
    }
    if (Date.now() > deadline) throw new Error(`text "${expected}" not found on ${page.url()} within ${timeoutMs} ms; page text: ${last.slice(0, 500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// Clicks and waits for the navigation the click starts (a form submission) to load.
async function submitAndWait(page, selector, timeoutMs) {
  await Promise.all([
    page.waitForNavigation({ waitUntil: 'load', timeout: timeoutMs }),
    page.click(selector, { timeout: timeoutMs }),
  ]);
}

async function login(page, { user, password }, timeoutMs) {
  await page.waitForSelector('input[name="login"]', { timeout: timeoutMs });
  await page.fill('input[name="login"]', String(user ?? ''), { timeout: timeoutMs });
  await page.fill('input[name="password"]', String(password ?? ''), { timeout: timeoutMs });
  await submitAndWait(page, 'form:has(input[name="login"]) [type="submit"]', timeoutMs);
  if (await page.locator('form#consent').count() > 0)
    await submitAndWait(page, 'form#consent [type="submit"]', timeoutMs);
}

// Chromium fails a navigation in flight with ERR_NETWORK_CHANGED when any interface on the
// machine changes, even for a loopback page. A GET typed into the address bar is safe to repeat,
// so that one error is retried, once, after a pause; anything else fails the step.
async function navigate(page, url, timeoutMs) {
  try {
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  } catch (error) {
    if (!String(error?.message).includes('ERR_NETWORK_CHANGED')) throw error;
    process.stderr.write(`goto ${url}: ${error.message.split('\n')[0]}; retrying once\n`);
    await new Promise(resolve => setTimeout(resolve, 1000));
    await page.goto(url, { waitUntil: 'load', timeout: timeoutMs });
  }
}

async function runStep(page, step, timeoutMs) {
  if ('goto' in step) {
    await navigate(page, step.goto, timeoutMs);
  } else if ('login' in step) {
    await login(page, step.login, timeoutMs);
  } else if ('click' in step) {
    await page.click(step.click, { timeout: timeoutMs });
    await page.waitForLoadState('load', { timeout: timeoutMs });
  } else if ('fill' in step) {
    await page.fill(step.fill.selector, String(step.fill.value), { timeout: timeoutMs });
  } else if ('waitForUrl' in step) {
    await page.waitForURL(urlMatcher(step.waitForUrl), { timeout: timeoutMs, waitUntil: 'load' });
  } else if ('expectText' in step) {
    await waitForText(page, String(step.expectText), timeoutMs);
  } else if ('snapshot' in step) {
    result.snapshots[step.snapshot] = { url: page.url(), status: result.status, text: await pageText(page) };
  } else {
    throw new Error('unknown step kind');
  }
}

async function main() {
  const planPath = process.argv[2];
  if (!planPath) throw new Error('usage: node browser.mjs plan.json');
  const plan = JSON.parse(fs.readFileSync(planPath, 'utf8'));
  const timeoutMs = plan.timeoutMs ?? 20000;
  const steps = plan.steps ?? [];

  // Starting Chromium is not a step: on a loaded machine it can take longer than a short step bound.
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS, timeout: Math.max(timeoutMs, LAUNCH_TIMEOUT_MS) });
  const storageState = plan.storageStateIn && fs.existsSync(plan.storageStateIn) ? plan.storageStateIn : undefined;
  const context = await browser.newContext({ ignoreHTTPSErrors: true, storageState });
  context.setDefaultTimeout(timeoutMs);
  context.setDefaultNavigationTimeout(timeoutMs);
  const page = await context.newPage();
  page.on('response', (response) => {
    const request = response.request();
    if (!request.isNavigationRequest() || response.frame() !== page.mainFrame()) return;
    const status = response.status();
    if (status >= 300 && status < 400 && response.headers().location) return;
    result.status = status;
  });

  let failure;
  for (let i = 0; i < steps.length && !failure; i++) {
    try {
      await bounded(runStep(page, steps[i], timeoutMs), timeoutMs + 1000, 'step');
    } catch (error) {
      failure = `step ${i} ${describe(steps[i])} failed: ${brief(error)}`;
    }
  }

  result.finalUrl = page.url();
  try { result.text = await bounded(pageText(page), 5000, 'page text'); } catch { result.text = ''; }
  result.cookies = (await context.cookies()).map(({ name, domain, path, secure, httpOnly, expires }) => ({ name, domain, path, secure, httpOnly, expires }));
  if (plan.storageStateOut) await context.storageState({ path: plan.storageStateOut });
  result.ok = !failure;
  if (failure) result.error = failure;
  await bounded(browser.close(), 10000, 'closing the browser').catch(() => {});
  return failure ? 1 : 0;
}

async function abort(signal) {
  result.error = `stopped by ${signal}`;
  if (browser) await bounded(browser.close(), 5000, 'closing the browser').catch(() => {});
  finish(1);
}
process.on('SIGTERM', () => abort('SIGTERM'));
process.on('SIGINT', () => abort('SIGINT'));

main().then(finish, async (error) => {
  result.error = brief(error);
  if (browser) await bounded(browser.close(), 5000, 'closing the browser').catch(() => {});
  finish(1);
});
