// The parts of a browser test: a real caseworkd on a free port with its own
// data directory, the web client in this process on another, headless
// Chromium driven by puppeteer-core, and axe-core run on each page.
'use strict';

const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const puppeteer = require('puppeteer-core');

const { Api } = require('../src/api');
const { createApp } = require('../src/app');

const PROTO_DIR = path.join(__dirname, '..', '..', '..', 'proto');
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// Starts caseworkd (the binary in $CASEWORKD) on port 0 and resolves when it
// serves (and, with demo, when the demo partnership is loaded).
async function startCaseworkd({ demo, args: extra = [] }) {
  const binary = process.env.CASEWORKD;
  assert.ok(binary, 'set CASEWORKD to the caseworkd binary');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'casework-web-test-'));
  const args = [`--data_dir=${dataDir}`, '--listen=127.0.0.1:0', '--request_log=false'];
  if (demo) args.push('--demo');
  args.push(...extra);
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    let found = null;
    child.stderr.on('data', (chunk) => {
      log += chunk.toString();
      const serving = /serving on \S+ \(port (\d+)\)/.exec(log);
      if (serving) found = Number(serving[1]);
      const ready = demo ? /demo partnership 'eastbrook' loaded/.test(log) : found !== null;
      if (found !== null && ready) resolve(found);
      if (/cannot start|failed/.test(log)) reject(new Error(log));
    });
    child.on('exit', (code) => reject(new Error(`caseworkd exited ${code}: ${log}`)));
  });
  return {
    address: `127.0.0.1:${port}`,
    log: () => log,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// An HTTP server on a free loopback port whose handler is set later
// (server.handle = app): its address is known before what it serves is.
async function listenLater() {
  const server = http.createServer((req, res) => server.handle(req, res));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.url = `http://127.0.0.1:${server.address().port}`;
  return server;
}

// The web client talking to caseworkd at `address`, on a free loopback port
// (or on `server`, from listenLater). `options` go to createApp; `tls` to
// the Api.
async function startWeb(address, { server: given, tls = null, ...options } = {}) {
  const api = new Api({ address, protoDir: PROTO_DIR, tls });
  const app = createApp({
    api, partnership: 'eastbrook', demo: true, secureCookies: 'auto',
    sessionSecret: crypto.randomBytes(32).toString('hex'), ...options,
  });
  const server = given || await listenLater();
  server.handle = app;
  return {
    url: server.url,
    api,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      api.close();
    },
  };
}

async function startBrowser() {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

// Where screenshots go: $CASEWORK_WEB_SCREENSHOTS or a temporary folder.
function screenshotDir() {
  const dir = process.env.CASEWORK_WEB_SCREENSHOTS || path.join(os.tmpdir(), 'casework-web-screenshots');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

// A page with helpers for forms, checks and screenshots.
class Browser {
  constructor(page, base) {
    this.page = page;
    this.base = base;
    this.shots = screenshotDir();
  }

  static async open(browser, base) {
    const page = await browser.newPage();
    await page.setViewport({ width: 1100, height: 900 });
    return new Browser(page, base);
  }

  async go(path) {
    const response = await this.page.goto(`${this.base}${path}`, { waitUntil: 'load' });
    return response.status();
  }

  // Fills a form: {name: value}; radios by value, checkboxes by true, a
  // date {day, month, year} into NAME-day/-month/-year.
  async fill(values) {
    for (const [name, value] of Object.entries(values)) {
      if (value && typeof value === 'object') {
        await this.fill({ [`${name}-day`]: String(value.day), [`${name}-month`]: String(value.month),
          [`${name}-year`]: String(value.year) });
        continue;
      }
      const kind = await this.page.$eval(`[name="${name}"]`, (el) => el.type || el.tagName.toLowerCase());
      if (kind === 'radio') {
        await this.page.click(`input[name="${name}"][value="${value}"]`);
      } else if (kind === 'checkbox') {
        const checked = await this.page.$eval(`input[name="${name}"]`, (el) => el.checked);
        if (checked !== Boolean(value)) await this.page.click(`input[name="${name}"]`);
      } else {
        await this.page.$eval(`[name="${name}"]`, (el, v) => { el.value = v; }, String(value));
      }
    }
  }

  // Submits the form holding `selector`'s button and waits for the page
  // that answers; returns its HTTP status.
  async submit(selector = 'main form[method="post"] button.govuk-button') {
    const [response] = await Promise.all([
      this.page.waitForNavigation({ waitUntil: 'load' }),
      this.page.click(selector),
    ]);
    return response.status();
  }

  // Submits and asserts the answer's status, showing the page's error
  // summary when it differs.
  async submitExpecting(status, selector) {
    const got = await this.submit(selector);
    if (got !== status) {
      const summary = await this.page.$eval('main', (m) => m.innerText.slice(0, 800)).catch(() => '');
      assert.fail(`${this.page.url()} answered ${got}, not ${status}:\n${summary}`);
    }
  }

  async clickLink(text) {
    const links = await this.page.$$('main a');
    for (const link of links) {
      if ((await link.evaluate((a) => a.textContent.trim())) === text) {
        const [response] = await Promise.all([this.page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
        return response.status();
      }
    }
    throw new Error(`no link "${text}" on ${this.page.url()}`);
  }

  text(selector) {
    return this.page.$eval(selector, (el) => el.textContent.replace(/\s+/g, ' ').trim());
  }

  texts(selector) {
    return this.page.$$eval(selector, (els) => els.map((el) => el.textContent.replace(/\s+/g, ' ').trim()));
  }

  // Runs axe-core for WCAG 2.x A and AA and saves a screenshot as `name`.
  // Returns the violations (none expected).
  async check(name) {
    await this.page.screenshot({ path: path.join(this.shots, `${name}.png`), fullPage: true });
    // Evaluated by the browser's debugger, not as a page script: the page's
    // content security policy stays in force for everything else.
    if (!(await this.page.evaluate(() => typeof window.axe !== 'undefined'))) {
      await this.page.evaluate(AXE);
    }
    const result = await this.page.evaluate(() => window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] },
      // And every part of the page inside a landmark.
      rules: { region: { enabled: true } },
    }));
    return result.violations.map((v) => `${name}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  }

  async signIn(person) {
    await this.go('/sign-in');
    await this.fill({ person });
    return this.submit();
  }

  // Gives the purpose the record page asks for, if it asks.
  async givePurpose(purpose = 'preparing the review meeting') {
    if (!this.page.url().includes('/purpose?')) return;
    await this.fill({ purpose_text: purpose });
    await this.submit();
  }
}

// The whole stack for one test file: caseworkd (with the demo partnership),
// the web client, and a browser page on it. Parts may be given (a web
// client started another way); stop() closes all of them, last first.
async function startStack({ caseworkd, web } = {}) {
  const stack = { caseworkd, web, browser: null, b: null };
  stack.caseworkd = stack.caseworkd || await startCaseworkd({ demo: true });
  stack.web = stack.web || await startWeb(stack.caseworkd.address);
  stack.browser = await startBrowser();
  stack.b = await Browser.open(stack.browser, stack.web.url);
  return stack;
}

async function stopStack(stack) {
  if (!stack) return;
  if (stack.browser) await stack.browser.close();
  if (stack.web) await stack.web.stop();
  if (stack.caseworkd) await stack.caseworkd.stop();
}

module.exports = {
  startCaseworkd, startWeb, startBrowser, startStack, stopStack, listenLater, Browser, PROTO_DIR,
};
