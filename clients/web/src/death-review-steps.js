// The forms of a death review's steps (DeathReviewService commands a person
// runs; the engine's LinkPlanAction is not here). Each field names the
// request field it fills; caseworkd validates them all. Repeated fields of
// structured items (an action plan item's milestones) are left out: the
// forms keep to what each command requires.
'use strict';

const { options } = require('./forms');
const { civilDate } = require('./format');

const KIND_WORDS = { IMR: 'Individual management review', CHRONOLOGY: 'Chronology', SHORT_REPORT: 'Short report' };

const date = (name, text, hint) => ({ name, label: text, type: 'date', hint: hint || 'For example, 27 11 2026' });
const text = (name, words, hint) => ({ name, label: words, type: 'text', hint });
const area = (name, words, hint) => ({ name, label: words, type: 'textarea', hint });

// The agency reports still awaited, to choose one from.
const reportChoice = (review) => {
  const waiting = (review.agency_reports || []).filter((r) => r.state === 'REQUESTED');
  if (waiting.length === 0) return { name: 'report_id', label: 'Report number', type: 'number' };
  return {
    name: 'report_id', label: 'Which report?', type: 'radios',
    options: waiting.map((r) => ({
      value: String(r.id),
      text: `Report ${r.id}: ${KIND_WORDS[r.kind] || r.kind} from ${r.agency}, due ${civilDate(r.due_on)}`,
    })),
  };
};
const reportNumber = (request) => {
  if (/^\d+$/.test(String(request.report_id))) request.report_id = Number(request.report_id);
};

