// The web client's own defences, over HTTP: security headers and a content
// security policy with a nonce per page, CSRF tokens on every form, session
// cookies, a new session at sign-in, and no redirect off the site. None of
// these pages call caseworkd, so none is started.
'use strict';

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { after, before, test } = require('node:test');

const { Api } = require('../src/api');
const { createApp } = require('../src/app');
const { PROTO_DIR, listenLater } = require('./harness');

const servers = [];
let api;

// The web client on a free port, with `options` for createApp.
async function start(options = {}) {
  const server = await listenLater();
  server.handle = createApp({
    api, partnership: 'eastbrook', secureCookies: 'auto',
    sessionSecret: crypto.randomBytes(32).toString('hex'), ...options,
  });
  servers.push(server);
  return server.url;
}

before(() => {
  // Nothing listens there: any call would fail, and none is made.
  api = new Api({ address: '127.0.0.1:9', protoDir: PROTO_DIR });
});

after(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  api.close();
});

// The form's CSRF token and the session cookie of GET `path`.
async function formOf(url, path, cookie = '') {
  const response = await fetch(`${url}${path}`, { headers: { cookie }, redirect: 'manual' });
  const html = await response.text();
  const token = /name="_csrf" value="([^"]+)"/.exec(html);
  const set = response.headers.get('set-cookie');
  return { response, html, token: token && token[1], cookie: set ? set.split(';')[0] : cookie };
}

function post(url, path, fields, cookie, headers = {}) {
  return fetch(`${url}${path}`, {
    method: 'POST', redirect: 'manual', body: new URLSearchParams(fields).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
  });
}

test('pages carry security headers and run only scripts with their own nonce', async () => {
  const url = await start();
  const { response, html } = await formOf(url, '/sign-in');
  assert.equal(response.status, 200);
  const csp = response.headers.get('content-security-policy');
  const nonce = /script-src 'self' 'nonce-([^']+)'/.exec(csp)[1];
  assert.match(csp, /default-src 'self'/);
  assert.match(csp, /frame-ancestors 'self'/);
  assert.match(csp, /form-action 'self'/);
  const scripts = [...html.matchAll(/<script([^>]*)>/g)].map((m) => m[1]);
  assert.ok(scripts.length >= 2);
  for (const attributes of scripts) assert.match(attributes, new RegExp(`nonce="${nonce.replace(/[+/=]/g, '\\$&')}"`));
  assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN');
  assert.equal(response.headers.get('x-powered-by'), null);
  const again = await formOf(url, '/sign-in');
  assert.notEqual(again.response.headers.get('content-security-policy'), csp, 'a new nonce per page');
});

test('a form without its CSRF token is refused and changes nothing', async () => {
  const url = await start();
  const { cookie, token } = await formOf(url, '/sign-in');
  assert.ok(token);
  const refused = await post(url, '/sign-in', { person: 'morgan', next: '/work' }, cookie);
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /Your form has expired/);
  const forged = await post(url, '/sign-in', { person: 'morgan', next: '/work', _csrf: 'x'.repeat(token.length) }, cookie);
  assert.equal(forged.status, 403);
  // Still signed out.
  const work = await fetch(`${url}/work`, { headers: { cookie }, redirect: 'manual' });
  assert.equal(work.status, 303);
  assert.equal(work.headers.get('location'), '/sign-in?next=%2Fwork');
});

test('signing in starts a new session and never redirects off the site', async () => {
  const url = await start();
  for (const next of ['https://elsewhere.example/', '//elsewhere.example/path', '/\\elsewhere.example']) {
    const form = await formOf(url, '/sign-in');
    assert.match(form.cookie, /^casework=/);
    const signedIn = await post(url, '/sign-in', { person: 'morgan', next, _csrf: form.token }, form.cookie);
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.headers.get('location'), '/work', next);
    const cookie = signedIn.headers.get('set-cookie');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.notEqual(cookie.split(';')[0], form.cookie, 'a new session id at sign-in');
  }
  const form = await formOf(url, '/sign-in');
  const unknown = await post(url, '/sign-in', { person: 'nobody', next: '/work', _csrf: form.token }, form.cookie);
  assert.equal(unknown.status, 400);
  assert.match(await unknown.text(), /Select who you are signing in as/);
});

test('over HTTPS behind a proxy the session cookie is __Host- and Secure', async () => {
  const url = await start({ secureCookies: true, trustProxy: true });
  const response = await fetch(`${url}/sign-in`, { headers: { 'x-forwarded-proto': 'https' } });
  const form = /name="_csrf" value="([^"]+)"/.exec(await response.text())[1];
  const cookie = response.headers.get('set-cookie');
  assert.match(cookie, /^__Host-casework=/);
  assert.match(cookie, /; Path=\//);
  assert.match(cookie, /; Secure/);
  assert.ok(form);
  assert.doesNotMatch(cookie, /Domain=/);
});

test('sessions are bounded: past the limit the least recently used is forgotten', async () => {
  const url = await start({ maxSessions: 3 });
  const signIn = async () => {
    const form = await formOf(url, '/sign-in');
    const signedIn = await post(url, '/sign-in', { person: 'dana', next: '/complaints', _csrf: form.token }, form.cookie);
    assert.equal(signedIn.status, 303);
    return signedIn.headers.get('set-cookie').split(';')[0];
  };
  const page = async (cookie) => (await fetch(`${url}/complaints`, { headers: { cookie }, redirect: 'manual' })).status;
  const first = await signIn();
  assert.equal(await page(first), 200);
  const others = [await signIn(), await signIn(), await signIn()];
  assert.equal(await page(first), 303, 'the oldest session is gone');
  for (const cookie of others) assert.equal(await page(cookie), 200);
  // A visit that shows no form starts no session.
  const redirected = await fetch(`${url}/work`, { redirect: 'manual' });
  assert.equal(redirected.status, 303);
  assert.equal(redirected.headers.get('set-cookie'), null);
});

test('signing in is limited per address: past the limit it is 429', async () => {
  const url = await start({ signInLimit: 5 });
  for (let i = 0; i < 5; i += 1) assert.equal((await fetch(`${url}/sign-in`)).status, 200);
  const refused = await fetch(`${url}/sign-in`);
  assert.equal(refused.status, 429);
  assert.match(await refused.text(), /Too many requests/);
  assert.equal(refused.headers.get('set-cookie'), null);
  // The rest of the site is not limited by it.
  assert.equal((await fetch(`${url}/health`)).status, 200);
});
