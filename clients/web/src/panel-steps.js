// The forms of the panels: referring a case, scheduling a meeting, and the
// steps of a panel case (PanelService commands a person runs; the links the
// engine runs are not here). Each field names the request field it fills;
// caseworkd validates them all. Choices that come from the partnership's
// policy (its panels, closure reasons, incremental stages) and the meetings
// found for the case's panel come as the forms' second argument, `context`
// (routes/panels.js, the kind's extra()).
'use strict';

const { options } = require('./forms');
const { civilDate, label } = require('./format');

const RISK_LEVELS = [['RISK_LOW', 'Low'], ['RISK_MEDIUM', 'Medium'], ['RISK_HIGH', 'High'],
  ['RISK_VERY_HIGH', 'Very high']];
const FACTORS = [['VULNERABILITY', 'Vulnerability'], ['SUBSTANCE_MISUSE', 'Substance misuse'],
  ['MENTAL_HEALTH', 'Mental health'], ['COUNTY_LINES', 'County lines'], ['CUCKOOING', 'Cuckooing'],
  ['CRIMINAL_EXPLOITATION', 'Criminal exploitation'], ['MISSING_EPISODES', 'Missing episodes']];
const DOMAINS = [['NEIGHBOURHOOD', 'Neighbourhood'], ['PEER_NETWORK', 'Peer network'], ['EDUCATION', 'Education'],
  ['HOME_LIFE', 'Home life'], ['ONLINE', 'Online']];
const SUBJECT_KINDS = [['SUBJECT_PERSON', 'A person'], ['SUBJECT_GROUP', 'A group'], ['SUBJECT_LOCATION', 'A place']];
const LAWFUL_BASES = [['CONSENT', 'Consent'], ['LAW_ENFORCEMENT', 'Law enforcement (Crime and Disorder Act 1998 section 115)'],
  ['SAFEGUARDING', 'Safeguarding a child or an adult at risk'], ['VITAL_INTERESTS', 'Vital interests: a risk to life']];
const AGENCY_KINDS = [['COUNCIL', 'Council'], ['POLICE', 'Police'], ['HOUSING_PROVIDER', 'Housing provider'],
  ['HEALTH', 'Health'], ['FIRE_AND_RESCUE', 'Fire and rescue'], ['PROBATION', 'Probation'],
  ['OTHER_AGENCY', 'Another partner']];

// A panel's name for people: its title in the policy, or its id.
function panelTitle(panels, id) {
  const panel = (panels || []).find((p) => p.id === id);
  return panel && panel.title ? `${panel.title} (${id.toUpperCase()})` : String(id || '').toUpperCase();
}

const panelField = (panels, legend) => ({
  name: 'panel', label: legend, type: 'radios',
  options: panels.map((p) => ({ value: p.id, text: panelTitle(panels, p.id) })),
});

// A repeated enum field as one group of checkboxes.
const checkboxes = (name, legend, choices, hint) => ({ name, label: legend, type: 'checkboxes', options: options(choices), hint });

// A meeting's resource name from the number chosen or typed.
function meetingName(request) {
  const meeting = String(request.meeting || '').trim();
  if (/^\d{1,18}$/.test(meeting)) {
    const parent = request.name.split('/').slice(0, 2).join('/');
    request.meeting = `${parent}/panelMeetings/${meeting}`;
  }
}

// The meeting that decided: the open meetings of the case's panel found,
// or its number typed in.
function meetingField(panelCase, context = {}) {
  const meetings = (context.meetings || []).filter((m) => m.panel === panelCase.panel && m.state !== 'CLOSED');
  const hint = 'The decision must be taken at a meeting of the case\'s panel that has been held, is not closed and is quorate.';
  if (meetings.length === 0) {
    return { name: 'meeting', label: 'Meeting number', type: 'text', hint: `${hint} For example, 4.` };
  }
  return {
    name: 'meeting', label: 'At which meeting was this decided?', type: 'radios', hint,
    options: meetings.map((m) => ({
      value: m.id, text: `Meeting ${m.id}, ${civilDate(m.date)}${m.location ? `, ${m.location}` : ''}`,
    })),
  };
}

const REFER_FIELDS = (panels) => [
  panelField(panels, 'Which panel is the case referred to?'),
  { name: 'subject_kind', path: 'subject.kind', label: 'Who or what is the referral about?', type: 'radios',
    options: options(SUBJECT_KINDS) },
  { name: 'subject_reference', path: 'subject.reference', label: 'Subject reference', type: 'text',
    hint: 'Your system\'s reference for them, for example a police nominal number or a location reference' },
  { name: 'subject_display_name', path: 'subject.display_name', label: 'Name of the person, group or place', type: 'text' },
  { name: 'subject_date_of_birth', path: 'subject.date_of_birth', label: 'Date of birth (people only)', type: 'date',
    hint: 'For example, 27 3 2009' },
  { name: 'subject_locality', path: 'subject.locality', label: 'Area (optional)', type: 'text',
    hint: 'For example, Warwick Way Estate' },
  { name: 'referrer_agency', label: 'Referring agency', type: 'text', hint: 'For example, shire-police' },
  { name: 'reason', label: 'Why are they referred?', type: 'textarea' },
  { name: 'lawful_basis', label: 'Lawful basis for sharing their information', type: 'radios',
    options: options(LAWFUL_BASES) },
  { name: 'consent_recorded', label: 'The subject\'s consent is recorded', type: 'checkbox' },
  { name: 'referral_date', label: 'Date on the referral form (optional)', type: 'date',
    hint: 'Eligibility is judged on this date. Leave it empty for today.' },
];

