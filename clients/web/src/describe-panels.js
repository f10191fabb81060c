// The panel case's and panel meeting's events in plain words, for their
// timelines (merged into describe.js's SENTENCES).
'use strict';

const { civilDate, label, lastSegment } = require('./format');

const level = (value) => label(String(value || '').replace('RISK_', '')).toLowerCase();
const meeting = (name) => (name ? ` at meeting ${lastSegment(name)}` : '');
const present = (agencies) => (agencies && agencies.length ? ` (present: ${agencies.join(', ')})` : '');

const SENTENCES = {
  PanelCaseReferred: (e) => {
    const to = String(e.panel).toUpperCase();
    if (e.escalated_from) return `Escalated to ${to} from panel case ${lastSegment(e.escalated_from)}: ${e.reason}`;
    if (e.from_case_review) {
      return `Referred to ${to} by case review ${lastSegment(e.from_case_review)} (recommendation ${e.from_recommendation}): ${e.reason}`;
    }
    return `Referred to ${to} by ${e.referrer_agency}: ${e.reason}`;
  },
  RiskAssessed: (e) => {
    const a = e.assessment;
    return `Risk assessed: reoffending ${level(a.reoffending)}, harm to others ${level(a.harm_to_others)}, `
      + `harm to self ${level(a.harm_to_self)}; the table says ${label(String(a.placement).replace('PLACEMENT_', '')).toLowerCase()} (rule ${a.rule})`;
  },
  PanelCasePlaced: (e) => {
    if (e.state === 'DECLINED') return `Declined${e.reason ? `: ${e.reason}` : ''}`;
    const where = e.state === 'MAIN_AGENDA' ? 'the main agenda' : 'monitoring';
    return `Placed on ${where}${meeting(e.meeting)}${e.reason ? `: ${e.reason}` : ''}`
      + `${e.next_review_due && e.next_review_due.year ? `; next review by ${civilDate(e.next_review_due)}` : ''}`;
  },
  PanelCaseReviewed: (e) => `Reviewed${meeting(e.meeting)} on ${civilDate(e.meeting_date)}: ${e.summary}`
    + `; next review by ${civilDate(e.next_review_due)}${present(e.present_agencies)}`,
  IncrementalStageRecorded: (e) => {
    const s = e.stage;
    const skipped = s.skipped && s.skipped.length ? ` (skipping ${s.skipped.join(', ')}: ${s.justification})` : '';
    return `Stage recorded: ${s.stage} on ${civilDate(s.date)}${skipped}`;
  },
  PanelCaseClosed: (e) => `Closed${meeting(e.meeting)}: ${e.reason}${e.note ? ` (${e.note})` : ''}${present(e.present_agencies)}`,
  PanelCaseReopened: (e) => `Reopened: ${e.reason}`,
  PanelCaseEscalated: (e) => `Escalated to ${String(e.to_panel).toUpperCase()}${meeting(e.meeting)}: ${e.reason}`,
  EscalationLinked: (e) => `The parent panel opened panel case ${lastSegment(e.linked_case)}`,
  PanelMeetingScheduled: (e) => `Meeting of ${String(e.panel).toUpperCase()} scheduled for ${civilDate(e.date)}`
    + `${e.location ? ` at ${e.location}` : ''}`,
  AttendanceRecorded: (e) => {
    const chair = e.attendees.find((a) => a.chair);
    return `Attendance recorded: ${e.attendees.length} present${chair ? `, chaired by ${chair.role} (${chair.agency})` : ', no chair'}`;
  },
  PanelMeetingClosed: (e) => `Meeting closed${e.notes ? `: ${e.notes}` : ''}`,
};

module.exports = { SENTENCES };
