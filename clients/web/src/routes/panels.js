// High-risk case panels: the panel board (each panel's main agenda,
// monitoring, new referrals, cases due for review and meetings), referring a
// case, a case's page (summary, risk trend, reviews, history, the steps it
// allows) and its step forms, and a meeting's page (agenda, attendance,
// quorum, decisions) with its two commands.
'use strict';

const { errorsFrom, formStatus, newRequestId, readDate, requestFrom } = require('../forms');
const { describeEvent } = require('../describe');
const { ifAllowed } = require('../api');
const { civilDate, dayNumber, lastSegment, today } = require('../format');
const { mountSteps, stepLinks } = require('../steps');
const { riskChart, LEVELS } = require('../panel-chart');
const { PANEL_CASE_STEPS, REFER_FIELDS, SCHEDULE_FIELDS, AGENCY_KINDS, panelTitle } = require('../panel-steps');
const { askPurpose } = require('./purpose');
const { ROLE_LABELS } = require('../people');

const KIND_ITEMS = [{ value: '', text: 'Choose the kind of agency' },
  ...AGENCY_KINDS.map(([value, text]) => ({ value, text }))];

// The policy's panels section (the version in force, or `version`).
async function panelPolicy(req, version) {
  try {
    const policy = await req.api('PolicyService', 'GetPolicy', { parent: req.app.locals.parent, version: String(version || 0) });
    const section = policy.panels || {};
    return { panels: section.panels || [], stages: section.incremental_stages || [] };
  } catch (error) {
    if (error.codeName === 'NOT_FOUND') return { panels: [], stages: [] };
    throw error;
  }
}

// The meetings the person may see (ListMeetings leaves out the others):
// [{name, id, panel, date, location, state}], latest date first.
async function listMeetings(req) {
  const meetings = await req.listAll('PanelMeetingService', 'ListMeetings',
    { parent: req.app.locals.parent, page_size: 500 }, 'meetings', 500);
  return meetings.map((m) => ({
    name: m.name, id: lastSegment(m.name), panel: m.panel, date: m.date, location: m.location, state: m.state,
  })).sort((a, b) => dayNumber(b.date) - dayNumber(a.date));
}

// Who the contract lets call `method`, in words, for a refusal said before
// the form is filled in.
function whoMay(req, service, method) {
  const roles = req.app.locals.rolesFor(service, method).filter((r) => r !== 'integration');
  return `Only these roles can do this: ${roles.map((r) => ROLE_LABELS[r] || r).join(', ')}.`;
}

