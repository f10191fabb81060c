// The web client's only way to caseworkd: its public gRPC API, loaded from
// the contract's .proto files at start-up. Every call carries the signed-in
// person's identity (development identity metadata, or their bearer token
// over mutual TLS) and, for a read of one record's detail, the purpose they
// gave, which caseworkd records in its audit log.
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const grpc = require('@grpc/grpc-js');
const protoLoader = require('@grpc/proto-loader');
const protobuf = require('protobufjs');

const PROTO_FILES = [
  'casework/v1/actions.proto',
  'casework/v1/case_reviews.proto',
  'casework/v1/complaints.proto',
  'casework/v1/deadlines.proto',
  'casework/v1/death_reviews.proto',
  'casework/v1/events.proto',
  'casework/v1/panels.proto',
  'casework/v1/policy.proto',
  'casework/v1/errors.proto',
  'google/rpc/status.proto',
];

// Objects as the contract spells them: snake_case fields, enums by name,
// 64-bit integers as strings, absent fields filled with their defaults.
const OBJECT_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };

// A refused call, with what the server said in a form pages can show.

// The partnership a request is for: the {p} of its parent or name,
// "partnerships/{p}/..."; '' for none.
function partnershipOf(request) {
  for (const field of ['parent', 'name']) {
    const value = request && request[field];
    if (typeof value === 'string' && value.startsWith('partnerships/')) {
      return value.split('/')[1] || '';
    }
  }
  return '';
}

class ApiError extends Error {
  constructor(error, details) {
    super(error.details || error.message);
    this.code = error.code;
    this.codeName = grpc.status[error.code] || String(error.code);
    // google.rpc.Status details by kind: violations (BadRequest), reason and
    // metadata (ErrorInfo), conflict (VersionConflict), transition
    // (IllegalTransition).
    this.violations = details.violations || [];
    this.reason = details.reason || '';
    this.metadata = details.metadata || {};
    this.conflict = details.conflict || null;
    this.transition = details.transition || null;
  }

  get stale() { return this.code === grpc.status.ABORTED && this.conflict !== null; }
}

class Api {
  // options: address ("127.0.0.1:50051"), protoDir (the contract's proto/
  // folder), tls ({ca, cert, key} PEM buffers, or null for a loopback
  // development connection), deadlineMs.
  constructor(options) {
    this.deadlineMs = options.deadlineMs || 10000;
    const includeDirs = [options.protoDir];
    const definition = protoLoader.loadSync(PROTO_FILES, { ...OBJECT_OPTIONS, includeDirs });
    const loaded = grpc.loadPackageDefinition(definition);
    const credentials = options.tls
      ? grpc.credentials.createSsl(options.tls.ca, options.tls.key, options.tls.cert)
      : grpc.credentials.createInsecure();
    // One channel for every service (clients share it by passing it on).
    const first = new loaded.casework.v1.CaseReviewService(options.address, credentials);
    const channel = first.getChannel();
    this.services = {};
    for (const name of Object.keys(loaded.casework.v1)) {
      const Service = loaded.casework.v1[name];
      if (typeof Service === 'function' && Service.service) {
        this.services[name] = new Service(options.address, credentials, { channelOverride: channel });
      }
    }
    this.types = new protobuf.Root();
    this.types.resolvePath = (origin, target) => {
      // The contract's files; google/protobuf/* are protobufjs's own.
      const candidate = path.join(options.protoDir, target);
      return fs.existsSync(candidate) ? candidate : target;
    };
    this.types.loadSync(PROTO_FILES, { keepCase: true });
    this.types.resolveAll();
    this.roles = new Map();
  }

  // The roles the contract allows to call `service`.`method` (its `access`
  // option), as the identity spells them ("panel_chair"). Pages use it to
  // offer only what a person may do; caseworkd checks every call anyway.
  // Read once per method from the contract.
  rolesFor(service, method) {
    const key = `${service}/${method}`;
    if (!this.roles.has(key)) {
      const rpc = this.types.lookupService(`casework.v1.${service}`).methods[method];
      const access = ((rpc && rpc.parsedOptions) || []).find((o) => o['(access)']);
      const roles = (access && access['(access)'].roles) || [];
      this.roles.set(key, roles.map((r) => r.replace(/^ROLE_/, '').toLowerCase()));
    }
    return this.roles.get(key);
  }

