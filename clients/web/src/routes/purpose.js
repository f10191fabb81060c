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

async function listedPurposes(req) {
  const policy = await req.api('PolicyService', 'GetPolicy', { parent: req.app.locals.parent });
  return (policy.audit && policy.audit.purposes) || [];
}

function mount(app) {
  app.get('/purpose', async (req, res) => {
    const listed = await listedPurposes(req);
    res.render('purpose.njk', { record: String(req.query.record || ''), next: safeNext(req.query.next), listed, error: null });
  });

  app.post('/purpose', async (req, res) => {
    const listed = await listedPurposes(req);
    const record = String(req.body.record || '');
    const purpose = String((listed.length > 0 ? req.body.purpose : req.body.purpose_text) || '').trim();
    if (!record.startsWith(`${req.app.locals.parent}/`) || purpose.length === 0 || purpose.length > 200) {
      return res.status(400).render('purpose.njk', {
        record, next: safeNext(req.body.next), listed,
        error: purpose.length > 200 ? 'The reason must be 200 characters or fewer' : 'Say why you are opening this record',
      });
    }
    req.session.purposes = { ...(req.session.purposes || {}), [record]: purpose };
    return res.redirect(303, safeNext(req.body.next));
  });
}

module.exports = { mount, purposeOr };
