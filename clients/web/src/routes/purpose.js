// Why the person is opening a record. caseworkd records every read of one
// record's detail with its purpose in the audit log, so the web client asks
// once per record and session, offering the partnership's listed purposes.
'use strict';

const { safeNext } = require('./sign-in');

// The purpose given for `name` in this session, or a redirect to ask it.
function purposeOr(req, res, name) {
  const purposes = req.session.purposes || {};
  if (purposes[name]) return purposes[name];
  res.redirect(303, `/purpose?record=${encodeURIComponent(name)}&next=${encodeURIComponent(req.originalUrl)}`);
  return null;
}

// Asks the purpose before any page under `path` ("/case-reviews/:id") of a
// record of `collection` ("caseReviews").
function askPurpose(app, path, collection) {
  app.use(path, (req, res, next) => {
    if (!/^\d{1,18}$/.test(req.params.id)) return next();
    const name = `${req.app.locals.parent}/${collection}/${req.params.id}`;
    return purposeOr(req, res, name) ? next() : undefined;
  });
}

async function listedPurposes(req) {
  const policy = await req.api('PolicyService', 'GetPolicy', { parent: req.app.locals.parent });
  return (policy.audit && policy.audit.purposes) || [];
}

function mount(app) {
  app.get('/purpose', async (req, res) => {
    const listed = await listedPurposes(req);
    const refused = req.session.purposeRefused || null;
    delete req.session.purposeRefused;
    res.status(refused ? 400 : 200).render('purpose.njk', {
      record: String(req.query.record || ''), next: safeNext(req.query.next), listed, error: refused,
    });
  });

  app.post('/purpose', async (req, res) => {
    const listed = await listedPurposes(req);
    const record = String(req.body.record || '');
    const purpose = String((listed.length > 0 ? req.body.purpose : req.body.purpose_text) || '').trim();
    // It travels in a request header: printable ASCII only, as caseworkd
    // reads it (1-200 characters).
    let error = null;
    if (purpose.length === 0) error = 'Say why you are opening this record';
    else if (purpose.length > 200) error = 'The reason must be 200 characters or fewer';
    else if (!/^[\x20-\x7e]+$/.test(purpose)) error = 'Use letters, numbers, spaces and punctuation only (no curly quotes or accents)';
    if (error || !record.startsWith(`${req.app.locals.parent}/`)) {
      return res.status(400).render('purpose.njk', {
        record, next: safeNext(req.body.next), listed, error: error || 'There is no such record',
      });
    }
    req.session.purposes = { ...(req.session.purposes || {}), [record]: purpose };
    return res.redirect(303, safeNext(req.body.next));
  });
}

module.exports = { mount, askPurpose };
