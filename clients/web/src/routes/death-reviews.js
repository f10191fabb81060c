// Death reviews (domestic homicide / domestic abuse related death reviews):
// a tracker of the reviews the person may read, by stage, with holds and
// the next deadline; a review's page (summary, criteria, people, reports,
// family, drafts and quality assurance, action plan, holds, deadlines,
// history, the steps it allows) and its step forms. Before publication a
// review is the server's to show or hide: what it returns is shown, and a
// published summary (`restricted`) is shown as only that.
'use strict';

const { describeEvent } = require('../describe');
const { ifAllowed } = require('../api');
const { dayNumber, lastSegment } = require('../format');
const { mountSteps, stepLinks } = require('../steps');
const { DEATH_REVIEW_STEPS, KIND_WORDS } = require('../death-review-steps');
const { askPurpose } = require('./purpose');

// The stages in the order a review goes through them, then the ends.
const STAGES = ['NOTIFIED', 'COMMISSIONED', 'SCOPING', 'AGENCY_REPORTS', 'DRAFTING', 'SIGNED_OFF', 'SUBMITTED',
  'APPROVED', 'PUBLISHED', 'ON_HOLD', 'NOT_COMMISSIONED', 'CLOSED'];
const STAGE_WORDS = {
  NOTIFIED: 'Notified: decision due', COMMISSIONED: 'Commissioned: chair and panel', SCOPING: 'Scoping',
  AGENCY_REPORTS: 'Agency reports', DRAFTING: 'Drafting', SIGNED_OFF: 'Signed off', SUBMITTED: 'With the Home Office',
  APPROVED: 'Approved for publication', PUBLISHED: 'Published: action plan', ON_HOLD: 'On hold',
  NOT_COMMISSIONED: 'Not commissioned', CLOSED: 'Closed',
};
const REGIME_WORDS = {
  SECTION_9_2011: 'Domestic homicide review: section 9 of the Domestic Violence, Crime and Victims Act 2004 (2011)',
  DOMESTIC_ABUSE_2024: 'Domestic abuse related death review: as amended by the Victims and Prisoners Act 2024',
};
// Deadlines still to be met, soonest first, a missed one before the rest.
const OPEN_DEADLINES = { MISSED: 0, RUNNING: 1, PAUSED: 2 };

function nextDeadline(review) {
  const open = (review.deadlines || []).filter((d) => d.state in OPEN_DEADLINES);
  open.sort((a, b) => OPEN_DEADLINES[a.state] - OPEN_DEADLINES[b.state] || dayNumber(a.due) - dayNumber(b.due));
  return open[0] || null;
}

// The hold the review is in, if it is on hold.
function openHold(review) {
  const holds = review.holds || [];
  return review.state === 'ON_HOLD' && holds.length ? holds[holds.length - 1] : null;
}

const KIND = {
  base: '/death-reviews',
  service: 'DeathReviewService',
  collection: 'deathReviews',
  noun: 'death review',
  steps: DEATH_REVIEW_STEPS,
  load: (req, name) => req.api('DeathReviewService', 'GetDeathReview', { name }, req.session.purposes[name]),
};

function mount(app) {
  app.get('/death-reviews', async (req, res) => {
    const show = ['on_hold', 'overdue'].includes(req.query.show) ? req.query.show : '';
    let reviews;
    try {
      reviews = await req.listAll('DeathReviewService', 'ListDeathReviews', {
        parent: req.app.locals.parent, page_size: 200,
        ...(show === 'on_hold' ? { on_hold_only: true } : {}), ...(show === 'overdue' ? { overdue_only: true } : {}),
      }, 'death_reviews', 500);
    } catch (error) {
      if (error.codeName !== 'PERMISSION_DENIED') throw error;
      return res.status(403).render('message.njk', {
        title: 'Death reviews',
        text: 'Your role does not give access to death reviews. They are read by each review\'s chair and panel, and by the roles the partnership names; published summaries are read by the partnership.',
      });
    }
    const rows = reviews.map((review) => ({
      review, id: lastSegment(review.name), hold: openHold(review), next: nextDeadline(review),
    }));
    const stages = STAGES.map((state) => ({
      state, words: STAGE_WORDS[state], rows: rows.filter((r) => r.review.state === state),
    }));
    // A stage the contract adds later is still shown.
    const other = rows.filter((r) => !STAGES.includes(r.review.state));
    if (other.length) stages.push({ state: 'OTHER', words: 'Other', rows: other });
    return res.render('death-reviews.njk', { stages, total: rows.length, show });
  });

  askPurpose(app, '/death-reviews/:id', 'deathReviews');

  app.get('/death-reviews/:id', async (req, res) => {
    const name = `${req.app.locals.parent}/deathReviews/${req.params.id}`;
    const purpose = req.session.purposes[name];
    const review = await req.api('DeathReviewService', 'GetDeathReview', { name }, purpose);
    if (review.restricted) {
      // The published summary: its history and contacts are not the
      // caller's to read.
      return res.render('death-review.njk', {
        review, id: req.params.id, restricted: true, stageWords: STAGE_WORDS, regimeWords: REGIME_WORDS,
      });
    }
    const [history, contacts] = await Promise.all([
      req.api('EventService', 'ReadStream', { stream: name, page_size: 500 }, purpose),
      ifAllowed(req.listAll('DeathReviewService', 'ListFamilyContacts', { name, page_size: 100 }, 'contacts', 500, purpose)),
    ]);
    const steps = stepLinks(KIND, req.params.id, review);
    return res.render('death-review.njk', {
      review, contacts, steps, id: req.params.id, restricted: false, stageWords: STAGE_WORDS, kindWords: KIND_WORDS,
      regimeWords: REGIME_WORDS,
      hold: openHold(review),
      timeline: history.events.map((e) => describeEvent(e, req.unpack)).reverse(),
      more: Boolean(history.next_page_token),
    });
  });

  mountSteps(app, KIND);
}

module.exports = { mount };
