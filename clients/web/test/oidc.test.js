// Sign-in with OpenID Connect: a local provider (oidc-provider) issues the
// person's ID token; the web client forwards it to a caseworkd that takes
// people only from bearer tokens over mutual TLS (certificates made here by
// the partnership CA script). The person caseworkd records is the token's.
'use strict';

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { after, before, test } = require('node:test');

const { listenLater, startCaseworkd, startStack, startWeb, stopStack } = require('./harness');

const CA_SCRIPT = path.join(__dirname, '..', '..', '..', 'deploy', 'partnership-ca.sh');
const CLIENT_SECRET = crypto.randomBytes(24).toString('hex');

// The provider's one account: a fictional SPOC who is also a caseworker.
const ACCOUNT = { sub: 'rowan-mercer', name: 'Rowan Mercer', agency: 'eastbrook-council', roles: ['spoc', 'caseworker'] };

let dir;
let provider;
let caseworkd;
let web;
let stack;
let b;
const violations = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'casework-oidc-test-'));
  const ca = path.join(dir, 'ca');
  execFileSync('bash', [CA_SCRIPT, 'init', ca], { stdio: 'ignore' });
  execFileSync('bash', [CA_SCRIPT, 'server', ca, 'server', '127.0.0.1'], { stdio: 'ignore' });
  execFileSync('bash', [CA_SCRIPT, 'client', ca, 'web', 'web.eastbrook.example'], { stdio: 'ignore' });
  // The web client's people belong to every agency: it is marked `any`.
  fs.writeFileSync(path.join(dir, 'agencies.txt'), 'web.eastbrook.example eastbrook-council any\n');

  // The provider's signing key; caseworkd gets its public half as a JWKS.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const { kty, n, e, kid, alg, use } = jwk;
  fs.writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [{ kty, n, e, kid, alg, use }] }));

  const webServer = await listenLater();
  provider = await startProvider(webServer.url, jwk);
  caseworkd = await startCaseworkd({
    demo: true,
    args: [`--tls_cert=${ca}/server.pem`, `--tls_key=${ca}/server.key`, `--tls_client_ca=${ca}/ca.pem`,
      `--tls_agencies=${dir}/agencies.txt`, `--jwks=${dir}/jwks.json`, `--token_issuer=${provider.url}`,
      '--token_audience=casework-web'],
  });
  web = await startWeb(caseworkd.address, {
    server: webServer,
    tls: { ca: fs.readFileSync(`${ca}/ca.pem`), cert: fs.readFileSync(`${ca}/web.pem`), key: fs.readFileSync(`${ca}/web.key`) },
    oidc: { issuer: provider.url, clientId: 'casework-web', clientSecret: CLIENT_SECRET,
      redirectUri: `${webServer.url}/sign-in/callback` },
  });
  stack = await startStack({ caseworkd, web });
  ({ b } = stack);
});

after(async () => {
  await stopStack(stack || { caseworkd, web });
  if (provider) await provider.stop();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

// oidc-provider on a free loopback port, with one client (the web client)
// and one account, putting the account's agency and roles in the ID token.
async function startProvider(webUrl, jwk) {
  const { default: Provider } = await import('oidc-provider');
  const server = await listenLater();
  const oidc = new Provider(server.url, {
    clients: [{
      client_id: 'casework-web', client_secret: CLIENT_SECRET, redirect_uris: [`${webUrl}/sign-in/callback`],
      post_logout_redirect_uris: [`${webUrl}/sign-in`],
      response_types: ['code'], grant_types: ['authorization_code'],
    }],
    jwks: { keys: [jwk] },
    findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ ...ACCOUNT, sub: id }) }),
    claims: { openid: ['sub'], profile: ['name'], casework: ['agency', 'roles'] },
    scopes: ['openid', 'profile', 'casework'],
    conformIdTokenClaims: false,
    pkce: { methods: ['S256'], required: () => true },
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    features: { devInteractions: { enabled: true } },
    ttl: { Interaction: 600, Session: 3600, Grant: 3600, AccessToken: 600, IdToken: 3600 },
  });
  server.handle = oidc.callback();
  return {
    url: server.url,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

test('a person signs in with the provider and caseworkd acts as the person in their token', async () => {
  assert.equal(await b.go('/work'), 200);
  assert.match(b.page.url(), /\/sign-in\?next=%2Fwork$/);
  violations.push(...await b.check('sign-in-oidc'));
  await b.submit('main form button');
  // The provider's own sign-in and consent pages.
  assert.ok(b.page.url().startsWith(provider.url), b.page.url());
  await b.fill({ login: ACCOUNT.sub, password: 'any' });
  await b.submit('button[type=submit]');
  if (b.page.url().startsWith(provider.url)) await b.submit('button[type=submit]');

  // Two roles: the person picks the one they work in.
  assert.match(b.page.url(), /\/sign-in\/role\?next=%2Fwork$/);
  violations.push(...await b.check('sign-in-role'));
  await b.fill({ role: 'spoc' });
  await b.submitExpecting(200);
  assert.match(b.page.url(), /\/work$/);
  assert.match(await b.text('.app-signed-in'), /Signed in as Rowan Mercer, Single point of contact, eastbrook-council/);

  // The demo case review, through the token: a step it records names the
  // token's person.
  assert.equal(await b.go('/case-reviews/1'), 200);
  await b.givePurpose();
  assert.match(await b.text('h1'), /Case review 1/);
  assert.equal(await b.clickLink('Record that the applicant was told'), 200);
  await b.fill({ channel: 'letter' });
  await b.submitExpecting(200);
  const [latest] = await b.texts('#timeline .app-timeline__when');
  assert.match(latest, /^rowan-mercer, eastbrook-council – /);
});

test('signing out ends the session here and at the provider: the next sign-in asks who you are', async () => {
  await b.submit('.app-signed-in form button');
  // The provider asks to confirm signing out of it too.
  assert.ok(b.page.url().startsWith(provider.url), b.page.url());
  await b.submit('button[name="logout"][value="yes"]');
  assert.match(b.page.url(), /\/sign-in$/);
  assert.equal(await b.go('/work'), 200);
  assert.match(b.page.url(), /\/sign-in\?next=%2Fwork$/);
  await b.submit('main form button');
  assert.ok(b.page.url().startsWith(provider.url), b.page.url());
  assert.equal(await b.page.$$eval('input[name="login"]', (i) => i.length), 1, 'the provider asks to sign in again');
});

test('no sign-in page has a WCAG 2.x A or AA violation', () => {
  assert.deepEqual(violations, []);
});
