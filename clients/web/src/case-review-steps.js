// The forms of the case review's steps (CaseReviewService commands). Each
// field names the request field it fills; caseworkd validates them all.
'use strict';

const { options } = require('./forms');
const { LAWFUL_BASES, SUBJECT_KINDS, panelTitle } = require('./panel-steps');

const note = { name: 'note', label: 'Note (optional)', type: 'textarea' };
const reason = (label, hint) => ({ name: 'reason', label, type: 'textarea', hint });

const recommendationFields = [1, 2, 3].flatMap((n) => [
  { name: `rec${n}_text`, label: `Recommendation ${n}`, type: 'textarea', group: n,
    hint: n === 1 ? 'What should be done. Leave the recommendations empty when no further action is needed.' : '' },
  { name: `rec${n}_lead_agency`, label: `Agency to lead recommendation ${n}`, type: 'text', group: n,
    hint: 'For example, eastbrook-homes' },
  { name: `rec${n}_due_date`, label: `Recommendation ${n} to be done by`, type: 'date', group: n },
]);

// The panels of the case's policy.
const panelChoice = (policy) => ({
  name: 'panel', label: 'Panel', type: 'radios',
  options: ((policy && policy.panels && policy.panels.panels) || []).map((p) => ({ value: p.id, text: panelTitle(policy.panels.panels, p.id) })),
});

const recommendationChoice = (review) => ({
  name: 'recommendation_id', label: 'Recommendation', type: 'radios',
  options: ((review.outcome && review.outcome.recommendations) || []).map((r) => ({
    value: String(r.id), text: r.text,
  })),
});

// The policy's officers who may lead a review (the server checks the pool).
const officerChoice = (name, label) => (review, { policy }) => ({
  name, label, type: 'radios', hint: 'Or choose none: casework picks the next officer from the policy\'s pool.',
  options: ((policy && policy.case_review && policy.case_review.officers) || []).map((o) => ({
    value: o.id, text: `${o.label} (${o.agency})`,
    hint: !o.active ? 'Not active' : !o.trained ? 'Not trained to lead reviews' : undefined,
  })),
});

