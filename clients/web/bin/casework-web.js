#!/usr/bin/env node
// casework-web: the web client. Serves GOV.UK Design System pages on
// --listen and talks to caseworkd at --caseworkd.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { Api } = require('../src/api');
const { createApp } = require('../src/app');

const HELP = `usage: casework-web [options]
  --listen=HOST:PORT        where to serve pages (default 127.0.0.1:3000; port 0 picks one)
  --caseworkd=HOST:PORT     caseworkd's gRPC address (default 127.0.0.1:50051)
  --partnership=ID          the partnership's id (default eastbrook)
  --proto_dir=DIR           the contract's .proto files (default: the repository's proto/)
  --session_secret_file=F   file holding the session cookie's signing secret
                            (default: a random one per start; sessions end on restart)
  --secure_cookies=auto|true  true: cookies only over HTTPS, behind a TLS proxy with
                            --trust_proxy (default: auto, secure when the request is;
                            always true when --public_url is https)
  --trust_proxy             trust X-Forwarded-Proto and -For from one proxy in front
  --demo                    show the demo partnership banner

Signing in. Without --oidc_issuer, the development sign-in: pick a demo
person (caseworkd's development identity; loopback only). With it, people
sign in with the partnership's OpenID Connect provider, and their ID token
is forwarded to caseworkd over mutual TLS:
  --oidc_issuer=URL         the provider (its /.well-known/openid-configuration)
  --oidc_client_id=ID       this client's id at the provider (default casework-web)
  --oidc_client_secret_file=F  its secret
  --public_url=URL          where people reach this client (the callback is URL/sign-in/callback)
  --tls_ca=F --tls_cert=F --tls_key=F  the partnership CA, and this client's certificate
                            and key (map its DNS name to "AGENCY any" in caseworkd's --tls_agencies)
  --help`;

function main() {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string', default: '127.0.0.1:3000' },
      caseworkd: { type: 'string', default: '127.0.0.1:50051' },
      partnership: { type: 'string', default: 'eastbrook' },
      proto_dir: { type: 'string', default: path.join(__dirname, '..', '..', '..', 'proto') },
      session_secret_file: { type: 'string' },
      secure_cookies: { type: 'string', default: 'auto' },
      trust_proxy: { type: 'boolean', default: false },
      demo: { type: 'boolean', default: false },
      oidc_issuer: { type: 'string' },
      oidc_client_id: { type: 'string', default: 'casework-web' },
      oidc_client_secret_file: { type: 'string' },
      public_url: { type: 'string' },
      tls_ca: { type: 'string' },
      tls_cert: { type: 'string' },
      tls_key: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const match = /^(.*):(\d+)$/.exec(values.listen);
  if (!match) throw new Error(`--listen must be HOST:PORT, not ${values.listen}`);
  const [, host, port] = match;
  const loopback = ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host);
  const tlsFiles = [values.tls_ca, values.tls_cert, values.tls_key];
  if (tlsFiles.some(Boolean) && !tlsFiles.every(Boolean)) {
    throw new Error('--tls_ca, --tls_cert and --tls_key go together');
  }
  const tls = values.tls_ca
    ? { ca: fs.readFileSync(values.tls_ca), cert: fs.readFileSync(values.tls_cert), key: fs.readFileSync(values.tls_key) }
    : null;
  let oidc = null;
  if (values.oidc_issuer) {
    if (!tls) throw new Error('--oidc_issuer needs mutual TLS to caseworkd (--tls_ca, --tls_cert, --tls_key)');
    if (!values.oidc_client_secret_file || !values.public_url) {
      throw new Error('--oidc_issuer needs --oidc_client_secret_file and --public_url');
    }
    oidc = {
      issuer: values.oidc_issuer, clientId: values.oidc_client_id,
      clientSecret: fs.readFileSync(values.oidc_client_secret_file, 'utf8').trim(),
      redirectUri: `${values.public_url.replace(/\/$/, '')}/sign-in/callback`,
    };
  } else if (!loopback) {
    // The development sign-in takes anyone's word for who they are: only
    // on this machine, as caseworkd's development identity.
    throw new Error('casework-web: the development sign-in serves only a loopback address; '
      + 'configure --oidc_issuer to serve others');
  }
  if (!['auto', 'true'].includes(values.secure_cookies)) {
    throw new Error('--secure_cookies must be auto or true');
  }
  const sessionSecret = values.session_secret_file
    ? fs.readFileSync(values.session_secret_file, 'utf8').trim()
    : crypto.randomBytes(32).toString('hex');
  const api = new Api({ address: values.caseworkd, protoDir: values.proto_dir, tls });
  const app = createApp({
    api, partnership: values.partnership, sessionSecret, demo: values.demo, oidc,
    // Served at an https address, cookies are Secure whatever a proxy says.
    secureCookies: values.secure_cookies === 'true' || /^https:/.test(values.public_url || '') ? true : 'auto',
    trustProxy: values.trust_proxy,
  });
  const server = app.listen(Number(port), host.replace(/^\[|\]$/g, ''), () => {
    const address = server.address();
    const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    process.stderr.write(`casework-web: serving on http://${shown}:${address.port}/ (caseworkd at ${values.caseworkd})\n`);
  });
  const stop = () => {
    server.close(() => {
      api.close();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

try {
  main();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
