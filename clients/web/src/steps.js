// Steps: one page per command a case allows. The case's `next_steps` (set by
// caseworkd from its workflow's transition table and the caller's role)
// decide which steps are offered; a step here only says how to ask for it
// (its form) and which RPC carries it. Every step sends the case's version
// (a stale page is refused, and the person is asked to reload) and a request
// id made when the form was shown (a form sent twice records one step).
'use strict';

const { errorsFrom, formStatus, newRequestId, requestFrom } = require('./forms');

// Mounts the step pages of one case type on `router`:
//   GET  {base}/:id/steps/:method   the form
//   POST {base}/:id/steps/:method   run it, then back to the case
// kind: { base: '/case-reviews', service: 'CaseReviewService',
//         collection: 'caseReviews', noun: 'case review',
//         load(req, name) -> resource (with next_steps, version),
//         extra(req, resource) -> what fields(resource, extra) draw on,
//         steps: { Method: {title, button, fields, extra(resource)} } }
function mountSteps(router, kind) {
  const path = `${kind.base}/:id/steps/:method`;

  async function context(req) {
    const name = `${req.app.locals.parent}/${kind.collection}/${req.params.id}`;
    const resource = await kind.load(req, name);
    const step = Object.prototype.hasOwnProperty.call(kind.steps, req.params.method)
      ? kind.steps[req.params.method] : null;
    const allowed = (resource.next_steps || []).includes(req.params.method);
    // What a form's choices come from besides the case (its policy, say).
    const extra = step && kind.extra ? await kind.extra(req, resource) : {};
    return { name, resource, step, allowed, extra };
  }

  function render(res, req, ctx, extra) {
    const fields = fieldsOf(ctx);
    res.render('step.njk', {
      kind,
      name: ctx.name,
      id: req.params.id,
      method: req.params.method,
      resource: ctx.resource,
      step: ctx.step,
      fields,
      values: {},
      errors: null,
      requestId: newRequestId(),
      version: ctx.resource.version,
      ...extra,
    });
  }

  router.get(path, async (req, res) => {
    const ctx = await context(req);
    if (!ctx.step || !ctx.allowed) return notAStep(res, req, kind, ctx);
    return render(res, req, ctx, {});
  });

  router.post(path, async (req, res) => {
    const ctx = await context(req);
    if (!ctx.step) return notAStep(res, req, kind, ctx);
    const fields = fieldsOf(ctx);
    const request = {
      ...requestFrom(fields, req.body),
      name: ctx.name,
      request_id: String(req.body.request_id || newRequestId()),
    };
    if (/^\d+$/.test(String(req.body.version || ''))) request.expected_version = String(req.body.version);
    if (ctx.step.shape) ctx.step.shape(request, req.body);
    try {
      await req.api(kind.service, req.params.method, request);
    } catch (error) {
      const status = formStatus(error);
      if (!status) throw error;
      res.status(status);
      return render(res, req, ctx, {
        values: req.body,
        errors: errorsFrom(error, fields, 'step-form', ctx.step.paths),
        stale: error.stale,
        requestId: error.stale ? newRequestId() : request.request_id,
        version: req.body.version,
      });
    }
    req.session.flash = `${ctx.step.done || ctx.step.title}: done.`;
    return res.redirect(303, `${kind.base}/${req.params.id}`);
  });
}

// The links to the steps `resource` allows now (its next_steps).
function stepLinks(kind, id, resource) {
  return (resource.next_steps || []).map((method) => ({
    method, title: kind.steps[method] ? kind.steps[method].title : method,
    href: `${kind.base}/${id}/steps/${method}`,
  }));
}

function fieldsOf(ctx) {
  return typeof ctx.step.fields === 'function' ? ctx.step.fields(ctx.resource, ctx.extra) : ctx.step.fields;
}

function notAStep(res, req, kind, ctx) {
  res.status(404).render('message.njk', {
    title: 'This step is not open now',
    text: `The ${kind.noun} does not allow this step in its present state, or your role cannot take it.`,
    back: `${kind.base}/${req.params.id}`,
    backText: `Back to the ${kind.noun}`,
  });
}

module.exports = { mountSteps, stepLinks };