const CASE_REVIEW_STEPS = {
  AcknowledgeApplication: { title: 'Acknowledge the application', button: 'Acknowledge', fields: [note] },
  EvaluateThreshold: {
    title: 'Check the threshold', button: 'Check the threshold', fields: [note],
    description: 'Counts the complaints in the ledger against the partnership\'s threshold and records the result, with each complaint counted or excluded and why.',
  },
  OverrideThreshold: {
    title: 'Decide that the threshold is met', button: 'Record the decision',
    fields: [reason('Why the threshold is met', 'This is recorded with your name and shown to the applicant.')],
  },
  NotifyApplicant: {
    title: 'Record that the applicant was told', button: 'Record',
    fields: [{ name: 'channel', label: 'How they were told', type: 'radios',
      options: [{ value: 'letter', text: 'Letter' }, { value: 'email', text: 'Email' },
        { value: 'phone', text: 'Phone' }, { value: 'visit', text: 'Visit' }] }],
  },
  AssignLeadOfficer: {
    title: 'Assign a lead officer', button: 'Assign',
    fields: (review, extra) => [officerChoice('officer', 'Lead officer')(review, extra)],
  },
  RequestAgencyInformation: {
    title: 'Ask an agency for information', button: 'Send the request',
    fields: [{ name: 'agency', label: 'Agency', type: 'text', hint: 'For example, shire-police' },
      { name: 'summary', label: 'What you are asking for', type: 'textarea' }],
  },
  RecordAgencyInformation: {
    title: 'Record information from an agency', button: 'Record',
    fields: [{ name: 'agency', label: 'Agency', type: 'text' },
      { name: 'summary', label: 'Summary of what they said', type: 'textarea' }],
  },
  InviteVictim: { title: 'Invite the victim to take part', button: 'Record the invitation', fields: [note] },
  RecordReviewMeeting: {
    title: 'Record the review meeting', button: 'Record the meeting',
    fields: [{ name: 'date', label: 'Date of the meeting', type: 'date', hint: 'For example, 27 11 2026' },
      { name: 'attendees', label: 'Agencies present', type: 'lines', hint: 'One agency per line, for example shire-police' },
      { name: 'victim_attended', label: 'The victim attended', type: 'checkbox' },
      { name: 'notes', label: 'Notes', type: 'textarea' }],
  },
  RecordOfficerHours: {
    title: 'Record officer hours', button: 'Record the hours',
    fields: [{ name: 'hours', label: 'Hours', type: 'number', hint: 'For example, 2.5' },
      { name: 'agency', label: 'Agency', type: 'text' }],
  },
  RecordOutcome: {
    title: 'Record the outcome', button: 'Record the outcome',
    fields: [...recommendationFields,
      { name: 'no_further_action_reason', label: 'Or: why no further action is needed', type: 'textarea' }],
    // Three optional recommendation rows become the request's list; row n's
    // fields are refused as recommendations[n-1].*.
    shape(request) {
      const recommendations = [];
      for (const n of [1, 2, 3]) {
        const text = request[`rec${n}_text`];
        const agency = request[`rec${n}_lead_agency`];
        const due = request[`rec${n}_due_date`];
        delete request[`rec${n}_text`];
        delete request[`rec${n}_lead_agency`];
        delete request[`rec${n}_due_date`];
        if (text || agency || due) recommendations.push({ text, lead_agency: agency, due_date: due });
      }
      request.recommendations = recommendations;
    },
    paths: { recommendations: (i, leaf) => `rec${i + 1}_${leaf}` },
  },
  CommunicateOutcome: { title: 'Record that the outcome was sent to the applicant', button: 'Record', fields: [note] },
  LodgeAppeal: {
    title: 'Record an appeal', button: 'Record the appeal',
    fields: (review, { policy }) => [{ name: 'ground', label: 'Ground of appeal', type: 'radios',
      options: ((policy && policy.case_review && policy.case_review.appeal && policy.case_review.appeal.grounds) || [])
        .map((g) => ({ value: g, text: g })) },
    { name: 'details', label: 'Details', type: 'textarea' }],
  },
  SendAppealPapers: {
    title: 'Send the papers to the appeal chair', button: 'Record',
    fields: [{ name: 'chair', label: 'Appeal chair', type: 'text', hint: 'Their user name' }],
  },
  DecideAppeal: {
    title: 'Decide the appeal', button: 'Record the decision',
    fields: (review, extra) => [{ name: 'upheld', label: 'Is the appeal upheld?', type: 'yesno' },
      reason('Reason for the decision'),
      { ...officerChoice('new_lead_officer', 'New lead officer (when an appeal against the outcome is upheld)')(review, extra) }],
  },
  RecordRecommendationProgress: {
    title: 'Record progress on a recommendation', button: 'Record progress',
    fields: (review) => [recommendationChoice(review),
      { name: 'note', label: 'Progress', type: 'textarea' },
      { name: 'completed', label: 'The recommendation is complete', type: 'checkbox' }],
  },
  ReferRecommendation: {
    title: 'Refer a recommendation to a panel', button: 'Refer',
    fields: (review, { policy }) => [recommendationChoice(review), panelChoice(policy),
      { name: 'subject_kind', path: 'subject.kind', label: 'Subject', type: 'radios', options: options(SUBJECT_KINDS) },
      { name: 'subject_reference', path: 'subject.reference', label: 'Subject reference', type: 'text' },
      { name: 'subject_display_name', path: 'subject.display_name', label: 'Name or place', type: 'text' },
      { name: 'subject_date_of_birth', path: 'subject.date_of_birth', label: 'Date of birth (people)', type: 'date' },
      { name: 'subject_locality', path: 'subject.locality', label: 'Locality', type: 'text' },
      { name: 'lawful_basis', label: 'Lawful basis for sharing', type: 'radios', options: options(LAWFUL_BASES) },
      { name: 'consent_recorded', label: 'The subject\'s consent is recorded', type: 'checkbox' }],
  },
  CloseCaseReview: { title: 'Close the case review', button: 'Close', fields: [reason('Why it is closed')] },
  WithdrawApplication: { title: 'Record that the application is withdrawn', button: 'Record', fields: [reason('Why')] },
};

module.exports = { CASE_REVIEW_STEPS };
