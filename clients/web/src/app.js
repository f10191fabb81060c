// The casework web client: an Express server rendering GOV.UK Design System
// pages from caseworkd's gRPC API. It holds no case data and no rules: each
// page is one or a few API calls, each form one command.
'use strict';

const crypto = require('node:crypto');
const path = require('node:path');
const express = require('express');
const session = require('express-session');
const MemoryStore = require('memorystore')(session);
const helmet = require('helmet');
const nunjucks = require('nunjucks');
const { csrfSync } = require('csrf-sync');
const { rateLimit } = require('express-rate-limit');

const format = require('./format');
const { DEMO_PEOPLE, ROLE_LABELS } = require('./people');

const GOVUK = path.dirname(require.resolve('govuk-frontend/package.json'));
// A session lasts a working day after its last request.
const SESSION_MS = 8 * 60 * 60 * 1000;

// options:
//   api            an Api (src/api.js)
//   partnership    the partnership's id ("eastbrook")
//   sessionSecret  signs the session cookie
//   secureCookies  true: cookies only over HTTPS (behind a TLS proxy, with
//                  trustProxy); 'auto': secure when the request is
//   trustProxy     trust X-Forwarded-* from one proxy in front
//   people         the people the development sign-in offers
//   maxSessions    sessions kept at most (default 10,000)
//   signInLimit    requests to /sign-in per address in 5 minutes (default 30)
//   oidc           sign in with OpenID Connect instead: {issuer, clientId,
//                  clientSecret, redirectUri} (src/oidc.js)
function createApp(options) {
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', 1);
  app.locals.parent = `partnerships/${options.partnership}`;
  app.locals.partnership = options.partnership;
  app.locals.rolesFor = (service, method) => options.api.rolesFor(service, method);

  const env = nunjucks.configure([path.join(__dirname, 'views'), path.join(GOVUK, 'dist')], {
    autoescape: true, express: app, noCache: false,
  });
  env.addFilter('civilDate', format.civilDate);
  env.addFilter('dateTime', format.dateTime);
  env.addFilter('label', format.label);
  env.addFilter('id', format.lastSegment);
  env.addGlobal('roleLabels', ROLE_LABELS);
  env.addGlobal('demo', Boolean(options.demo));
  env.addGlobal('partnership', options.partnership);
  env.addFilter('peopleItems', (people) => people.map((p) => ({
    value: p.id, text: p.name, hint: { text: `${p.title} (${ROLE_LABELS[p.role] || p.role})` },
  })));
  // A checkboxes field's GOV.UK items, those sent last checked.
  env.addFilter('checkboxItems', (field, values) => {
    const sent = [].concat(values[field.name] === undefined ? [] : values[field.name]);
    return field.options.map((o) => ({ value: o.value, text: o.text, checked: sent.includes(o.value) }));
  });
  env.addFilter('roleItems', (roles) => roles.map((r) => ({ value: r, text: ROLE_LABELS[r] || r })));
  env.addFilter('purposeItems', (purposes) => purposes.map((p) => ({ value: p, text: p })));
  // A radios field's GOV.UK items, the one sent last checked.
  env.addFilter('radioItems', (field, values) => {
    const choices = field.type === 'yesno'
      ? [{ value: 'yes', text: 'Yes' }, { value: 'no', text: 'No' }] : field.options;
    return choices.map((o) => ({
      value: o.value, text: o.text, checked: values[field.name] === o.value,
      hint: o.hint ? { text: o.hint } : undefined,
    }));
  });
  app.set('view engine', 'njk');

  // A nonce per response for the page's own scripts; nothing inline runs
  // without it.
  app.use((req, res, next) => {
    res.locals.cspNonce = crypto.randomBytes(16).toString('base64');
    next();
  });
  app.use(helmet({
    contentSecurityPolicy: {
      directives: {
        scriptSrc: ["'self'", (req, res) => `'nonce-${res.locals.cspNonce}'`],
        imgSrc: ["'self'", 'data:'],
        // Signing in and out posts a form that redirects to the provider:
        // browsers hold such a redirect to form-action too.
        formAction: ["'self'", ...(options.oidc ? [new URL(options.oidc.issuer).origin] : [])],
      },
    },
  }));

  app.use('/assets', express.static(path.join(GOVUK, 'dist/govuk/assets'), { maxAge: '1d' }));
  app.get('/stylesheets/govuk-frontend.min.css', (req, res) =>
    res.sendFile(path.join(GOVUK, 'dist/govuk/govuk-frontend.min.css')));
  app.get('/javascripts/govuk-frontend.min.js', (req, res) =>
    res.sendFile(path.join(GOVUK, 'dist/govuk/govuk-frontend.min.js')));
  app.use('/public', express.static(path.join(__dirname, 'public'), { maxAge: '1h' }));
  app.get('/health', (req, res) => res.type('text').send('ok'));

  // Signing in is the one thing a stranger can do: at most `signInLimit`
  // requests to it per address in five minutes, so that no one can flood
  // the session store with sign-in pages.
  app.use('/sign-in', rateLimit({
    windowMs: 5 * 60 * 1000, limit: options.signInLimit || 30, standardHeaders: 'draft-7', legacyHeaders: false,
    handler: (req, res) => res.status(429).type('html').send(
      '<!DOCTYPE html><html lang="en"><title>Too many requests – Casework</title>'
      + '<h1>Too many requests</h1><p>Wait a few minutes, then try again.</p></html>'),
  }));

  const secure = options.secureCookies === undefined ? true : options.secureCookies;
  // Sessions in this process's memory, at most `maxSessions` (the least
  // recently used go first) and pruned when they expire: a flood of
  // visitors cannot grow it without bound. They end when the client
  // restarts.
  app.use(session({
    store: new MemoryStore({ max: options.maxSessions || 10000, checkPeriod: 10 * 60 * 1000, ttl: SESSION_MS }),
    name: secure === true ? '__Host-casework' : 'casework',
    secret: options.sessionSecret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_MS, path: '/' },
  }));

  const { csrfSynchronisedProtection, generateToken } = csrfSync({
    getTokenFromRequest: (req) => (req.body ? req.body._csrf : undefined),
  });
  // Forms are urlencoded; the body is parsed before the CSRF check.
  app.use(express.urlencoded({ extended: false, limit: '64kb' }));
  app.use(csrfSynchronisedProtection);

  app.use((req, res, next) => {
    // Made when a page is rendered, not for a redirect: a request that shows
    // no form starts no session.
    Object.defineProperty(res.locals, 'csrfToken', { enumerable: true, get: () => generateToken(req) });
    res.locals.person = req.session.person || null;
    res.locals.currentPath = req.path;
    res.locals.flash = req.session.flash || null;
    delete req.session.flash;
    // Calls caseworkd as the signed-in person.
    req.api = (service, method, request, purpose) =>
      options.api.call(service, method, request, req.session.person, purpose);
    req.listAll = (service, method, request, field, limit, purpose) =>
      options.api.listAll(service, method, request, req.session.person, field, limit, purpose);
    req.unpack = (any) => options.api.unpack(any);
    // True if the contract lets the signed-in person's role call it.
    req.may = (service, method) => Boolean(req.session.person)
      && options.api.rolesFor(service, method).includes(req.session.person.role);
    res.locals.may = req.may;
    next();
  });

  if (options.oidc) {
    require('./oidc').mountOidc(app, options.oidc);
  } else {
    require('./routes/sign-in').mount(app, { people: options.people || DEMO_PEOPLE });
  }
  app.use((req, res, next) => {
    if (req.session.person) return next();
    return res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
  });
  require('./routes/purpose').mount(app);
  require('./routes/work').mount(app);
  require('./routes/complaints').mount(app);
  require('./routes/case-reviews').mount(app);
  require('./routes/figures').mount(app);
  require('./routes/panels').mount(app);
  require('./routes/death-reviews').mount(app);

  app.use((req, res) => {
    res.status(404).render('message.njk', { title: 'Page not found', text: 'If you typed the web address, check it is correct.' });
  });
  // Refusals that are not a form's: a case the person may not see reads as
  // missing, a role that may not ask is told so, and a server that does not
  // answer is said plainly.
  app.use((error, req, res, next) => { // eslint-disable-line no-unused-vars
    if (error.code === 'EBADCSRFTOKEN' || error.message === 'invalid csrf token') {
      return res.status(403).render('message.njk', {
        title: 'Your form has expired', text: 'Go back, reload the page and send the form again.',
      });
    }
    // A purpose caseworkd would not take (the policy's list of purposes
    // changed, say): ask again, saying why.
    if (error.codeName === 'INVALID_ARGUMENT' && /x-casework-purpose/.test(error.message) && req.method === 'GET') {
      req.session.purposes = {};
      req.session.purposeRefused = error.message;
      return res.redirect(303, req.originalUrl);
    }
    // An expired or refused token: sign in again, then come back.
    if (error.codeName === 'UNAUTHENTICATED' && req.session.person) {
      delete req.session.person;
      return res.redirect(303, `/sign-in?next=${encodeURIComponent(req.originalUrl)}`);
    }
    const pages = {
      NOT_FOUND: [404, 'Page not found', 'There is no such case, or it is not shared with your agency.'],
      PERMISSION_DENIED: [403, 'You cannot see this', error.message],
      UNAUTHENTICATED: [401, 'Sign in again', error.message],
      UNAVAILABLE: [503, 'Sorry, the service is unavailable', 'The case service is not answering. Try again later.'],
      DEADLINE_EXCEEDED: [503, 'Sorry, the service is unavailable', 'The case service is not answering. Try again later.'],
      INVALID_ARGUMENT: [400, 'There is a problem', error.message],
      FAILED_PRECONDITION: [409, 'This cannot be done now', error.message],
      ALREADY_EXISTS: [409, 'This is already recorded', error.message],
      RESOURCE_EXHAUSTED: [429, 'Too many requests', 'Wait a moment, then try again.'],
    };
    const page = pages[error.codeName];
    if (page) return res.status(page[0]).render('message.njk', { title: page[1], text: page[2] });
    console.error('casework-web:', error); // eslint-disable-line no-console
    return res.status(500).render('message.njk', { title: 'Sorry, there is a problem with the service', text: 'Try again later.' });
  });
  return app;
}

module.exports = { createApp };
