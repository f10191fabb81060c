// My work: notices to act on, deadlines due soon and overdue, and the case
// reviews the person's agency is a party to. Each item links to its case.
'use strict';

const { ifAllowed } = require('../api');
const { lastSegment, today } = require('../format');
const { errorsFrom, formStatus, newRequestId, requestFrom } = require('../forms');

// The page of the web client where a stream's case is shown, and its name
// in words.
const PAGES = {
  caseReviews: ['/case-reviews', 'Case review'], panelCases: ['/panels/cases', 'Panel case'],
  panelMeetings: ['/panels/meetings', 'Panel meeting'], deathReviews: ['/death-reviews', 'Death review'],
  actions: [null, 'Action'], complaints: [null, 'Complaint'],
};
function caseLink(stream) {
  const [, , collection, id] = String(stream).split('/');
  const page = PAGES[collection];
  if (!page) return { href: null, text: stream };
  return { href: page[0] ? `${page[0]}/${id}` : null, text: `${page[1]} ${id}` };
}

function mount(app) {
  app.get('/', (req, res) => res.redirect(303, '/work'));
  mountNotices(app);

  app.get('/work', async (req, res) => {
    const parent = req.app.locals.parent;
    // A queue the person's role may not read is simply not on their page.
    const [notices, dueSoon, overdue, led] = await Promise.all([
      ifAllowed(req.listAll('ComplaintService', 'ListNotices', { parent, page_size: 100 }, 'notices', 100)),
      ifAllowed(req.listAll('DeadlineService', 'ListDeadlines',
        { parent, queue: 'DUE_SOON', within_working_days: 10, today: today(), page_size: 100 }, 'items', 100)),
      ifAllowed(req.listAll('DeadlineService', 'ListDeadlines', { parent, queue: 'OVERDUE', page_size: 100 }, 'items', 100)),
      // The case reviews the person's agency is a party to (the server
      // lists only those): the first page, in number order.
      ifAllowed(req.api('CaseReviewService', 'ListCaseReviews', { parent, page_size: 20 })
        .then((reply) => reply.case_reviews)),
    ]);
    const withLinks = (items) => items && items.map((item) => ({ ...item, link: caseLink(item.stream) }));
    res.render('work.njk', {
      notices: notices && notices.filter((n) => !n.acknowledged).map((n) => ({
        ...n, link: `/complaints?complainant=${encodeURIComponent(n.complainant_reference)}`,
        complaintId: lastSegment(n.complaint),
        done: `/notices/acknowledge?${new URLSearchParams({ complaint: n.complaint, kind: n.kind })}`,
      })),
      dueSoon: withLinks(dueSoon),
      overdue: withLinks(overdue),
      led,
    });
  });
}

// Marks a notice as acted on (AcknowledgeNotice on its complaint), saying
// what was done.
const NOTE = [{ name: 'note', label: 'What did you do?', type: 'textarea',
  hint: 'For example, sent the case review leaflet and phoned the victim' }];

function mountNotices(app) {
  const render = (req, res, values, errors, requestId) => res.render('notice.njk', {
    fields: NOTE, values, errors, requestId: requestId || newRequestId(),
    complaint: String(values.complaint || ''), kind: String(values.kind || ''),
  });
  app.get('/notices/acknowledge', (req, res) => render(req, res, req.query, null));
  app.post('/notices/acknowledge', async (req, res) => {
    const request = {
      ...requestFrom(NOTE, req.body), name: String(req.body.complaint || ''),
      request_id: String(req.body.request_id || newRequestId()), kind: String(req.body.kind || ''),
    };
    try {
      await req.api('ComplaintService', 'AcknowledgeNotice', request);
    } catch (error) {
      const status = formStatus(error);
      if (!status) throw error;
      res.status(status);
      return render(req, res, req.body, errorsFrom(error, NOTE), request.request_id);
    }
    req.session.flash = 'Notice marked as done.';
    return res.redirect(303, '/work');
  });
}

module.exports = { mount };
