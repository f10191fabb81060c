// A housing provider's integration with caseworkd, from Node.js, through the
// public gRPC API only: the contract's .proto files are loaded at run time,
// as any client outside the project would load them.
//
// Eastbrook Homes' tenancy system records complaints (a retry is answered
// from its record), one of its caseworkers opens and advances a case review,
// a refused command is read from its google.rpc.Status details, and the
// event feed (EventService.Subscribe) is followed and resumed from its
// checkpoints without gaps or repeats.
//
//   CASEWORKD=path/to/caseworkd CASEWORK_PROTO_DIR=path/to/proto node --test journey.test.js
'use strict';

const { after, before, test } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');

const PROTO_DIR = process.env.CASEWORK_PROTO_DIR || path.join(__dirname, '..', '..', '..', 'proto');
const PARTNERSHIP = 'partnerships/eastbrook';
const DEADLINE_MS = 10000;

// The demo partnership's housing provider: its tenancy system (a system
// acting as itself) and one of its caseworkers (a person, who states why
// they read a record's detail).
const TENANCY_SYSTEM = { agency: 'eastbrook-homes', user: 'tenancy-sync', role: 'integration' };
const CASEWORKER = { agency: 'eastbrook-homes', user: 'hm-okafor', role: 'caseworker' };
const PURPOSE = 'preparing the case review';

// The contract: snake_case fields, enums by name, 64-bit integers as
// strings, defaults filled in, which member of a oneof is set.
const contract = protoLoader.loadSync(
  ['casework/v1/complaints.proto', 'casework/v1/case_reviews.proto', 'casework/v1/events.proto',
    'casework/v1/errors.proto', 'google/rpc/status.proto'],
  { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true, includeDirs: [PROTO_DIR] });
const v1 = grpc.loadPackageDefinition(contract).casework.v1;

let server;
let complaints;
let reviews;
let events;

