// The complainant ledger: a complainant's complaints, and recording a
// complaint by hand (integrations send most of them).
'use strict';

const { errorsFrom, formStatus, newRequestId, options, requestFrom } = require('../forms');
const { AGENCY_KINDS } = require('../panel-steps');

const COMPLAINT_FIELDS = [
  { name: 'complainant_reference', path: 'complaint.complainant_reference', label: 'Complainant reference',
    type: 'text', hint: 'The reference of the person complaining, for example cmp-4471. Never their name.' },
  { name: 'agency', path: 'complaint.agency', label: 'Agency the complaint was made to', type: 'text',
    hint: 'For example, shire-police' },
  { name: 'agency_kind', path: 'complaint.agency_kind', label: 'Kind of agency', type: 'radios',
    options: options(AGENCY_KINDS) },
  { name: 'incident_reference', path: 'complaint.incident_reference', label: 'Incident reference', type: 'text',
    hint: 'Complaints with the same incident reference are one incident' },
  { name: 'behaviour_date', path: 'complaint.behaviour_date', label: 'When did the behaviour happen?', type: 'date',
    hint: 'For example, 27 3 2026' },
  { name: 'reported_date', path: 'complaint.reported_date', label: 'When was it reported?', type: 'date' },
  { name: 'category', path: 'complaint.category', label: 'Kind of behaviour', type: 'radios',
    options: options([['PERSONAL', 'Personal: targeted at a person or household'],
      ['NUISANCE', 'Nuisance: affecting a community'], ['ENVIRONMENTAL', 'Environmental: fly-tipping, graffiti and similar']]) },
  { name: 'hate_related', path: 'complaint.hate_related', label: 'The behaviour was hate related', type: 'checkbox' },
  { name: 'hate_strand', path: 'complaint.hate_strand', label: 'If it was hate related: which strand', type: 'radios',
    options: options([['RACE', 'Race'], ['RELIGION', 'Religion or belief'], ['SEXUAL_ORIENTATION', 'Sexual orientation'],
      ['DISABILITY', 'Disability'], ['TRANSGENDER', 'Transgender identity'], ['OTHER_HATE', 'Another strand']]) },
  { name: 'locality', path: 'complaint.locality', label: 'Locality', type: 'text', hint: 'A ward or beat, for example mill-lane' },
  { name: 'summary', path: 'complaint.summary', label: 'Summary', type: 'textarea' },
];

function mount(app) {
  app.get('/complaints', async (req, res) => {
    const complainant = String(req.query.complainant || '').trim();
    let complaints = null;
    if (complainant) {
      complaints = await req.listAll('ComplaintService', 'ListComplaints',
        { parent: req.app.locals.parent, complainant_reference: complainant, page_size: 100 }, 'complaints', 500);
    }
    res.render('complaints.njk', { complainant, complaints });
  });

  const render = (req, res, extra) => res.render('complaint-new.njk', {
    fields: COMPLAINT_FIELDS,
    values: { agency: req.session.person.agency, complainant_reference: String(req.query.complainant || '') },
    errors: null,
    requestId: newRequestId(),
    ...extra,
  });

  app.get('/complaints/new', (req, res) => render(req, res, {}));

  app.post('/complaints/new', async (req, res) => {
    const request = requestFrom(COMPLAINT_FIELDS, req.body);
    const requestId = String(req.body.request_id || newRequestId());
    request.parent = req.app.locals.parent;
    request.request_id = requestId;
    // Typed in here: the web client is the source system, and the form's
    // request id its reference, so sending the form twice records it once.
    request.complaint.source_system = 'casework-web';
    request.complaint.source_reference = requestId;
    let reply;
    try {
      reply = await req.api('ComplaintService', 'RecordComplaint', request);
    } catch (error) {
      const status = formStatus(error);
      if (!status) throw error;
      res.status(status);
      return render(req, res, { values: req.body, errors: errorsFrom(error, COMPLAINT_FIELDS), requestId });
    }
    const notices = reply.complaint.notices || [];
    req.session.flash = `Complaint recorded${reply.duplicate ? ' (it was already recorded)' : ''}.`
      + (notices.length > 0 ? ` ${notices.map((n) => n.reason).join(' ')}` : '');
    return res.redirect(303, `/complaints?complainant=${encodeURIComponent(reply.complaint.complainant_reference)}`);
  });
}

module.exports = { mount };