const SCHEDULE_FIELDS = (panels) => [
  panelField(panels, 'Which panel is meeting?'),
  { name: 'date', label: 'Date of the meeting', type: 'date', hint: 'For example, 11 1 2027' },
  { name: 'location', label: 'Where (optional)', type: 'text', hint: 'For example, council offices, committee room 2' },
];

const risk = (name, text) => ({ name, label: text, type: 'radios', options: options(RISK_LEVELS) });

const PANEL_CASE_STEPS = {
  AssessRisk: {
    title: 'Assess the risk', button: 'Record the assessment',
    description: 'On a referred case the panel\'s decision table places the case on the main agenda, in monitoring, or declines it. On a placed case the assessment is kept with the table\'s advice; the case moves only by a meeting\'s decision.',
    fields: (panelCase, context = {}) => {
      const youth = Boolean(context.panel && context.panel.contextual_safeguarding);
      return [
        risk('reoffending', 'Risk of reoffending'),
        risk('harm_to_others', 'Risk of harm to others'),
        risk('harm_to_self', 'Risk of harm to self'),
        checkboxes('factors', 'Aggravating factors', FACTORS, 'Select all that apply.'),
        ...(youth ? [checkboxes('domains', 'Safeguarding domains of concern', DOMAINS, 'Select all that apply.'),
          { name: 'no_domain_concerns', label: 'There are no safeguarding domains of concern', type: 'checkbox' }] : []),
        { name: 'summary', label: 'The assessment in words', type: 'textarea' },
      ];
    },
  },
  ReviewCase: {
    title: 'Record a review at a meeting', button: 'Record the review',
    fields: (panelCase, context) => [meetingField(panelCase, context),
      { name: 'summary', label: 'What was discussed and agreed', type: 'textarea' }],
    shape: meetingName,
  },
  MoveCase: {
    title: 'Move the case', button: 'Move the case',
    fields: (panelCase, context) => [meetingField(panelCase, context),
      { name: 'to', label: 'Move it to', type: 'radios', hint: `It is now: ${label(panelCase.state).toLowerCase()}.`,
        options: options([['MAIN_AGENDA', 'The main agenda'], ['MONITORING', 'Monitoring']]) },
      { name: 'reason', label: 'Why', type: 'textarea' }],
    shape: meetingName,
  },
  RecordStage: {
    title: 'Record a stage of the incremental approach', button: 'Record the stage',
    fields: (panelCase, context = {}) => {
      const recorded = new Set((panelCase.stages || []).map((s) => s.stage));
      const stages = (context.stages || []).filter((s) => !recorded.has(s));
      return [
        stages.length > 0
          ? { name: 'stage', label: 'Stage', type: 'radios', options: stages.map((s) => ({ value: s, text: s })) }
          : { name: 'stage', label: 'Stage', type: 'text' },
        { name: 'date', label: 'When was it served or agreed?', type: 'date', hint: 'For example, 27 11 2026' },
        { name: 'justification', label: 'Why earlier stages were skipped (if they were)', type: 'textarea' },
      ];
    },
  },
  CloseCase: {
    title: 'Close the case', button: 'Close the case',
    fields: (panelCase, context = {}) => {
      const reasons = (context.panel && context.panel.closure_reasons) || [];
      return [meetingField(panelCase, context),
        reasons.length > 0
          ? { name: 'reason', label: 'Why is it closed?', type: 'radios', options: reasons.map((r) => ({ value: r, text: r })) }
          : { name: 'reason', label: 'Why is it closed?', type: 'text' },
        { name: 'note', label: 'Note (optional)', type: 'textarea' }];
    },
    shape: meetingName,
  },
  ReopenCase: {
    title: 'Reopen the case', button: 'Reopen',
    description: 'The case returns to referred, for a new risk assessment.',
    fields: [{ name: 'reason', label: 'Why is it reopened?', type: 'textarea' }],
  },
  EscalateCase: {
    title: 'Escalate the case to the parent panel', button: 'Escalate',
    description: 'The case is handed to the panel above this one, which opens a case of its own for the subject.',
    fields: (panelCase, context) => [meetingField(panelCase, context),
      { name: 'reason', label: 'Why this panel cannot manage the risk', type: 'textarea' }],
    shape: meetingName,
  },
};

module.exports = {
  PANEL_CASE_STEPS, REFER_FIELDS, SCHEDULE_FIELDS, AGENCY_KINDS, SUBJECT_KINDS, LAWFUL_BASES, panelTitle,
};
