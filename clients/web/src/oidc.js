// Sign-in with the partnership's OpenID Connect provider (openid-client):
// the authorisation code flow with PKCE, state and nonce. The person's ID
// token is what the web client forwards to caseworkd as their bearer token,
// so caseworkd, not this client, decides who they are: its `sub` is the
// user, its `agency` claim their agency and its `roles` claim the roles they
// may act in (a person with several picks one after signing in).
'use strict';

const { Issuer, generators } = require('openid-client');
const { safeNext } = require('./routes/sign-in');

// options: issuer (URL), clientId, clientSecret, redirectUri
// ("https://casework.example/sign-in/callback"; the provider must also
// allow "https://casework.example/sign-in" after signing out).
function mountOidc(app, options) {
  // Where the provider sends people back after signing out.
  const signedOutUri = options.redirectUri.replace(/\/callback$/, '');
  let client = null;
  // Discovered on first use, so the web client starts even when the
  // provider is briefly down.
  async function oidcClient() {
    if (client) return client;
    const issuer = await Issuer.discover(options.issuer);
    client = new issuer.Client({
      client_id: options.clientId,
      client_secret: options.clientSecret,
      redirect_uris: [options.redirectUri],
      post_logout_redirect_uris: [signedOutUri],
      response_types: ['code'],
      id_token_signed_response_alg: 'RS256',
    });
    return client;
  }

  app.get('/sign-in', (req, res) => {
    res.render('sign-in-oidc.njk', { next: safeNext(req.query.next) });
  });

  app.post('/sign-in', async (req, res) => {
    const c = await oidcClient();
    const flow = {
      verifier: generators.codeVerifier(),
      state: generators.state(),
      nonce: generators.nonce(),
      next: safeNext(req.body.next),
    };
    req.session.oidc = flow;
    res.redirect(303, c.authorizationUrl({
      scope: 'openid profile casework',
      code_challenge: generators.codeChallenge(flow.verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    }));
  });

  app.get('/sign-in/callback', async (req, res, next) => {
    const flow = req.session.oidc;
    if (!flow) return res.redirect(303, '/sign-in');
    const c = await oidcClient();
    let tokens;
    try {
      tokens = await c.callback(options.redirectUri, c.callbackParams(req),
        { code_verifier: flow.verifier, state: flow.state, nonce: flow.nonce });
    } catch (error) {
      return res.status(401).render('message.njk', {
        title: 'You could not be signed in', text: error.message, back: '/sign-in', backText: 'Try again',
      });
    }
    const claims = tokens.claims();
    const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
    if (!claims.agency || roles.length === 0) {
      return res.status(403).render('message.njk', {
        title: 'Your account has no role in the partnership',
        text: 'Ask your partnership administrator to give your account an agency and a role.',
      });
    }
    // A new session once signed in: nothing from before it carries over.
    return req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.person = {
        name: String(claims.name || claims.sub), user: String(claims.sub), agency: String(claims.agency),
        role: roles[0], roles, token: tokens.id_token,
      };
      req.session.purposes = {};
      return res.redirect(303, roles.length > 1 ? `/sign-in/role?next=${encodeURIComponent(flow.next)}` : flow.next);
    });
  });

  // A person whose token grants several roles acts in one at a time.
  app.get('/sign-in/role', (req, res) => {
    if (!req.session.person) return res.redirect(303, '/sign-in');
    return res.render('sign-in-role.njk', { roles: req.session.person.roles, next: safeNext(req.query.next), error: null });
  });
  app.post('/sign-in/role', (req, res) => {
    const person = req.session.person;
    if (!person) return res.redirect(303, '/sign-in');
    if (!person.roles.includes(req.body.role)) {
      return res.status(400).render('sign-in-role.njk', {
        roles: person.roles, next: safeNext(req.body.next), error: 'Select the role you are working in',
      });
    }
    person.role = req.body.role;
    return res.redirect(303, safeNext(req.body.next));
  });

  // Signing out ends the session here and, when the provider offers it, at
  // the provider too: on a shared computer the next person must sign in.
  app.post('/sign-out', async (req, res, next) => {
    const token = req.session.person && req.session.person.token;
    const c = await oidcClient();
    req.session.destroy((error) => {
      if (error) return next(error);
      if (!token || !c.issuer.end_session_endpoint) return res.redirect(303, '/sign-in');
      return res.redirect(303, c.endSessionUrl({ id_token_hint: token, post_logout_redirect_uri: signedOutUri }));
    });
  });
}

module.exports = { mountOidc };
