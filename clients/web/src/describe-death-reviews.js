// A death review's events in plain words, for its timeline (merged into
// describe.js's SENTENCES). Only the review's readers see its history.
'use strict';

const { civilDate, label } = require('./format');

const KINDS = { IMR: 'individual management review', CHRONOLOGY: 'chronology', SHORT_REPORT: 'short report' };
const QA = {
  PUBLISH: 'publish', PUBLISH_AFTER_REVISIONS: 'publish after minor revisions', RESUBMIT: 'revise and resubmit',
};

const SENTENCES = {
  DeathNotified: (e) => {
    const n = e.notification;
    const outcome = label(e.criteria && e.criteria.outcome).toLowerCase();
    return `Death notified by ${n.notifying_agency} (${n.police_reference}) on ${civilDate(n.date_notified)}`
      + `${outcome && outcome !== 'outcome unspecified' ? `; criteria: ${outcome}` : ''}`;
  },
  ReviewDecided: (e) => `${e.decision.commissioned ? 'Review commissioned' : 'Decided not to commission a review'}`
    + ` on ${civilDate(e.decision.decided_on)}: ${e.decision.reason}`,
  ChairAppointed: (e) => `Independent chair appointed: ${e.chair.user} (${e.chair.agency})`,
  PanelMemberAdded: (e) => `Panel member added: ${e.member.role_title}, ${e.member.agency}`,
  TermsOfReferenceAgreed: (e) => `Terms of reference agreed on ${civilDate(e.terms.agreed_on)}`
    + `${e.terms.scoping ? ', starting with scoping' : ''}`,
  ScopingCompleted: (e) => `Scoping completed on ${civilDate(e.completed_on)}: ${e.summary}`,
  AgencyReportRequested: (e) => `${label(KINDS[e.report.kind] || e.report.kind)} asked of ${e.report.agency}`
    + `, due ${civilDate(e.report.due_on)} (report ${e.report.id})`,
  AgencyReportReceived: (e) => `Report ${e.report_id} received on ${civilDate(e.received_on)}`,
  AgencyReportWaived: (e) => `Report ${e.report_id} waived: ${e.reason}`,
  FamilyContactRecorded: (e) => `Contact with the family on ${civilDate(e.contact.contacted_on)} recorded`,
  DraftRecorded: (e) => `Draft ${e.draft.number} of the overview report recorded`,
  ReviewSignedOff: (e) => `Draft ${e.sign_off.draft_number} signed off on ${civilDate(e.sign_off.signed_off_on)}`,
  SubmittedToHomeOffice: (e) => `Draft ${e.draft_number} sent to the Home Office quality-assurance panel`
    + ` on ${civilDate(e.submitted_on)} (round ${e.round})`,
  QaOutcomeRecorded: (e) => `Quality-assurance round ${e.round}: ${QA[e.outcome] || label(e.outcome).toLowerCase()}`
    + `${e.areas && e.areas.length ? ` (${e.areas.join('; ')})` : ''}`,
  ReviewPublished: (e) => `Review published on ${civilDate(e.publication.published_on)}`,
  ActionPlanItemAdded: (e) => `Action plan item ${e.item.id} added for ${e.item.lead_agency}: ${e.item.action}`,
  PlanActionLinked: (e) => `Action plan item ${e.item_id} opened on the action log`,
  ReviewPlacedOnHold: (e) => `Placed on hold (${label(e.hold.reason).toLowerCase()}): ${e.hold.explanation}`
    + `; expected to resume by ${civilDate(e.hold.expected_resume_on)}`,
  ReviewResumed: (e) => `Resumed on ${civilDate(e.resumed_on)}${e.note ? `: ${e.note}` : ''}`,
  ReviewClosed: (e) => `Review closed on ${civilDate(e.closed_on)}`,
};

module.exports = { SENTENCES };
