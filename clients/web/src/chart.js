// A horizontal bar chart as server-rendered SVG. The chart is a picture of
// a data table the page also shows, so it is hidden from screen readers
// (aria-hidden) rather than described twice.
'use strict';

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({
    '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
  }[c]));
}

// rows: [{label, value}]. Returns SVG markup.
function barChart(rows, { width = 640, barHeight = 28, labelWidth = 260 } = {}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  const gap = 10;
  const height = rows.length * (barHeight + gap) + gap;
  const room = width - labelWidth - 60;
  const bars = rows.map((r, i) => {
    const y = gap + i * (barHeight + gap);
    const w = Math.round((r.value / max) * room);
    return `<text x="${labelWidth - 8}" y="${y + barHeight / 2 + 6}" text-anchor="end" class="app-chart__label">${escape(r.label)}</text>`
      + `<rect x="${labelWidth}" y="${y}" width="${Math.max(w, 1)}" height="${barHeight}" class="app-chart__bar"/>`
      + `<text x="${labelWidth + w + 8}" y="${y + barHeight / 2 + 6}" class="app-chart__value">${escape(r.value)}</text>`;
  }).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" class="app-chart" viewBox="0 0 ${width} ${height}" width="100%" aria-hidden="true" focusable="false">${bars}</svg>`;
}

module.exports = { barChart, escape };