const DEATH_REVIEW_STEPS = {
  RecordDecision: {
    title: 'Decide whether to commission a review', button: 'Record the decision',
    description: 'The Home Office is told of every decision, including a decision not to hold a review.',
    fields: [
      { name: 'commission', label: 'Is a review commissioned?', type: 'yesno' },
      area('reason', 'Reason for the decision'),
      date('decided_on', 'Date of the decision'),
      date('home_office_notified_on', 'When was the Home Office told?'),
      date('family_notified_on', 'When was the family told? (optional)', 'Leave empty if the family has not been told yet'),
      { name: 'agencies_involved', label: 'Agencies involved with the victim or perpetrator', type: 'lines',
        hint: 'One agency identifier per line, for example shire-police' },
    ],
  },
  AppointChair: {
    title: 'Appoint the independent chair', button: 'Appoint',
    fields: [
      text('chair_agency', 'Chair\'s organisation', 'Its identifier, for example independent-reviews'),
      text('chair_user', 'Chair\'s user name'),
      { name: 'declared_associations', label: 'Agencies the chair declares employment by or a direct association with',
        type: 'lines', hint: 'One agency identifier per line. Leave empty if there are none.' },
      date('appointed_on', 'Date appointed'),
    ],
  },
  AddPanelMember: {
    title: 'Add a panel member', button: 'Add the member',
    fields: [
      text('agency', 'Their agency', 'For example, shire-health'),
      text('user', 'Their user name'),
      text('role_title', 'Their role in the agency', 'For example, Head of Safeguarding'),
      { name: 'declared_senior', label: 'They declared they are senior in their agency', type: 'checkbox' },
      { name: 'declared_no_direct_involvement', label: 'They declared they had no direct involvement in the case', type: 'checkbox' },
    ],
  },
  AgreeTermsOfReference: {
    title: 'Record the terms of reference', button: 'Record',
    fields: [
      date('agreed_on', 'Date agreed'),
      text('document_reference', 'Document reference', 'Its reference in the partnership\'s records'),
      { name: 'scoping', label: 'The review starts with a scoping stage', type: 'checkbox' },
    ],
  },
  CompleteScoping: {
    title: 'Complete scoping', button: 'Record',
    fields: [date('completed_on', 'Date completed'), area('summary', 'What scoping found')],
  },
  RequestAgencyReport: {
    title: 'Ask an agency for a report', button: 'Send the request',
    fields: [
      text('agency', 'Agency', 'For example, eastbrook-council'),
      { name: 'kind', label: 'Kind of report', type: 'radios',
        options: options([['IMR', 'Individual management review (IMR)'], ['CHRONOLOGY', 'Chronology'], ['SHORT_REPORT', 'Short report']]) },
      date('requested_on', 'Date asked'),
      date('due_on', 'Due by'),
    ],
  },
  ReceiveAgencyReport: {
    title: 'Record a report received', button: 'Record',
    fields: (review) => [reportChoice(review), date('received_on', 'Date received'),
      text('document_reference', 'Document reference')],
    shape: reportNumber,
  },
  WaiveAgencyReport: {
    title: 'Waive a report', button: 'Waive the report',
    fields: (review) => [reportChoice(review), area('reason', 'Why it is not needed')],
    shape: reportNumber,
  },
  RecordFamilyContact: {
    title: 'Record contact with the family', button: 'Record the contact',
    fields: [
      date('contacted_on', 'Date of the contact'),
      area('summary', 'What was said or sent, and the family\'s response'),
      { name: 'advocacy_offered', label: 'Was specialist advocacy offered? (leave unanswered if not discussed)', type: 'yesno' },
      { name: 'wishes_to_contribute', label: 'Does the family wish to contribute? (leave unanswered if they have not said)', type: 'yesno' },
    ],
  },
  RecordDraft: {
    title: 'Record a draft', button: 'Record the draft',
    fields: [date('drafted_on', 'Date of the draft'),
      text('overview_report_reference', 'Overview report reference'),
      text('executive_summary_reference', 'Executive summary reference')],
  },
  SignOffReview: {
    title: 'Sign off the latest draft', button: 'Sign off',
    fields: [date('signed_off_on', 'Date signed off')],
  },
  SubmitToHomeOffice: {
    title: 'Submit to the Home Office quality-assurance panel', button: 'Record the submission',
    fields: [date('submitted_on', 'Date submitted')],
  },
  RecordQaOutcome: {
    title: 'Record the quality-assurance outcome', button: 'Record the outcome',
    fields: [
      { name: 'outcome', label: 'The panel\'s outcome', type: 'radios',
        options: options([['PUBLISH', 'Publish'], ['PUBLISH_AFTER_REVISIONS', 'Publish after minor revisions'],
          ['RESUBMIT', 'Revise and resubmit']]) },
      date('decided_on', 'Date of the outcome'),
      { name: 'areas', label: 'Areas for final development, or what must change', type: 'lines',
        hint: 'One per line. Needed unless the outcome is publish.' },
    ],
  },
  PublishReview: {
    title: 'Publish the review', button: 'Record publication',
    fields: [date('published_on', 'Date published'),
      text('overview_report_reference', 'Published overview report reference'),
      text('executive_summary_reference', 'Published executive summary reference')],
  },
  AddActionPlanItem: {
    title: 'Add an action plan item', button: 'Add the item',
    description: 'The action is opened on the partnership\'s action log, led by the agency named.',
    fields: [
      area('recommendation', 'The recommendation it answers'),
      area('action', 'What will be done', 'At most 500 characters: this is the action\'s title'),
      text('lead_agency', 'Lead agency', 'For example, eastbrook-council'),
      date('due_on', 'Due by'),
    ],
  },
  PlaceOnHold: {
    title: 'Put the review on hold', button: 'Put on hold',
    description: 'Every running deadline pauses until the review is resumed.',
    fields: [
      { name: 'reason', label: 'Why', type: 'radios',
        options: options([['CRIMINAL_TRIAL', 'A criminal trial'], ['INQUEST', 'An inquest'], ['OTHER_PROCEEDINGS', 'Other proceedings']]) },
      area('explanation', 'Explanation'),
      date('expected_resume_on', 'When is it expected to resume?', 'A date after today, for example 27 3 2027'),
    ],
  },
  ResumeReview: {
    title: 'Resume the review', button: 'Resume',
    description: 'The review returns to the stage it was held in, and each paused deadline moves on by the days held.',
    fields: [area('note', 'Note (optional)')],
  },
  CloseReview: {
    title: 'Close the review', button: 'Close',
    description: 'A published review closes once every action of its plan is completed or cancelled.',
    fields: [date('closed_on', 'Date closed')],
  },
};

module.exports = { DEATH_REVIEW_STEPS, KIND_WORDS };
