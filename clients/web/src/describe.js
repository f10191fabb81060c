// A case's events in plain words, for its timeline: who, when, what. The
// events are caseworkd's (ReadStream); this only words them.
'use strict';

const { civilDate, dateTime, label } = require('./format');

// What each event says, from its payload; an event not listed here reads
// as its type in words ("Agency report received").
const SENTENCES = {
  ApplicationReceived: (e) => `Application received (${label(e.applicant.kind)}, ${e.applicant.complainant_reference}): ${e.description}`,
  ApplicationAcknowledged: () => 'Application acknowledged',
  ThresholdEvaluated: (e) => {
    const t = e.evaluation;
    if (t.override_reason) return `Threshold decided as met: ${t.override_reason}`;
    return `Threshold ${t.met ? 'met' : 'not met'}: ${t.summary}`;
  },
  ApplicantNotified: (e) => `Applicant told about "${e.notice.subject}" by ${e.notice.channel}`,
  LeadOfficerAssigned: (e) => `Lead officer ${e.officer} (${e.agency}) assigned`,
  AgencyInformationRequested: (e) => `Information asked of ${e.agency}`,
  AgencyInformationReceived: (e) => `Information received from ${e.agency}: ${e.summary}`,
  VictimInvited: () => 'Victim invited to take part',
  ReviewMeetingRecorded: (e) => `Review meeting held on ${civilDate(e.meeting.date)}`,
  OfficerHoursRecorded: (e) => `${e.hours} officer hours recorded for ${e.agency}`,
  OutcomeRecorded: (e) => {
    const n = e.outcome.recommendations.length;
    if (n === 0) return `Outcome: no further action (${e.outcome.no_further_action_reason})`;
    return `Outcome recorded with ${n} recommendation${n === 1 ? '' : 's'}`;
  },
  OutcomeCommunicated: (e) => `Outcome sent to the applicant on ${civilDate(e.on)}`,
  AppealLodged: (e) => `Appeal lodged against the ${e.against === 'THRESHOLD_DECISION' ? 'threshold decision' : 'outcome'}: ${e.ground}`,
  AppealPapersSent: (e) => `Appeal papers sent to ${e.chair}`,
  AppealDecided: (e) => `Appeal ${e.upheld ? 'upheld' : 'not upheld'}: ${e.reason}`,
  ReviewReopened: (e) => `Review reopened (round ${e.round})`,
  RecommendationProgressed: (e) => `Recommendation ${e.recommendation_id}: ${e.note}${e.completed ? ' (complete)' : ''}`,
  RecommendationReferred: (e) => `Recommendation ${e.recommendation_id} referred to ${e.referral.panel.toUpperCase()}`,
  PanelReferralLinked: (e) => `Recommendation ${e.recommendation_id} opened panel case ${e.panel_case}`,
  CaseReviewClosed: (e) => `Case review closed: ${e.reason}`,
  ApplicationWithdrawn: (e) => `Application withdrawn: ${e.reason}`,
  DeadlineSet: (e) => `Deadline set: ${label(e.deadline.name)} by ${civilDate(e.deadline.due)}`,
  DeadlineMet: (e) => `Deadline met: ${label(e.name)}`,
  DeadlineMissed: (e) => `Deadline missed: ${label(e.name)} (due ${civilDate(e.due)})`,
  DeadlineCancelled: (e) => `Deadline cancelled: ${label(e.name)}${e.reason ? ` (${e.reason})` : ''}`,
  DeadlinesPaused: (e) => `Deadlines paused: ${e.reason}`,
  DeadlinesResumed: (e) => `Deadlines resumed on ${civilDate(e.resumed_on)}`,
  ComplaintRecorded: (e) => `Complaint recorded by ${e.complaint.agency}: ${e.complaint.summary || label(e.complaint.category)}`,
  NoticeRaised: (e) => `Notice: ${label(e.notice.kind)}`,
  NoticeAcknowledged: (e) => `Notice acknowledged: ${label(e.kind)}`,
  ...require('./describe-panels').SENTENCES,
  ...require('./describe-death-reviews').SENTENCES,
};

// {when, who, what} of an EventEnvelope whose payload `unpack` decodes.
function describeEvent(envelope, unpack) {
  const payload = unpack(envelope.payload);
  const type = payload ? payload.type.split('.').pop() : 'Event';
  let what;
  try {
    what = SENTENCES[type] && payload ? SENTENCES[type](payload.value) : label(type);
  } catch (e) {
    what = label(type);
  }
  const actor = envelope.actor || {};
  const who = actor.agency === 'casework' ? 'Casework (automatic)'
    : [actor.user, actor.agency].filter(Boolean).join(', ');
  return { version: envelope.stream_version, when: dateTime(envelope.recorded_time), who, what, type };
}

module.exports = { describeEvent };
