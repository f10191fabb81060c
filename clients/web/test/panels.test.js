// Panels and death reviews in a real browser against caseworkd serving the
// demo partnership: a panel chair's board, a meeting that refuses a decision
// until it is quorate and then shows it, a case's risk trend; the death
// review tracker for its readers only. axe-core finds no WCAG 2.x A/AA
// violation (nor content outside a landmark) on any page visited.
'use strict';

const assert = require('node:assert/strict');
const { after, before, test } = require('node:test');

const { today } = require('../src/format');
const { startStack, stopStack } = require('./harness');

let stack;
let b;
const violations = [];

before(async () => {
  stack = await startStack();
  ({ b } = stack);
});

after(() => stopStack(stack));

test('a panel chair sees the board, and a meeting takes a decision only once quorate', async () => {
  await b.signIn('jordan');
  assert.equal(await b.go('/panels'), 200);
  violations.push(...await b.check('panels-board'));
  // The demo's youth panel has two cases on its main agenda, the adults
  // panel one.
  const yjag = await b.text('section[aria-labelledby="panel-yjag"]');
  assert.match(yjag, /Main agenda \(1\).*Robin Ashdown.*Monitoring \(1\).*Sam Kettering/);
  assert.match(await b.text('section[aria-labelledby="panel-aarg"]'), /Main agenda \(1\).*Alex Penrose/);
  const [caseLink] = await b.page.$$eval('section[aria-labelledby="panel-yjag"] a[href^="/panels/cases/"]',
    (as) => as.map((a) => a.getAttribute('href')));

  // A meeting of the youth panel today.
  assert.equal(await b.clickLink('Schedule a meeting'), 200);
  violations.push(...await b.check('panel-meeting-new'));
  await b.fill({ panel: 'yjag', date: today(), location: 'Council offices, committee room 2' });
  await b.submitExpecting(200);
  const meetingUrl = b.page.url();
  const meetingId = /\/panels\/meetings\/(\d+)$/.exec(meetingUrl)[1];
  assert.match(await b.text('#quorum + *'), /^Not quorate Decisions on cases will be refused: /);
  violations.push(...await b.check('panel-meeting'));

  // A decision at it, before anyone's attendance is recorded, is refused and
  // the reason shown plainly.
  assert.equal(await b.go(caseLink), 200);
  await b.givePurpose('youth panel meeting');
  violations.push(...await b.check('panel-case'));
  assert.ok((await b.texts('#assessments tbody tr')).length >= 1, 'the risk trend lists the assessments');
  assert.equal(await b.page.$$eval('main figure svg', (s) => s.length), 1);
  assert.equal(await b.clickLink('Record a review at a meeting'), 200);
  await b.fill({ meeting: meetingId, summary: 'Reviewed: school attendance improving; keep on the main agenda' });
  await b.submitExpecting(409);
  assert.equal(await b.text('.govuk-error-summary'), `There is a problem partnerships/eastbrook/panelMeetings/${meetingId}`
    + ' is not quorate: 0 of the 3 responsible authorities required are present; no chair is recorded as present');
  violations.push(...await b.check('panel-quorum-refused'));

  // Attendance: the three responsible authorities the panel needs.
  assert.equal(await b.go(`/panels/meetings/${meetingId}/attendance`), 200);
  violations.push(...await b.check('panel-meeting-attendance'));
  await b.fill({
    a1_agency: 'eastbrook-council', a1_agency_kind: 'COUNCIL', a1_role: 'Community safety manager',
    a2_agency: 'shire-police', a2_agency_kind: 'POLICE', a2_role: 'Inspector', a2_chair: true,
    a3_agency: 'shire-fire', a3_agency_kind: 'FIRE_AND_RESCUE', a3_role: 'Station manager',
  });
  await b.submitExpecting(200);
  assert.match(await b.text('#quorum + p'), /^Quorate The meeting can take decisions on cases\.$/);

  // Now the review is taken, and the meeting's minutes show it.
  assert.equal(await b.go(`${caseLink}/steps/ReviewCase`), 200);
  await b.fill({ meeting: meetingId, summary: 'Reviewed: school attendance improving; keep on the main agenda' });
  await b.submitExpecting(200);
  assert.equal(await b.go(`/panels/meetings/${meetingId}`), 200);
  assert.match(await b.text('#decisions-table'), /school attendance improving/);
  violations.push(...await b.check('panel-meeting-decided'));

  // Closing it: a step page like any other; nothing more is open then.
  assert.equal(await b.clickLink('Close the meeting'), 200);
  violations.push(...await b.check('panel-meeting-close'));
  await b.fill({ notes: 'All cases due were reviewed' });
  await b.submitExpecting(200);
  assert.match(await b.text('.govuk-notification-banner'), /Close the meeting: done\./);
  assert.match(await b.text('#next-steps'), /^Nothing: the meeting has no step open to your role now\.$/);
});

test('death reviews are listed and shown to their readers only', async () => {
  await b.submit('.app-signed-in form button');
  await b.signIn('casey');
  assert.equal(await b.go('/death-reviews'), 200);
  violations.push(...await b.check('death-reviews'));
  const [review] = await b.page.$$eval('#stages a[href^="/death-reviews/"], main a[href^="/death-reviews/"]',
    (as) => as.map((a) => a.getAttribute('href')).filter((h) => /^\/death-reviews\/\d+$/.test(h)));
  assert.ok(review, 'the partnership chair sees the demo review');
  assert.equal(await b.go(review), 200);
  await b.givePurpose('reviewing the death review timetable');
  violations.push(...await b.check('death-review'));
  assert.match(await b.text('h1'), /Death review/);

  // A caseworker of the same partnership does not see it at all.
  await b.submit('.app-signed-in form button');
  await b.signIn('dana');
  await b.go('/death-reviews');
  assert.equal(await b.page.$$eval(`main a[href="${review}"]`, (as) => as.length), 0);
  assert.equal(await b.go(review), 200);
  await b.givePurpose('looking for a review');
  assert.match(await b.text('h1'), /Page not found/);
});

test('every other page passes axe too', async () => {
  await b.submit('.app-signed-in form button');
  await b.signIn('casey');
  const pages = [
    ['/case-reviews', 'case-reviews'], ['/complaints', 'complaints'], ['/complaints?complainant=cmp-demo-1', 'ledger'],
    ['/panels/cases/new', 'panel-case-new'], ['/no-such-page', 'not-found'],
  ];
  for (const [path, name] of pages) {
    await b.go(path);
    violations.push(...await b.check(name));
  }
  // A record's purpose page, and a death review's step page.
  assert.equal(await b.go('/panels/cases/2'), 200);
  assert.match(b.page.url(), /\/purpose\?/);
  violations.push(...await b.check('purpose'));
  await b.go('/death-reviews/1');
  await b.givePurpose('reviewing the death review timetable');
  const [step] = await b.page.$$eval('#next-steps a', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(step, 'the partnership chair has a step on the demo review');
  assert.equal(await b.go(step), 200);
  violations.push(...await b.check('death-review-step'));
});

test('no page visited has a WCAG 2.x A or AA violation', () => {
  assert.deepEqual(violations, []);
});
