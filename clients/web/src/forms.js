// Forms: reading what a person typed into an API request, and showing what
// caseworkd refused next to the fields it names. The web client checks
// nothing itself: the server's BadRequest violations are the error messages.
'use strict';

const crypto = require('node:crypto');

// A CivilDate from the GOV.UK date input `name` (name-day, name-month,
// name-year), or undefined when all three are empty. Whatever was typed is
// sent; caseworkd says what is wrong with it.
function readDate(body, name) {
  const day = String(body[`${name}-day`] || '').trim();
  const month = String(body[`${name}-month`] || '').trim();
  const year = String(body[`${name}-year`] || '').trim();
  if (!day && !month && !year) return undefined;
  const number = (s) => (/^\d{1,4}$/.test(s) ? Number(s) : 0);
  return { year: number(year), month: number(month), day: number(day) };
}

// A field's value from the form, converted for its request.
function readField(field, body) {
  const raw = body[field.name];
  switch (field.type) {
    case 'date': return readDate(body, field.name);
    case 'checkbox': return raw === 'yes';
    case 'checkboxes': return raw === undefined ? [] : [].concat(raw).map(String);
    case 'yesno': return raw === 'yes' ? true : raw === 'no' ? false : undefined;
    case 'number': {
      const text = String(raw || '').trim();
      return text === '' ? undefined : Number(text);
    }
    case 'lines':
      return String(raw || '').split(/\r?\n/).map((s) => s.trim()).filter(Boolean);
    default:
      return String(raw === undefined ? '' : raw).trim();
  }
}

// Sets `value` at dotted `path` ("complaint.behaviour_date") of `target`.
function setPath(target, path, value) {
  if (value === undefined) return;
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    node[key] = node[key] || {};
    node = node[key];
  }
  node[keys[keys.length - 1]] = value;
}

// The request a form's fields make: each field's value at its `path`
// (default: its name).
function requestFrom(fields, body) {
  const request = {};
  for (const field of fields) setPath(request, field.path || field.name, readField(field, body));
  return request;
}

// What to show for a refused call: the GOV.UK error summary's list (each
// linking to its field) and a message per field. A violation belongs to the
// form field whose request path it names or lies under; one that names no
// form field is shown in the summary, linked to the form.
// `paths` maps a repeated request field to the form fields of its rows:
// {recommendations: (index, leaf) => 'rec1_text'}.
function errorsFrom(error, fields, formId = 'step-form', paths = {}) {
  const summary = [];
  const byField = {};
  for (const v of error.violations || []) {
    const row = /^(\w+)\[(\d+)\]\.(\w+)/.exec(v.field);
    const rowField = row && paths[row[1]] ? paths[row[1]](Number(row[2]), row[3]) : null;
    const field = fields.find((f) => {
      if (rowField) return f.name === rowField;
      const path = f.path || f.name;
      return v.field === path || v.field.startsWith(`${path}.`) || v.field.startsWith(`${path}[`);
    });
    const text = v.description || `${v.field}: ${v.rule}`;
    if (field) {
      if (!byField[field.name]) byField[field.name] = text;
      summary.push({ text, href: `#${field.type === 'date' ? `${field.name}-day` : field.name}` });
    } else {
      summary.push({ text, href: `#${formId}` });
    }
  }
  if (summary.length === 0) {
    summary.push({ text: plainRefusal(error), href: `#${formId}` });
  }
  return { summary, byField };
}

// The HTTP status of a refusal shown on the form that asked, or 0 for one
// that is not the form's to show (an expired sign-in, a server that does
// not answer): the error pages say those.
function formStatus(error) {
  const statuses = {
    INVALID_ARGUMENT: 400, OUT_OF_RANGE: 400, FAILED_PRECONDITION: 409, ABORTED: 409, ALREADY_EXISTS: 409,
    PERMISSION_DENIED: 403, NOT_FOUND: 404,
  };
  return (error && error.codeName && statuses[error.codeName]) || 0;
}

// A refusal without field violations, in words a caseworker can act on.
function plainRefusal(error) {
  if (error.stale) {
    return 'Someone else changed this case since you opened it. Reload the case to see the change, then try again.';
  }
  if (error.codeName === 'PERMISSION_DENIED') {
    return `Your role cannot do this: ${error.message}`;
  }
  if (error.codeName === 'UNAVAILABLE' || error.codeName === 'DEADLINE_EXCEEDED') {
    return 'The case service is not answering. Nothing was changed. Try again in a moment.';
  }
  return error.message;
}

// Radio or checkbox choices from [value, text] pairs.
function options(pairs) {
  return pairs.map(([value, text]) => ({ value, text }));
}

// A fresh request id for a form: sent back with the form, so submitting it
// twice (a double click, the back button) records the step once.
function newRequestId() {
  return crypto.randomUUID();
}

module.exports = { readDate, requestFrom, errorsFrom, formStatus, newRequestId, options };