// Starts caseworkd (the binary in $CASEWORKD) with the demo partnership on a
// free port and a fresh data directory; resolves once it serves and the
// demo is loaded.
async function startCaseworkd() {
  const binary = process.env.CASEWORKD;
  assert.ok(binary, 'set CASEWORKD to the caseworkd binary');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'casework-node-client-'));
  const child = spawn(binary, [`--data_dir=${dataDir}`, '--listen=127.0.0.1:0', '--request_log=false', '--demo'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  const port = await new Promise((resolve, reject) => {
    let port = null;
    child.stderr.on('data', (chunk) => {
      log += chunk.toString();
      const serving = /serving on \S+ \(port (\d+)\)/.exec(log);
      if (serving) port = Number(serving[1]);
      if (port !== null && /demo partnership 'eastbrook' loaded/.test(log)) resolve(port);
      if (/cannot start|failed/.test(log)) reject(new Error(log));
    });
    child.on('exit', (code) => reject(new Error(`caseworkd exited ${code}: ${log}`)));
  });
  return {
    address: `127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

// Development identity: who calls, in metadata (and a person's purpose for
// a detail read).
function identity(person, purpose) {
  const metadata = new grpc.Metadata();
  metadata.set('x-casework-agency', person.agency);
  metadata.set('x-casework-user', person.user);
  metadata.set('x-casework-role', person.role);
  if (purpose) metadata.set('x-casework-purpose', purpose);
  return metadata;
}

// A unary call: resolves to {reply, trailers}, rejects with grpc-js's error
// (its metadata holds the trailers).
function call(client, method, request, person, purpose) {
  return new Promise((resolve, reject) => {
    let reply = null;
    let error = null;
    const deadline = new Date(Date.now() + DEADLINE_MS);
    const pending = client[method](request, identity(person, purpose), { deadline }, (e, r) => {
      error = e;
      reply = r;
    });
    // Emitted after the callback, with the trailing metadata.
    pending.on('status', (status) => (error ? reject(error) : resolve({ reply, trailers: status.metadata })));
  });
}

async function ask(client, method, request, person = TENANCY_SYSTEM, purpose = undefined) {
  return (await call(client, method, request, person, purpose)).reply;
}

// The failure of a call that must fail.
async function refusal(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('the call succeeded');
}

// A refusal's google.rpc.Status (grpc-status-details-bin) with its details
// unpacked: [{type: "casework.v1.BadRequest", value}, ...].
function statusDetails(error) {
  const [raw] = error.metadata.get('grpc-status-details-bin');
  assert.ok(raw, `no grpc-status-details-bin on ${error.message}`);
  const status = contract['google.rpc.Status'].deserialize(raw);
  const details = status.details.map((any) => {
    const type = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    return { type, value: contract[type].deserialize(any.value) };
  });
  return { code: status.code, message: status.message, details };
}

// A London date `daysAgo` days before today, as a CivilDate.
function londonDate(daysAgo) {
  const [y, m, d] = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London' })
    .format(new Date()).split('-').map(Number);
  const day = new Date(Date.UTC(y, m - 1, d - daysAgo));
  return { year: day.getUTCFullYear(), month: day.getUTCMonth() + 1, day: day.getUTCDate() };
}

// A complaint pushed by the tenancy system: `ref` is its own reference.
function complaintRequest(ref, complainant, daysAgo, incident = `INC-${ref}`) {
  return {
    parent: PARTNERSHIP,
    request_id: `tenancy-${ref}`,
    complaint: {
      complainant_reference: complainant,
      agency: 'eastbrook-homes',
      agency_kind: 'HOUSING_PROVIDER',
      source_system: 'homes-tenancy',
      source_reference: ref,
      incident_reference: incident,
      behaviour_date: londonDate(daysAgo + 1),
      reported_date: londonDate(daysAgo),
      category: 'PERSONAL',
      locality: 'mill-lane',
      summary: 'Fictional complaint: shouting and banging on the door late at night',
    },
  };
}

// Follows the partnership's events after `afterPosition` until a checkpoint
// says the subscription has caught up with the log's head, then hangs up.
// Resolves to {events, checkpoints}; rejects on a message out of order.
function followUntilCaughtUp(afterPosition) {
  return new Promise((resolve, reject) => {
    const seen = { events: [], checkpoints: [] };
    let reached = BigInt(afterPosition);
    const deadline = new Date(Date.now() + DEADLINE_MS);
    const stream = events.Subscribe(
      { after_position: afterPosition, partnership: PARTNERSHIP, checkpoint_interval: 5 },
      identity(TENANCY_SYSTEM), { deadline });
    const fail = (message) => {
      stream.cancel();
      reject(new Error(message));
    };
    stream.on('data', ({ item, event, checkpoint }) => {
      const position = BigInt(item === 'event' ? event.global_position : checkpoint.position);
      if (position < reached || (item === 'event' && position === reached)) {
        fail(`${item} at ${position} after position ${reached} was reached`);
        return;
      }
      reached = position;
      if (item === 'event') {
        seen.events.push(event);
        return;
      }
      seen.checkpoints.push(checkpoint);
      if (checkpoint.position === checkpoint.head_position) {
        stream.cancel();
        resolve(seen);
      }
    });
    stream.on('error', (error) => {
      if (error.code !== grpc.status.CANCELLED) reject(error);
    });
  });
}

// The partnership's events at positions after `afterPosition` up to `head`,
// from ReadLog, in small pages to follow the page tokens: each page resends
// the first page's request with the token ("Paging" in common.proto).
async function readLog(afterPosition, head) {
  const found = [];
  const request = { from_position: String(BigInt(afterPosition) + 1n), page_size: 7, page_token: '' };
  for (;;) {
    const page = await ask(events, 'ReadLog', request);
    found.push(...page.events.filter((e) => BigInt(e.global_position) <= BigInt(head)));
    const last = page.events.at(-1);
    if (!last || BigInt(last.global_position) >= BigInt(head)) break;
    request.page_token = page.next_page_token;
  }
  return found.filter((e) => e.stream.startsWith(`${PARTNERSHIP}/`));
}

const positions = (list) => list.map((e) => e.global_position);

before(async () => {
  server = await startCaseworkd();
  const credentials = grpc.credentials.createInsecure();
  // The retry and deadline guidance every client should load.
  const serviceConfig = fs.readFileSync(
    path.join(PROTO_DIR, 'casework/v1/service_config.json'), 'utf8');
  complaints = new v1.ComplaintService(server.address, credentials,
    { 'grpc.service_config': serviceConfig });
  const channelOverride = complaints.getChannel();
  reviews = new v1.CaseReviewService(server.address, credentials, { channelOverride });
  events = new v1.EventService(server.address, credentials, { channelOverride });
});

after(async () => {
  for (const client of [events, reviews, complaints]) if (client) client.close();
  if (server) await server.stop();
});

// Three complaints about separate incidents in a month: a case review's
// threshold.
const COMPLAINANT = 'cmp-hx-2291';
const FIRST_COMPLAINTS = [
  complaintRequest('HT-2026-0101', COMPLAINANT, 30),
  complaintRequest('HT-2026-0117', COMPLAINANT, 18),
  complaintRequest('HT-2026-0130', COMPLAINANT, 6),
];

test('complaints: a retried request is answered from its record, once', async () => {
  const recorded = [];
  for (const request of FIRST_COMPLAINTS) {
    const { reply, trailers } = await call(complaints, 'RecordComplaint', request, TENANCY_SYSTEM);
    assert.equal(reply.duplicate, false);
    assert.deepEqual(trailers.get('x-casework-replayed'), []);
    assert.equal(reply.commit.stream, reply.complaint.name);
    recorded.push(reply);
  }

  // The network failed after the server recorded it: the system sends the
  // same request again.
  const retry = await call(complaints, 'RecordComplaint', FIRST_COMPLAINTS[1], TENANCY_SYSTEM);
  assert.deepEqual(retry.trailers.get('x-casework-replayed'), ['true']);
  assert.deepEqual(retry.reply.commit, recorded[1].commit);
  assert.equal(retry.reply.complaint.name, recorded[1].complaint.name);

  const listed = await ask(complaints, 'ListComplaints', { parent: PARTNERSHIP, complainant_reference: COMPLAINANT });
  assert.deepEqual(listed.complaints.map((c) => c.name), recorded.map((r) => r.complaint.name));
  assert.deepEqual(listed.complaints.map((c) => c.source_reference), ['HT-2026-0101', 'HT-2026-0117', 'HT-2026-0130']);
});

test('case review: a caseworker opens one and takes the next step', async () => {
  const { case_review: received, commit } = await ask(reviews, 'ReceiveApplication', {
    parent: PARTNERSHIP,
    request_id: 'hm-okafor-application-1',
    applicant: { kind: 'INDIVIDUAL', complainant_reference: COMPLAINANT, locality: 'mill-lane', category: 'PERSONAL' },
    description: 'Fictional application: repeated shouting and banging on the door late at night',
  }, CASEWORKER);
  assert.equal(received.state, 'RECEIVED');
  assert.equal(received.receiving_agency, 'eastbrook-homes');
  assert.equal(commit.stream, received.name);

  const get = () => ask(reviews, 'GetCaseReview', { name: received.name }, CASEWORKER, PURPOSE);
  const before = await get();
  assert.ok(before.next_steps.includes('EvaluateThreshold'), before.next_steps.join(', '));

  const { case_review: evaluated } = await ask(reviews, 'EvaluateThreshold',
    { name: received.name, request_id: 'hm-okafor-threshold-1', expected_version: before.version }, CASEWORKER);
  assert.equal(evaluated.state, 'THRESHOLD_MET');
  assert.equal(evaluated.threshold.met, true);
  assert.equal(evaluated.threshold.deciding_rule, 'R1_COMPLAINTS');

  const now = await get();
  assert.equal(now.state, 'THRESHOLD_MET');
  assert.ok(BigInt(now.version) > BigInt(before.version));
  assert.ok(!now.next_steps.includes('EvaluateThreshold'), now.next_steps.join(', '));
  assert.ok(now.next_steps.includes('NotifyApplicant'), now.next_steps.join(', '));
});

test('a refused command says which field broke which rule', async () => {
  const request = complaintRequest('HT-2026-0199', COMPLAINANT, 2);
  delete request.complaint.complainant_reference;
  const error = await refusal(call(complaints, 'RecordComplaint', request, TENANCY_SYSTEM));
  assert.equal(error.code, grpc.status.INVALID_ARGUMENT);

  const status = statusDetails(error);
  assert.equal(status.code, grpc.status.INVALID_ARGUMENT);
  const badRequest = status.details.find((d) => d.type === 'casework.v1.BadRequest');
  assert.ok(badRequest, `no BadRequest in ${status.details.map((d) => d.type).join(', ')}`);
  assert.deepEqual(badRequest.value.violations.map(({ field, rule }) => ({ field, rule })),
    [{ field: 'complaint.complainant_reference', rule: 'required' }]);
});

test('event feed: resumed from a checkpoint, nothing is missed or repeated', async () => {
  // From the start of the log until caught up.
  const first = await followUntilCaughtUp('0');
  const caughtUp = first.checkpoints.at(-1);
  assert.ok(first.checkpoints.length >= 3, `${first.checkpoints.length} checkpoints`);
  assert.ok(first.events.length > 0);
  assert.deepEqual(first.events, await readLog('0', caughtUp.position));

  // Meanwhile the tenancy system records more.
  const more = [];
  for (const ref of ['HT-2026-0140', 'HT-2026-0141', 'HT-2026-0142']) {
    more.push(await ask(complaints, 'RecordComplaint', complaintRequest(ref, 'cmp-hx-3307', 3)));
  }
  const newPositions = [];
  for (const { commit } of more) {
    for (let p = BigInt(commit.first_position); p <= BigInt(commit.last_position); p++) newPositions.push(String(p));
  }

  // Resumed from an earlier checkpoint: exactly the log's events after it.
  const earlier = first.checkpoints[Math.floor(first.checkpoints.length / 2)];
  assert.ok(BigInt(earlier.position) < BigInt(caughtUp.position));
  const resumed = await followUntilCaughtUp(earlier.position);
  const head = resumed.checkpoints.at(-1).position;
  assert.ok(BigInt(head) >= BigInt(newPositions.at(-1)), `caught up at ${head}`);
  const expected = await readLog(earlier.position, head);
  assert.deepEqual(positions(resumed.events), positions(expected));
  assert.deepEqual(resumed.events, expected);
  assert.equal(new Set(positions(resumed.events)).size, resumed.events.length);

  // Resumed from where the first subscription stopped: only the new
  // complaints' events.
  const latest = await followUntilCaughtUp(caughtUp.position);
  assert.deepEqual(positions(latest.events), newPositions);
  assert.deepEqual([...new Set(latest.events.map((e) => e.request_id))],
    ['tenancy-HT-2026-0140', 'tenancy-HT-2026-0141', 'tenancy-HT-2026-0142']);
  assert.deepEqual([...new Set(latest.events.map((e) => e.stream))], more.map(({ commit }) => commit.stream));
});
