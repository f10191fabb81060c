// Words and dates as GOV.UK pages write them: "7 March 2026", "2:05pm",
// "Threshold met". Only presentation: every fact comes from caseworkd.
'use strict';

const ZONE = 'Europe/London';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

// A casework.v1.CivilDate as "7 March 2026", or "" when unset.
function civilDate(d) {
  if (!d || !d.year) return '';
  return `${d.day} ${MONTHS[d.month - 1]} ${d.year}`;
}

// A google.protobuf.Timestamp ({seconds, nanos}) as a JS Date.
function toDate(t) {
  if (!t || t.seconds === undefined) return null;
  return new Date(Number(t.seconds) * 1000 + Math.floor((t.nanos || 0) / 1e6));
}

// A timestamp as "7 March 2026 at 2:05pm" in UK time.
function dateTime(t) {
  const date = toDate(t);
  if (!date) return '';
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE, day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit',
    hour12: true,
  }).formatToParts(date).map((p) => [p.type, p.value]));
  return `${parts.day} ${parts.month} ${parts.year} at ${parts.hour}:${parts.minute}${parts.dayPeriod.toLowerCase()}`;
}

// Today in UK time as a CivilDate.
function today(now = new Date()) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: ZONE, day: 'numeric', month: 'numeric', year: 'numeric',
  }).formatToParts(now).map((p) => [p.type, p.value]));
  return { year: Number(parts.year), month: Number(parts.month), day: Number(parts.day) };
}

// "THRESHOLD_NOT_MET" or "ThresholdNotMet" as "Threshold not met".
function label(value) {
  if (!value) return '';
  const words = String(value).includes('_')
    ? String(value).toLowerCase().split('_')
    : String(value).replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ');
  const text = words.filter(Boolean).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// A CivilDate as a number that sorts by date (0 when unset).
function dayNumber(d) {
  return d && d.year ? d.year * 10000 + d.month * 100 + d.day : 0;
}

// "partnerships/eastbrook/caseReviews/12" -> "12".
function lastSegment(name) {
  return String(name || '').split('/').pop();
}

module.exports = { civilDate, dateTime, today, label, lastSegment, dayNumber };