  close() {
    for (const client of Object.values(this.services)) client.close();
  }

  // Calls `service`.`method` with `request` as `person` ({agency, user, role,
  // token}); `purpose` for a read of one record's detail. Resolves to the
  // reply; rejects with an ApiError.
  call(service, method, request, person, purpose) {
    const client = this.services[service];
    if (!client || typeof client[method] !== 'function') {
      return Promise.reject(new Error(`no method ${service}.${method} in the contract`));
    }
    const metadata = new grpc.Metadata();
    if (person.token) {
      metadata.set('authorization', `Bearer ${person.token}`);
    } else {
      metadata.set('x-casework-agency', person.agency);
      metadata.set('x-casework-user', person.user);
    }
    metadata.set('x-casework-role', person.role);
    if (purpose) metadata.set('x-casework-purpose', purpose);
    // Where partnerships are spread across instances, the proxy routes on
    // it (docs/scaling.md).
    const partnership = partnershipOf(request);
    if (partnership) metadata.set('x-casework-partnership', partnership);
    metadata.set('x-correlation-id', crypto.randomUUID());
    const deadline = new Date(Date.now() + this.deadlineMs);
    return new Promise((resolve, reject) => {
      client[method](request, metadata, { deadline }, (error, reply) => {
        if (error) reject(new ApiError(error, this.decodeDetails(error)));
        else resolve(reply);
      });
    });
  }

  // Every item of a List method, following next_page_token up to `limit`
  // items; `purpose` for a list of one record's detail (ListAssessments).
  async listAll(service, method, request, person, field, limit = 500, purpose = undefined) {
    const items = [];
    let token = '';
    do {
      const reply = await this.call(service, method, { ...request, page_token: token }, person, purpose);
      items.push(...reply[field]);
      token = reply.next_page_token;
    } while (token && items.length < limit);
    return items.slice(0, limit);
  }

  // The typed details of a refusal: google.rpc.Status from the
  // grpc-status-details-bin trailer.
  decodeDetails(error) {
    const out = {};
    const raw = error.metadata && error.metadata.get('grpc-status-details-bin');
    if (!raw || raw.length === 0) return out;
    let status;
    try {
      status = this.types.lookupType('google.rpc.Status').decode(raw[0]);
    } catch (e) {
      return out;
    }
    for (const any of status.details || []) {
      const message = this.unpack(any);
      if (!message) continue;
      switch (message.type) {
        case 'casework.v1.BadRequest': out.violations = message.value.violations; break;
        case 'casework.v1.ErrorInfo':
          out.reason = message.value.reason;
          out.metadata = message.value.metadata;
          break;
        case 'casework.v1.VersionConflict': out.conflict = message.value; break;
        case 'casework.v1.IllegalTransition': out.transition = message.value; break;
        default: break;
      }
    }
    return out;
  }

  // {type, value} of a google.protobuf.Any (from proto-loader, {type_url,
  // value}), or null when the type is not in the contract.
  unpack(any) {
    if (!any || !any.type_url) return null;
    const type = any.type_url.slice(any.type_url.lastIndexOf('/') + 1);
    let Type;
    try {
      Type = this.types.lookupType(type);
    } catch (e) {
      return null;
    }
    const decoded = Type.decode(any.value);
    return { type, value: Type.toObject(decoded, OBJECT_OPTIONS) };
  }
}

// The reply of `promise`, or null when the person's role may not ask: a
// list a role may not read is simply left off its page.
function ifAllowed(promise) {
  return promise.catch((error) => {
    if (error.codeName === 'PERMISSION_DENIED') return null;
    throw error;
  });
}

module.exports = { Api, ifAllowed };
