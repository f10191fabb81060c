// Case reviews: the list, a new application, a case's page (summary,
// threshold explanation, deadlines, timeline, the steps it allows) and the
// step forms.
'use strict';

const { errorsFrom, formStatus, newRequestId, requestFrom } = require('../forms');
const { describeEvent } = require('../describe');
const { mountSteps, stepLinks } = require('../steps');
const { CASE_REVIEW_STEPS } = require('../case-review-steps');
const { askPurpose } = require('./purpose');

const APPLICATION_FIELDS = [
  { name: 'kind', path: 'applicant.kind', label: 'Who is applying?', type: 'radios',
    options: [{ value: 'INDIVIDUAL', text: 'A person' }, { value: 'BUSINESS', text: 'A business' },
      { value: 'COMMUNITY_GROUP', text: 'A community group' }] },
  { name: 'complainant_reference', path: 'applicant.complainant_reference', label: 'Complainant reference',
    type: 'text', hint: 'Their reference in the complainant ledger, for example cmp-4471' },
  { name: 'representative_reference', path: 'applicant.representative_reference',
    label: 'Representative reference (if someone applies for them)', type: 'text' },
  { name: 'consent_recorded', path: 'applicant.consent_recorded',
    label: 'The applicant consented to someone applying for them', type: 'checkbox' },
  { name: 'locality', path: 'applicant.locality', label: 'Locality', type: 'text', hint: 'For example, mill-lane' },
  { name: 'category', path: 'applicant.category', label: 'Kind of behaviour', type: 'radios',
    options: [{ value: 'PERSONAL', text: 'Personal' }, { value: 'NUISANCE', text: 'Nuisance' },
      { value: 'ENVIRONMENTAL', text: 'Environmental' }] },
  { name: 'received_date', label: 'When was the application received?', type: 'date', hint: 'For example, 27 11 2026' },
  { name: 'description', label: 'What the application says', type: 'textarea' },
];

const KIND = {
  base: '/case-reviews',
  service: 'CaseReviewService',
  collection: 'caseReviews',
  noun: 'case review',
  steps: CASE_REVIEW_STEPS,
  load: (req, name) => req.api('CaseReviewService', 'GetCaseReview', { name }, req.session.purposes[name]),
  // The policy version the case is pinned to: its officers and grounds.
  extra: async (req, review) => ({
    policy: await req.api('PolicyService', 'GetPolicy', { parent: req.app.locals.parent, version: review.policy_version }),
  }),
};

function mount(app) {
  app.get('/case-reviews', async (req, res) => {
    const state = String(req.query.state || '');
    const reply = await req.api('CaseReviewService', 'ListCaseReviews', {
      parent: req.app.locals.parent, page_size: 50, page_token: String(req.query.page || ''),
      ...(state ? { state } : {}),
    });
    res.render('case-reviews.njk', { reviews: reply.case_reviews, next: reply.next_page_token, state });
  });

  const renderNew = (req, res, extra) => res.render('case-review-new.njk', {
    fields: APPLICATION_FIELDS, values: {}, errors: null, requestId: newRequestId(), ...extra,
  });
  app.get('/case-reviews/new', (req, res) => renderNew(req, res, {}));
  app.post('/case-reviews/new', async (req, res) => {
    const request = { ...requestFrom(APPLICATION_FIELDS, req.body), parent: req.app.locals.parent,
      request_id: String(req.body.request_id || newRequestId()) };
    let reply;
    try {
      reply = await req.api('CaseReviewService', 'ReceiveApplication', request);
    } catch (error) {
      const status = formStatus(error);
      if (!status) throw error;
      res.status(status);
      return renderNew(req, res, { values: req.body, errors: errorsFrom(error, APPLICATION_FIELDS), requestId: request.request_id });
    }
    const name = reply.case_review.name;
    // The person who recorded it is working on it: no purpose to ask.
    req.session.purposes = { ...(req.session.purposes || {}), [name]: 'recording the application' };
    req.session.flash = 'Application received.';
    return res.redirect(303, `/case-reviews/${name.split('/').pop()}`);
  });

  askPurpose(app, '/case-reviews/:id', 'caseReviews');

  app.get('/case-reviews/:id', async (req, res) => {
    const name = `${req.app.locals.parent}/caseReviews/${req.params.id}`;
    const purpose = req.session.purposes[name];
    const [review, history] = await Promise.all([
      req.api('CaseReviewService', 'GetCaseReview', { name }, purpose),
      req.api('EventService', 'ReadStream', { stream: name, page_size: 500 }, purpose),
    ]);
    const timeline = history.events.map((e) => describeEvent(e, req.unpack)).reverse();
    const steps = stepLinks(KIND, req.params.id, review);
    res.render('case-review.njk', { review, timeline, steps, id: req.params.id, more: Boolean(history.next_page_token) });
  });

  mountSteps(app, KIND);
}

module.exports = { mount };
