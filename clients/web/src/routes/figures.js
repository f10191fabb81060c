// Statutory figures for a period: the figures section 104(10) of the
// Anti-social Behaviour, Crime and Policing Act 2014 asks a partnership to
// publish, and the management figures beside them; a chart, its data table
// and a CSV download. caseworkd counts; this page shows.
'use strict';

const { barChart } = require('../chart');
const { errorsFrom, readDate } = require('../forms');

// The period's fields, as the form shows them and the request names them.
const PERIOD = [{ name: 'from', label: 'From', type: 'date' }, { name: 'to', label: 'To', type: 'date' }];
const { civilDate, today } = require('../format');

// The reporting year that contains `d` (1 April to 31 March).
function reportingYear(d) {
  const start = d.month >= 4 ? d.year : d.year - 1;
  return { from: { year: start, month: 4, day: 1 }, to: { year: start + 1, month: 3, day: 31 } };
}

function mount(app) {
  async function figures(req, csv) {
    const year = reportingYear(today());
    const from = readDate(req.query, 'from') || year.from;
    const to = readDate(req.query, 'to') || year.to;
    const reply = await req.api('CaseReviewService', 'GetCaseReviewFigures',
      { parent: req.app.locals.parent, from, to, csv });
    return { from, to, reply };
  }

  app.get('/figures', async (req, res) => {
    let result;
    try {
      result = await figures(req, false);
    } catch (error) {
      if (error.codeName !== 'INVALID_ARGUMENT') throw error;
      res.status(400);
      return res.render('figures.njk', {
        query: req.query, errors: errorsFrom(error, PERIOD, 'period-form'), period: PERIOD,
      });
    }
    const f = result.reply;
    const statutory = [
      { label: 'Applications received', value: f.applications_received },
      { label: 'Threshold not met', value: f.threshold_not_met },
      { label: 'Reviews carried out', value: f.reviews_carried_out },
      { label: 'Reviews with recommendations', value: f.reviews_with_recommendations },
    ];
    const management = [
      { label: 'Applications withdrawn', value: f.withdrawn },
      { label: 'Appeals against the outcome', value: f.appeals_received },
      { label: 'Appeals upheld', value: f.appeals_upheld },
      { label: 'Appeals against the threshold decision', value: f.threshold_appeals_received },
      { label: 'Threshold appeals upheld', value: f.threshold_appeals_upheld },
    ];
    const query = {
      'from-day': result.from.day, 'from-month': result.from.month, 'from-year': result.from.year,
      'to-day': result.to.day, 'to-month': result.to.month, 'to-year': result.to.year,
    };
    return res.render('figures.njk', {
      figures: f, statutory, management, query, errors: null, period: PERIOD,
      periodText: `${civilDate(result.from)} to ${civilDate(result.to)}`,
      chart: barChart(statutory),
      csvLink: `/figures.csv?${new URLSearchParams(query).toString()}`,
    });
  });

  app.get('/figures.csv', async (req, res) => {
    const result = await figures(req, true);
    const name = `case-review-figures-${result.from.year}-${result.from.month}-${result.from.day}`
      + `-to-${result.to.year}-${result.to.month}-${result.to.day}.csv`;
    res.type('text/csv').attachment(name).send(result.reply.csv);
  });
}

module.exports = { mount, reportingYear };
