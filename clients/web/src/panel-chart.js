// A panel case's risk trend as server-rendered SVG: one step line per risk
// dimension over its assessments. Like src/chart.js it is a picture of a
// data table the page also shows, so it is hidden from screen readers
// (aria-hidden) rather than described twice. Lines differ by colour, dash
// and marker shape, and are named in a legend, so colour is not needed to
// tell them apart.
'use strict';

const { escape } = require('./chart');
const { civilDate } = require('./format');

const LEVELS = { RISK_LOW: 1, RISK_MEDIUM: 2, RISK_HIGH: 3, RISK_VERY_HIGH: 4 };
const LEVEL_NAMES = ['', 'Low', 'Medium', 'High', 'Very high'];

// The three dimensions as RiskAssessment names them, with how each is drawn.
const SERIES = [
  { field: 'reoffending', name: 'Reoffending', colour: '#1d70b8', dash: '', marker: 'circle' },
  { field: 'harm_to_others', name: 'Harm to others', colour: '#d4351c', dash: '8 4', marker: 'square' },
  { field: 'harm_to_self', name: 'Harm to self', colour: '#00703c', dash: '2 4', marker: 'triangle' },
];

function marker(shape, x, y, colour) {
  if (shape === 'square') return `<rect x="${x - 5}" y="${y - 5}" width="10" height="10" fill="${colour}"/>`;
  if (shape === 'triangle') return `<path d="M${x} ${y - 6} L${x + 6} ${y + 5} L${x - 6} ${y + 5} Z" fill="${colour}"/>`;
  return `<circle cx="${x}" cy="${y}" r="5" fill="${colour}"/>`;
}

// assessments: RiskAssessment objects, oldest first. Returns SVG markup, or
// '' when there is nothing to draw.
function riskChart(assessments, { width = 640, height = 260 } = {}) {
  if (!assessments || assessments.length === 0) return '';
  const left = 100;
  const right = 20;
  const top = 20;
  const legendHeight = 30;
  const bottom = 40 + legendHeight;
  const plotWidth = width - left - right;
  const plotHeight = height - top - bottom;
  const n = assessments.length;
  // Each assessment holds until the next: a step, one column per assessment.
  const column = plotWidth / n;
  const xOf = (i) => left + i * column;
  // Lines are nudged apart a little so equal levels do not hide each other.
  const yOf = (level, s) => top + plotHeight - ((level - 1) / 3) * plotHeight + (s - 1) * 4;

  const grid = [1, 2, 3, 4].map((level) => {
    const y = yOf(level, 1);
    return `<line x1="${left}" y1="${y}" x2="${width - right}" y2="${y}" stroke="#b1b4b6" stroke-width="1"/>`
      + `<text x="${left - 8}" y="${y + 5}" text-anchor="end" class="app-chart__label">${LEVEL_NAMES[level]}</text>`;
  }).join('');

  const dates = assessments.map((a, i) => {
    // Label every assessment while they fit, else every few.
    const every = Math.ceil(n / 6);
    if (i % every !== 0) return '';
    return `<text x="${xOf(i) + 2}" y="${top + plotHeight + 24}" class="app-chart__label">${escape(civilDate(a.assessed_on))}</text>`;
  }).join('');

  const lines = SERIES.map((series, s) => {
    const points = [];
    const marks = [];
    assessments.forEach((a, i) => {
      const level = LEVELS[a[series.field]];
      if (!level) return;
      const y = yOf(level, s);
      points.push(`${xOf(i)},${y}`, `${xOf(i + 1)},${y}`);
      marks.push(marker(series.marker, xOf(i), y, series.colour));
    });
    if (points.length === 0) return '';
    return `<polyline points="${points.join(' ')}" fill="none" stroke="${series.colour}" stroke-width="3"`
      + `${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}/>${marks.join('')}`;
  }).join('');

  const legendY = height - legendHeight / 2;
  const legend = SERIES.map((series, s) => {
    const x = left + s * 180;
    return `<line x1="${x}" y1="${legendY}" x2="${x + 30}" y2="${legendY}" stroke="${series.colour}" stroke-width="3"`
      + `${series.dash ? ` stroke-dasharray="${series.dash}"` : ''}/>${marker(series.marker, x + 15, legendY, series.colour)}`
      + `<text x="${x + 38}" y="${legendY + 5}" class="app-chart__label">${escape(series.name)}</text>`;
  }).join('');

  return `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 ${width} ${height}" width="100%"`
    + ` aria-hidden="true" focusable="false">${grid}${dates}${lines}${legend}</svg>`;
}

module.exports = { riskChart, LEVELS };