function addDays(d, days) {
  const date = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

// The highest of a case's latest three risk levels, for the board.
function highestRisk(panelCase) {
  const a = panelCase.latest_assessment;
  if (!a) return '';
  const levels = [a.reoffending, a.harm_to_others, a.harm_to_self].filter((l) => LEVELS[l]);
  return levels.sort((x, y) => LEVELS[y] - LEVELS[x])[0] || '';
}

const KIND = {
  base: '/panels/cases',
  service: 'PanelService',
  collection: 'panelCases',
  noun: 'panel case',
  steps: PANEL_CASE_STEPS,
  load: (req, name) => req.api('PanelService', 'GetPanelCase', { name }, req.session.purposes[name]),
  // What the forms offer: the panel's rules as the case's policy version
  // has them, and the meetings found, to choose one.
  async extra(req, panelCase) {
    const [policy, meetings] = await Promise.all([
      panelPolicy(req, panelCase.policy_version),
      ifAllowed(listMeetings(req)),
    ]);
    return {
      panel: policy.panels.find((p) => p.id === panelCase.panel) || null,
      stages: policy.stages,
      meetings: meetings || [],
    };
  },
};

// A meeting's step pages (mountSteps); RecordAttendance has a page of its
// own, so it has no entry here.
const MEETING_KIND = {
  base: '/panels/meetings',
  service: 'PanelMeetingService',
  collection: 'panelMeetings',
  noun: 'meeting',
  steps: {
    CloseMeeting: {
      title: 'Close the meeting', button: 'Close the meeting',
      description: 'Once it is closed no more decisions can be recorded at this meeting.',
      fields: [{ name: 'notes', label: 'Notes (optional)', type: 'textarea',
        hint: 'For example, what the meeting agreed beyond its decisions on cases' }],
    },
  },
  load: async (req, name) => (await req.api('PanelMeetingService', 'GetMeeting', { name }, req.session.purposes[name])).meeting,
};

function mountBoard(app) {
  app.get('/panels', async (req, res) => {
    const parent = req.app.locals.parent;
    const dueBy = readDate(req.query, 'due_by') || addDays(today(), 42);
    const list = (filter) => req.listAll('PanelService', 'ListPanelCases',
      { parent, page_size: 500, ...filter }, 'panel_cases', 500);
    const [policy, counts, main, monitoring, referred, meetings] = await Promise.all([
      panelPolicy(req, 0),
      req.api('PanelService', 'CountPanelCases', { parent }),
      list({ state: 'MAIN_AGENDA' }),
      list({ state: 'MONITORING' }),
      list({ state: 'REFERRED' }),
      ifAllowed(listMeetings(req)),
    ]);
    // The policy's panels in its order, then any other panel a case is on.
    const ids = policy.panels.map((p) => p.id);
    for (const c of [...main, ...monitoring, ...referred]) if (!ids.includes(c.panel)) ids.push(c.panel);
    // Due for review is asked per panel (due_by needs one).
    let dueError = null;
    const dueLists = await Promise.all(ids.map((panel) => list({ panel, due_by: dueBy }).catch((error) => {
      if (error.codeName !== 'INVALID_ARGUMENT') throw error;
      dueError = error;
      return [];
    })));
    const due = dueLists.flat();
    const withRisk = (cases) => cases.map((c) => ({ ...c, risk: highestRisk(c), id: lastSegment(c.name) }));
    const board = ids.map((id) => ({
      id,
      title: panelTitle(policy.panels, id),
      count: counts.panels.find((p) => p.panel === id) || { referred: 0, main_agenda: 0, monitoring: 0, open: 0 },
      main: withRisk(main.filter((c) => c.panel === id)),
      monitoring: withRisk(monitoring.filter((c) => c.panel === id)),
      referred: withRisk(referred.filter((c) => c.panel === id)),
      due: withRisk(due.filter((c) => c.panel === id)),
      meetings: meetings ? meetings.filter((m) => m.panel === id) : null,
    }));
    res.status(dueError ? 400 : 200).render('panels.njk', {
      board,
      dueLabel: dueError ? 'Due for review' : `Due for review by ${civilDate(dueBy)}`,
      query: { 'due_by-day': dueBy.day, 'due_by-month': dueBy.month, 'due_by-year': dueBy.year, ...req.query },
      errors: dueError ? errorsFrom(dueError, [{ name: 'due_by', path: 'due_by', type: 'date' }], 'due-form') : null,
      canRefer: req.may('PanelService', 'ReferCase'),
      canSchedule: req.may('PanelMeetingService', 'ScheduleMeeting'),
    });
  });
}

// A form the person's role may not send (as the contract declares): said
// before they fill it in.
function notYours(res, text, back, backText) {
  return res.status(403).render('message.njk', { title: 'Your role cannot do this', text, back, backText });
}

// A form that makes a new record: GET shows it, POST sends `method` and goes
// to the new record's page, with the person's purpose for it noted.
function mountNew(app, { path, template, fields, service, method, field, base, purpose, done }) {
  const render = async (req, res, extra) => {
    if (!req.may(service, method)) return notYours(res, whoMay(req, service, method), '/panels', 'Back to the panels');
    const policy = await panelPolicy(req, 0);
    res.render(template, {
      fields: fields(policy.panels), values: { referrer_agency: req.session.person.agency, ...req.query },
      errors: null, requestId: newRequestId(), ...extra,
    });
  };
  app.get(path, (req, res) => render(req, res, {}));
  app.post(path, async (req, res) => {
    const policy = await panelPolicy(req, 0);
    const formFields = fields(policy.panels);
    const request = { ...requestFrom(formFields, req.body), parent: req.app.locals.parent,
      request_id: String(req.body.request_id || newRequestId()) };
    let reply;
    try {
      reply = await req.api(service, method, request);
    } catch (error) {
      const status = formStatus(error);
      if (!status) throw error;
      res.status(status);
      return render(req, res, { values: req.body, errors: errorsFrom(error, formFields), requestId: request.request_id });
    }
    const name = reply[field].name;
    req.session.purposes = { ...(req.session.purposes || {}), [name]: purpose };
    req.session.flash = done;
    return res.redirect(303, `${base}/${lastSegment(name)}`);
  });
}

function mountCase(app) {
  app.get('/panels/cases/:id', async (req, res) => {
    const name = `${req.app.locals.parent}/panelCases/${req.params.id}`;
    const purpose = req.session.purposes[name];
    const [panelCase, history, assessments, policy] = await Promise.all([
      req.api('PanelService', 'GetPanelCase', { name }, purpose),
      req.api('EventService', 'ReadStream', { stream: name, page_size: 500 }, purpose),
      ifAllowed(req.listAll('PanelService', 'ListAssessments', { name, page_size: 100 }, 'assessments', 500, purpose)),
      panelPolicy(req, 0),
    ]);
    const timeline = history.events.map((e) => describeEvent(e, req.unpack)).reverse();
    // The meetings that decided on the case, from its history.
    const meetings = [];
    for (const envelope of history.events) {
      const payload = req.unpack(envelope.payload);
      const meeting = payload && payload.value.meeting;
      if (meeting && !meetings.some((m) => m.name === meeting)) {
        meetings.push({ name: meeting, id: lastSegment(meeting), date: payload.value.meeting_date || payload.value.on });
      }
    }
    const steps = stepLinks(KIND, req.params.id, panelCase);
    const due = dayNumber(panelCase.next_review_due);
    const overdue = due > 0 && due < dayNumber(today()) && ['MAIN_AGENDA', 'MONITORING'].includes(panelCase.state);
    res.render('panel-case.njk', {
      panelCase, timeline, steps, meetings, assessments, overdue,
      id: req.params.id,
      panel: panelTitle(policy.panels, panelCase.panel),
      chart: riskChart(assessments || []),
      more: Boolean(history.next_page_token),
    });
  });

  mountSteps(app, KIND);
}

// The rows of the attendance form, and the field list refusals are shown
// against (row n's fields are refused as attendees[i].*).
function attendanceFields(rows) {
  const fields = [];
  for (let n = 1; n <= rows; n += 1) {
    fields.push({ name: `a${n}_agency`, type: 'text' }, { name: `a${n}_agency_kind`, type: 'text' },
      { name: `a${n}_role`, type: 'text' }, { name: `a${n}_chair`, type: 'checkbox' });
  }
  return fields;
}

function mountMeeting(app) {
  const meetingName = (req) => `${req.app.locals.parent}/panelMeetings/${req.params.id}`;

  app.get('/panels/meetings/:id', async (req, res) => {
    const name = meetingName(req);
    const purpose = req.session.purposes[name];
    const [minutes, agenda, history, policy] = await Promise.all([
      req.api('PanelMeetingService', 'GetMeeting', { name }, purpose),
      req.api('PanelMeetingService', 'GetAgenda', { name }, purpose),
      req.api('EventService', 'ReadStream', { stream: name, page_size: 500 }, purpose),
      panelPolicy(req, 0),
    ]);
    // The meeting's own next steps, as caseworkd names them: attendance has
    // its own page (a row per attendee), the rest are step pages.
    const steps = stepLinks(MEETING_KIND, req.params.id, minutes.meeting).map((step) => (
      step.method === 'RecordAttendance'
        ? { ...step, title: 'Record who attended', href: `/panels/meetings/${req.params.id}/attendance` } : step));
    res.render('panel-meeting.njk', {
      minutes, agenda, id: req.params.id,
      panel: panelTitle(policy.panels, minutes.meeting.panel),
      timeline: history.events.map((e) => describeEvent(e, req.unpack)).reverse(),
      more: Boolean(history.next_page_token),
      steps,
    });
  });

  async function meetingForm(req, res, method, template, extra) {
    const name = meetingName(req);
    const minutes = await req.api('PanelMeetingService', 'GetMeeting', { name }, req.session.purposes[name]);
    if (!minutes.meeting.next_steps.includes(method)) {
      return res.status(404).render('message.njk', {
        title: 'This step is not open now',
        text: 'The meeting does not allow this step in its present state, or your role cannot take it.',
        back: `/panels/meetings/${req.params.id}`, backText: 'Back to the meeting',
      });
    }
    return res.render(template, {
      id: req.params.id, minutes, errors: null, requestId: newRequestId(), version: minutes.meeting.version, ...extra(minutes),
    });
  }

  // Sends a meeting command: true when done; a refusal is shown on the form
  // with the server's message (a closed meeting, a stale page, a role that
  // may not), and false returned.
  async function sendMeeting(req, res, method, request, fields, paths, rerender) {
    const version = String(req.body.version || '');
    const full = { ...request, name: meetingName(req), request_id: String(req.body.request_id || newRequestId()) };
    if (/^\d+$/.test(version)) full.expected_version = version;
    try {
      await req.api('PanelMeetingService', method, full);
    } catch (error) {
      const status = formStatus(error);
      if (!status) throw error;
      res.status(status);
      rerender({
        errors: errorsFrom(error, fields, 'step-form', paths), stale: error.stale,
        requestId: error.stale ? newRequestId() : full.request_id, version,
      });
      return false;
    }
    return true;
  }

  const rowCount = (value, floor) => Math.min(60, Math.max(floor, Number(value) || 0));

  app.get('/panels/meetings/:id/attendance', (req, res) => meetingForm(req, res, 'RecordAttendance', 'panel-meeting-attendance.njk', (minutes) => {
    const values = {};
    minutes.meeting.attendees.forEach((a, i) => {
      values[`a${i + 1}_agency`] = a.agency;
      values[`a${i + 1}_agency_kind`] = a.agency_kind;
      values[`a${i + 1}_role`] = a.role;
      if (a.chair) values[`a${i + 1}_chair`] = 'yes';
    });
    return { values, rows: rowCount(req.query.rows, minutes.meeting.attendees.length + 3), agencyKinds: KIND_ITEMS };
  }));

  app.post('/panels/meetings/:id/attendance', async (req, res) => {
    const rows = rowCount(req.body.rows, 1);
    // Each filled row is an attendee; rowOf maps a request index to its row.
    const attendees = [];
    const rowOf = [];
    for (let n = 1; n <= rows; n += 1) {
      const agency = String(req.body[`a${n}_agency`] || '').trim();
      const kind = String(req.body[`a${n}_agency_kind`] || '');
      const role = String(req.body[`a${n}_role`] || '').trim();
      const chair = req.body[`a${n}_chair`] === 'yes';
      if (!agency && !kind && !role && !chair) continue;
      attendees.push({ agency, agency_kind: kind || 'AGENCY_KIND_UNSPECIFIED', role, chair });
      rowOf.push(n);
    }
    const fields = attendanceFields(rows);
    const paths = { attendees: (i, leaf) => `a${rowOf[i] || 1}_${leaf}` };
    const done = await sendMeeting(req, res, 'RecordAttendance', { attendees }, fields, paths, (extra) => {
      res.render('panel-meeting-attendance.njk', {
        id: req.params.id, values: req.body, rows, agencyKinds: KIND_ITEMS, ...extra,
      });
    });
    if (!done) return undefined;
    req.session.flash = 'Attendance recorded.';
    return res.redirect(303, `/panels/meetings/${req.params.id}`);
  });

  mountSteps(app, MEETING_KIND);
}

function mount(app) {
  mountBoard(app);
  mountNew(app, {
    path: '/panels/cases/new', template: 'panel-case-new.njk', fields: REFER_FIELDS,
    service: 'PanelService', method: 'ReferCase', field: 'panel_case', base: '/panels/cases',
    purpose: 'recording the referral', done: 'Case referred.',
  });
  mountNew(app, {
    path: '/panels/meetings/new', template: 'panel-meeting-new.njk', fields: SCHEDULE_FIELDS,
    service: 'PanelMeetingService', method: 'ScheduleMeeting', field: 'meeting', base: '/panels/meetings',
    purpose: 'scheduling the meeting', done: 'Meeting scheduled.',
  });

  // A case's or a meeting's pages read its detail: ask the purpose first.
  askPurpose(app, '/panels/cases/:id', 'panelCases');
  askPurpose(app, '/panels/meetings/:id', 'panelMeetings');
  mountCase(app);
  mountMeeting(app);
}

module.exports = { mount };
