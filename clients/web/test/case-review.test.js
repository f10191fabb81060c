// A SPOC takes a case review from the first complaint to its outcome in a
// real browser, against a real caseworkd serving the demo partnership: the
// threshold counts the three complaints, a refused step shows its error next
// to the field, and the figures count the review. axe-core finds no WCAG 2.x
// A/AA violation on any page visited.
'use strict';

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');

const { today } = require('../src/format');
const { reportingYear } = require('../src/routes/figures');

const MORGAN = { agency: 'eastbrook-council', user: 'morgan-hale', role: 'spoc' };
let caseName = '';
const { startStack, stopStack } = require('./harness');

// A CivilDate `days` before today (UK).
function daysAgo(days) {
  const t = today();
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day - days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

let stack;
let web;
let b;
const violations = [];

before(async () => {
  stack = await startStack();
  ({ web, b } = stack);
});

after(() => stopStack(stack));

test('a SPOC records complaints, receives an application and takes the review to its outcome', async () => {
  // The demo partnership's figures before: the page must add exactly this
  // review to them.
  const before = await web.api.call('CaseReviewService', 'GetCaseReviewFigures',
    { parent: 'partnerships/eastbrook', ...reportingYear(today()) }, MORGAN);
  assert.equal(await b.go('/work'), 200);
  assert.match(b.page.url(), /\/sign-in\?next=%2Fwork$/, 'signed-out people are sent to sign in');
  violations.push(...await b.check('sign-in'));
  assert.equal(await b.signIn('morgan'), 200);
  assert.match(await b.text('.app-signed-in'), /Signed in as Morgan Hale, Single point of contact, eastbrook-council/);
  violations.push(...await b.check('my-work-empty'));

  // Three complaints from one complainant, three incidents, three agencies.
  const complaints = [
    { agency: 'shire-police', agency_kind: 'POLICE', incident: 'INC-E2E-1', days: 40 },
    { agency: 'eastbrook-council', agency_kind: 'COUNCIL', incident: 'INC-E2E-2', days: 25 },
    { agency: 'eastbrook-homes', agency_kind: 'HOUSING_PROVIDER', incident: 'INC-E2E-3', days: 10 },
  ];
  for (const [i, c] of complaints.entries()) {
    assert.equal(await b.go('/complaints/new?complainant=cmp-e2e-1'), 200);
    if (i === 0) violations.push(...await b.check('complaint-new'));
    await b.fill({
      agency: c.agency, agency_kind: c.agency_kind, incident_reference: c.incident,
      behaviour_date: daysAgo(c.days), reported_date: daysAgo(c.days), category: 'PERSONAL',
      locality: 'mill-lane', summary: `Shouting and banging at the door (${i + 1})`,
    });
    await b.submitExpecting(200);
    assert.match(await b.text('.govuk-notification-banner'), /Complaint recorded/);
  }
  assert.equal(await b.text('#complaints caption'), 'Complaints from cmp-e2e-1 (3)');
  assert.deepEqual((await b.texts('#complaints tbody td:nth-child(4)')).sort(), ['INC-E2E-1', 'INC-E2E-2', 'INC-E2E-3']);
  violations.push(...await b.check('complainant-ledger'));

  // The application, received today.
  assert.equal(await b.go('/case-reviews/new'), 200);
  violations.push(...await b.check('case-review-new'));
  await b.fill({
    kind: 'INDIVIDUAL', complainant_reference: 'cmp-e2e-1', locality: 'mill-lane', category: 'PERSONAL',
    received_date: today(), description: 'Three months of shouting and banging at the door; nothing has changed.',
  });
  await b.submitExpecting(200);
  const id = /\/case-reviews\/(\d+)$/.exec(b.page.url())[1];
  caseName = `partnerships/eastbrook/caseReviews/${id}`;
  assert.match(await b.text('h1'), new RegExp(`Case review ${id} Received`));
  assert.deepEqual(await b.texts('#next-steps a'), [
    'Acknowledge the application', 'Check the threshold', 'Decide that the threshold is met',
    'Record that the application is withdrawn']);

  // The threshold: met, with the three complaints counted and why.
  assert.equal(await b.clickLink('Check the threshold'), 200);
  violations.push(...await b.check('step-evaluate-threshold'));
  await b.submitExpecting(200);
  assert.match(await b.text('h1'), /Threshold met/);
  assert.match(await b.text('#threshold-summary'), /^Met:/);
  const counted = await b.texts('#threshold tbody td:nth-child(4)');
  assert.deepEqual(counted, ['Counted', 'Counted', 'Counted']);
  assert.deepEqual((await b.texts('#threshold tbody td:nth-child(3)')).sort(), ['INC-E2E-1', 'INC-E2E-2', 'INC-E2E-3']);
  violations.push(...await b.check('case-review-threshold-met'));

  assert.equal(await b.clickLink('Assign a lead officer'), 200);
  violations.push(...await b.check('step-assign-lead-officer'));
  await b.fill({ officer: 'off-council-1' });
  await b.submitExpecting(200);
  assert.match(await b.text('h1'), /In review/);

  // A refused step: the server's message shows next to the field it names,
  // and in the error summary linking to it; what was typed stays.
  assert.equal(await b.clickLink('Record the review meeting'), 200);
  await b.fill({ date: today(), attendees: 'eastbrook-council\nShire Police', notes: 'Agreed a joint visit.' });
  await b.submitExpecting(400);
  assert.equal(await b.text('#attendees-error'),
    'Error: "Shire Police" must be 1-40 characters of a-z, 0-9 and \'-\', starting with a letter');
  assert.equal(await b.page.$eval('.govuk-error-summary a', (a) => a.getAttribute('href')), '#attendees');
  assert.match(await b.page.title(), /^Error: /);
  assert.equal(await b.page.$eval('#notes', (t) => t.value), 'Agreed a joint visit.');
  violations.push(...await b.check('step-refused'));
  await b.fill({ attendees: 'eastbrook-council\nshire-police\neastbrook-homes' });
  await b.submitExpecting(200);
  assert.equal(await b.clickLink('Record the outcome'), 200);
  violations.push(...await b.check('step-record-outcome'));
  await b.fill({ rec1_text: 'Joint visit by housing and police to the neighbour', rec1_lead_agency: 'eastbrook-homes',
    rec1_due_date: daysAgo(-30) });
  await b.submitExpecting(200);
  assert.match(await b.text('h1'), /Outcome decided/);
  assert.equal(await b.clickLink('Record that the outcome was sent to the applicant'), 200);
  await b.submitExpecting(200);
  assert.match(await b.text('h1'), /Outcome communicated/);
  assert.match(await b.text('#recommendations'), /Joint visit by housing and police to the neighbour – eastbrook-homes/);
  // The history in plain words, newest first (dates the calendar sets are
  // shown as DATE).
  const timeline = (await b.texts('#timeline h3'))
    .map((t) => t.replace(/\d{1,2} [A-Z][a-z]+ \d{4}/g, 'DATE').replace(/\d{4}-\d{2}-\d{2}/g, 'YYYY-MM-DD'));
  assert.deepEqual(timeline, [
    'Deadline set: Appeal window by DATE',
    'Deadline met: Outcome letter',
    'Outcome sent to the applicant on DATE',
    'Deadline set: Recommendation 1 by DATE',
    'Outcome recorded with 1 recommendation',
    'Deadline set: Outcome letter by DATE',
    'Deadline met: Review meeting',
    'Review meeting held on DATE',
    'Lead officer off-council-1 (eastbrook-council) assigned',
    'Deadline set: Review meeting by DATE',
    'Deadline met: Threshold decision',
    'Threshold met: 3 qualifying complaints about 3 separate incidents reported from YYYY-MM-DD to YYYY-MM-DD (policy needs 3): threshold met (R1).',
    'Deadline set: Threshold decision by DATE',
    'Deadline set: Acknowledge by DATE',
    'Application received (Individual, cmp-e2e-1): Three months of shouting and banging at the door; nothing has changed.',
  ]);
  assert.match(await b.text('#timeline li:nth-child(3) .app-timeline__when'),
    /^morgan-hale, eastbrook-council – \d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}(am|pm)$/);
  violations.push(...await b.check('case-review-outcome'));

  // The figures count it.
  assert.equal(await b.go('/figures'), 200);
  const statutory = Object.fromEntries((await b.page.$$eval('#statutory tbody tr', (rows) => rows.map((r) => [
    r.querySelector('th').textContent.trim(), r.querySelector('td').textContent.trim()]))));
  assert.deepEqual(statutory, {
    'Applications received': String(before.applications_received + 1),
    'Threshold not met': String(before.threshold_not_met),
    'Reviews carried out': String(before.reviews_carried_out + 1),
    'Reviews with recommendations': String(before.reviews_with_recommendations + 1),
  });
  violations.push(...await b.check('figures'));
  const csv = await b.page.$eval('#csv', (a) => a.href);
  const response = await fetch(csv, { headers: { cookie: (await b.page.cookies()).map((c) => `${c.name}=${c.value}`).join('; ') } });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/csv/);
  assert.match(await response.text(), /applications_received|Applications received/i);

  // My work: the SPOC's queues. A notice is marked done with what was done.
  assert.equal(await b.go('/work'), 200);
  violations.push(...await b.check('my-work'));
  const notices = (await b.texts('#notices li')).length;
  assert.ok(notices >= 2, `${notices} notices`);
  const [first] = await b.page.$$eval('#notices li a[href^="/notices/"]', (as) => as.map((a) => a.getAttribute('href')));
  assert.equal(await b.go(first), 200);
  await b.submitExpecting(400);
  assert.match(await b.text('#note-error'), /^Error: /);
  violations.push(...await b.check('notice-refused'));
  await b.fill({ note: 'Sent the case review leaflet and phoned the victim' });
  await b.submitExpecting(200);
  assert.match(await b.text('.govuk-notification-banner'), /Notice marked as done/);
  assert.equal((await b.texts('#notices li')).length, notices - 1);
});

test('a step sent from a stale page is refused and asks the person to reload', async () => {
  const id = caseName.split('/').pop();
  assert.equal(await b.go(`/case-reviews/${id}`), 200);
  assert.equal(await b.clickLink('Record officer hours'), 200);
  // Someone else changes the case meanwhile.
  await web.api.call('CaseReviewService', 'RecordOfficerHours', {
    name: caseName, request_id: 'elsewhere-1', hours: 1, agency: 'shire-police',
  }, { agency: 'eastbrook-council', user: 'ali-brennan', role: 'caseworker' });
  await b.fill({ hours: '2.5', agency: 'eastbrook-council' });
  await b.submitExpecting(409);
  assert.match(await b.text('.govuk-error-summary'), /Someone else changed this case since you opened it/);
  assert.equal(await b.page.$eval('#reload', (a) => a.getAttribute('href')), `/case-reviews/${id}/steps/RecordOfficerHours`);
  violations.push(...await b.check('step-stale'));
});

test('no page visited has a WCAG 2.x A or AA violation', () => {
  assert.deepEqual(violations, []);
});
