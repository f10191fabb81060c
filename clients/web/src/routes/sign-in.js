// Development sign-in: pick one of the demo partnership's fictional people.
// caseworkd takes the development identity only on loopback, so this page
// exists only where that is true.
'use strict';

function safeNext(next) {
  // Only paths on this site: never an address elsewhere.
  return typeof next === 'string' && /^\/(?!\/)[^\\]*$/.test(next) ? next : '/work';
}

function mount(app, { people }) {
  app.get('/sign-in', (req, res) => {
    res.render('sign-in.njk', { people, next: safeNext(req.query.next), error: null });
  });

  app.post('/sign-in', (req, res, next) => {
    const person = people.find((p) => p.id === req.body.person);
    if (!person) {
      return res.status(400).render('sign-in.njk', {
        people, next: safeNext(req.body.next), error: 'Select who you are signing in as',
      });
    }
    // A new session on sign-in: nothing from before it carries over.
    return req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.person = { name: person.name, user: person.user, agency: person.agency, role: person.role };
      req.session.purposes = {};
      return res.redirect(303, safeNext(req.body.next));
    });
  });

  app.post('/sign-out', (req, res, next) => {
    req.session.destroy((error) => {
      if (error) return next(error);
      return res.redirect(303, '/sign-in');
    });
  });
}

module.exports = { mount, safeNext };
