#!/usr/bin/env python3
"""A police force's integration with caseworkd, over the public gRPC API.

What a force's ASB system does: it pushes complaints (and retries them), opens
a case review that an officer advances, reads why a command was refused, and
follows the event feed, resuming from a checkpoint after a disconnection.
Stubs are generated from proto/ with protoc and grpc_python_plugin; a real
caseworkd (demo partnership "eastbrook") runs on a free loopback port with a
temporary data directory. From the repository root (ctest: python_client_test):

    CASEWORKD=build/services/caseworkd CASEWORK_PROTO_DIR=proto \\
        python3 tests/clients/python/casework_journey_test.py

Needs Debian's python3-grpcio and python3-protobuf, protoc, grpc_python_plugin.
"""
import datetime
import importlib
import os
import pathlib
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import zoneinfo

try:
    import grpc
except ImportError:
    sys.exit(f"{sys.executable} has no grpc module: run this test with a Python 3 that has "
             "Debian's python3-grpcio and python3-protobuf")

PARTNERSHIP = "partnerships/eastbrook"
# The force's ASB system, calling as itself, and one of its officers.
INTEGRATION = (("x-casework-agency", "shire-police"), ("x-casework-user", "sentinel-bridge"),
               ("x-casework-role", "integration"))
CASEWORKER = (("x-casework-agency", "shire-police"), ("x-casework-user", "asb-officer-hartley"),
              ("x-casework-role", "caseworker"),
              ("x-casework-purpose", "Progressing the victim's case review"))
TIMEOUT = 20  # seconds, for every call and every wait

pb = None  # the generated modules, by short name (see generate_stubs)


def generate_stubs(proto_dir, out_dir):
    """Compiles the public contract into out_dir and imports it."""
    proto_dir = pathlib.Path(proto_dir)
    protos = sorted(str(p.relative_to(proto_dir)) for folder in ("casework/v1", "google")
                    for p in (proto_dir / folder).rglob("*.proto"))
    subprocess.run(["protoc", f"-I{proto_dir}", f"--python_out={out_dir}", f"--grpc_out={out_dir}",
                    f"--plugin=protoc-gen-grpc={shutil.which('grpc_python_plugin')}", *protos],
                   check=True)
    sys.path.insert(0, out_dir)
    importlib.invalidate_caches()
    modules = {n: importlib.import_module(f"casework.v1.{n}_pb2")
               for n in ("common", "policy", "complaints", "case_reviews", "errors", "events")}
    modules.update({f"{n}_grpc": importlib.import_module(f"casework.v1.{n}_pb2_grpc")
                    for n in ("complaints", "case_reviews", "events")})
    modules["status"] = importlib.import_module("google.rpc.status_pb2")
    return type("Generated", (), modules)


class Caseworkd:
    """A caseworkd on a free loopback port with a temporary data directory."""

    def __init__(self, binary):
        self.data_dir = tempfile.mkdtemp(prefix="casework-python-test-")
        try:
            self.process = subprocess.Popen(
                [binary, f"--data_dir={self.data_dir}", "--listen=127.0.0.1:0",
                 "--request_log=false", "--demo"], stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        except OSError:
            shutil.rmtree(self.data_dir)
            raise
        self.log, self._lines = [], queue.Queue()
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        try:
            self.address = f"127.0.0.1:{self._wait_until_ready()}"
        except Exception:
            self.stop()
            raise

    def _drain_stderr(self):
        for line in self.process.stderr:
            self.log.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def _wait_until_ready(self):
        deadline, port, loaded = time.monotonic() + 60, None, False
        while port is None or not loaded:
            try:
                line = self._lines.get(timeout=max(0, deadline - time.monotonic()))
            except queue.Empty:
                raise RuntimeError("caseworkd was not ready within 60s:\n" + "".join(self.log))
            if line is None:
                raise RuntimeError(f"caseworkd exited {self.process.wait()}:\n" + "".join(self.log))
            serving = re.search(r"serving on \S+ \(port (\d+)\)", line)
            port = int(serving[1]) if serving else port
            loaded = loaded or "demo partnership 'eastbrook' loaded" in line
            if re.search(r"cannot start|failed", line):
                raise RuntimeError("caseworkd did not start:\n" + "".join(self.log))
        return port

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise RuntimeError("caseworkd did not stop within 60s of SIGTERM")
        finally:
            shutil.rmtree(self.data_dir, ignore_errors=True)


def civil_date(day):
    return pb.common.CivilDate(year=day.year, month=day.month, day=day.day)


def complaint_request(complainant, source_reference, days_ago):
    """A complaint to the force about its own incident, reported the day after."""
    today = datetime.datetime.now(zoneinfo.ZoneInfo("Europe/London")).date()
    behaviour = today - datetime.timedelta(days=days_ago)
    return pb.complaints.RecordComplaintRequest(
        parent=PARTNERSHIP, request_id=f"rq-{source_reference}",
        complaint=pb.complaints.Complaint(
            complainant_reference=complainant, agency="shire-police", agency_kind=pb.policy.POLICE,
            source_system="sentinel", source_reference=source_reference,
            incident_reference=f"INC-{source_reference}", behaviour_date=civil_date(behaviour),
            reported_date=civil_date(behaviour + datetime.timedelta(days=1)),
            category=pb.complaints.NUISANCE, locality="mill-lane",
            summary="Loud music and shouting late at night"))


def unpack(status, message_class):
    """The one detail of type message_class in a google.rpc.Status."""
    found = [d for d in status.details if d.Is(message_class.DESCRIPTOR)]
    assert len(found) == 1, f"expected one {message_class.DESCRIPTOR.full_name} in {status}"
    return message_class.FromString(found[0].value)


def in_partnership(event):
    return event.stream.startswith(PARTNERSHIP + "/")


def described(events):
    """What a failure shows of events: position, stream, version, payload type."""
    return [(e.global_position, e.stream, e.stream_version, e.payload.type_url.rsplit(".", 1)[-1])
            for e in events]


class CaseworkJourneyTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        global pb
        for variable in ("CASEWORKD", "CASEWORK_PROTO_DIR"):
            if not os.environ.get(variable):
                raise RuntimeError(f"set {variable} (see the docstring of this file)")
        stub_dir = tempfile.mkdtemp(prefix="casework-python-stubs-")
        cls.addClassCleanup(shutil.rmtree, stub_dir, ignore_errors=True)
        pb = generate_stubs(os.environ["CASEWORK_PROTO_DIR"], stub_dir)
        cls.server = Caseworkd(os.environ["CASEWORKD"])
        cls.addClassCleanup(cls.server.stop)
        # The retry and deadline guidance every client should load.
        service_config = pathlib.Path(os.environ["CASEWORK_PROTO_DIR"],
                                      "casework/v1/service_config.json").read_text()
        cls.channel = grpc.insecure_channel(
            cls.server.address, options=[("grpc.service_config", service_config),
                                         ("grpc.enable_retries", 1)])
        cls.addClassCleanup(cls.channel.close)
        cls.complaints = pb.complaints_grpc.ComplaintServiceStub(cls.channel)
        cls.reviews = pb.case_reviews_grpc.CaseReviewServiceStub(cls.channel)
        cls.events = pb.events_grpc.EventServiceStub(cls.channel)

    def call(self, method, request, identity=INTEGRATION):
        """A unary call that must succeed: (reply, trailing metadata as a dict)."""
        try:
            reply, call = method.with_call(request, metadata=identity, timeout=TIMEOUT)
        except grpc.RpcError as error:
            raise self.failureException(f"{type(request).__name__} refused: {error.code()} "
                                        f"{error.details()}") from None
        return reply, dict(call.trailing_metadata() or ())

    def refused(self, method, request, code, identity=INTEGRATION):
        """A unary call that must fail with `code`: its google.rpc.Status."""
        with self.assertRaises(grpc.RpcError, msg=f"{type(request).__name__} accepted") as caught:
            method(request, metadata=identity, timeout=TIMEOUT)
        self.assertEqual(caught.exception.code(), code, caught.exception.details())
        trailers = dict(caught.exception.trailing_metadata() or ())
        self.assertIn("grpc-status-details-bin", trailers, "no google.rpc.Status in the trailer")
        status = pb.status.Status.FromString(trailers["grpc-status-details-bin"])
        self.assertEqual(status.code, code.value[0])
        return status

    def record(self, request):
        return self.call(self.complaints.RecordComplaint, request)[0]

    # ---- a. complaints, and a retry answered from the record ----
    def test_a_retried_complaint_is_answered_from_the_record(self):
        first_request = complaint_request("cmp-py-1001", "SEN-PY-1001", days_ago=20)
        first, trailers = self.call(self.complaints.RecordComplaint, first_request)
        self.assertNotIn("x-casework-replayed", trailers)
        self.assertRegex(first.complaint.name, r"^partnerships/eastbrook/complaints/\d+$")
        self.assertEqual((first.duplicate, first.commit.stream), (False, first.complaint.name))
        self.assertEqual((first.commit.first_version, first.complaint.version),
                         (1, first.commit.last_version))
        self.assertEqual((first.complaint.recorded_by_agency, len(first.complaint.notices)),
                         ("shire-police", 0))
        second = self.record(complaint_request("cmp-py-1001", "SEN-PY-1002", days_ago=10))
        self.assertEqual([n.kind for n in second.complaint.notices],
                         [pb.complaints.Notice.EXPLAIN_CASE_REVIEW])

        # The network dropped the reply: the system sends the same request again.
        retry, trailers = self.call(self.complaints.RecordComplaint, first_request)
        self.assertEqual(retry, first, "a retry must get the very same reply (and CommitInfo)")
        self.assertEqual(trailers.get("x-casework-replayed"), "true")

        # The same complaint under a new request_id is recognised by its source.
        again = complaint_request("cmp-py-1001", "SEN-PY-1001", days_ago=20)
        again.request_id = "rq-SEN-PY-1001-resent"
        resent = self.record(again)
        self.assertEqual((resent.duplicate, resent.complaint.name), (True, first.complaint.name))

        listed, _ = self.call(self.complaints.ListComplaints, pb.complaints.ListComplaintsRequest(
            parent=PARTNERSHIP, complainant_reference="cmp-py-1001"))
        self.assertEqual([c.name for c in listed.complaints],
                         [first.complaint.name, second.complaint.name])
        self.assertEqual(listed.next_page_token, "")

    # ---- b. a case review, opened by the system and advanced by an officer ----
    def read_review(self, name):
        """The case review as an officer sees it (with next_steps)."""
        request = pb.case_reviews.GetCaseReviewRequest(name=name)
        return self.call(self.reviews.GetCaseReview, request, CASEWORKER)[0]

    def command(self, name, request_id, expected_version):
        return pb.case_reviews.CaseReviewCommand(name=name, request_id=request_id,
                                                 expected_version=expected_version)

    def test_b_case_review_is_opened_and_advanced_with_its_version(self):
        complaints = [self.record(complaint_request("cmp-py-2001", f"SEN-PY-20{i}", days_ago))
                      for i, days_ago in ((1, 40), (2, 25), (3, 10))]
        application = pb.case_reviews.ReceiveApplicationRequest(
            parent=PARTNERSHIP, request_id="rq-review-cmp-py-2001",
            applicant=pb.case_reviews.Applicant(
                kind=pb.case_reviews.Applicant.INDIVIDUAL, complainant_reference="cmp-py-2001",
                locality="mill-lane", category=pb.complaints.NUISANCE),
            description="Months of loud music and threats from the flat above")
        opened, _ = self.call(self.reviews.ReceiveApplication, application)
        name = opened.case_review.name
        self.assertRegex(name, r"^partnerships/eastbrook/caseReviews/\d+$")
        self.assertEqual(opened.case_review.state, pb.case_reviews.CaseReview.RECEIVED)
        self.assertEqual(opened.case_review.receiving_agency, "shire-police")
        self.assertEqual((opened.commit.stream, opened.commit.first_version), (name, 1))
        self.assertEqual(opened.case_review.version, opened.commit.last_version)

        read = self.read_review(name)
        self.assertEqual(read.version, opened.case_review.version)
        self.assertEqual(list(read.next_steps),
                         ["AcknowledgeApplication", "EvaluateThreshold", "WithdrawApplication"])
        acknowledged, _ = self.call(self.reviews.AcknowledgeApplication,
                                    self.command(name, "rq-ack-2001", read.version), CASEWORKER)
        self.assertEqual(acknowledged.commit.first_version, read.version + 1)
        version = acknowledged.case_review.version
        self.assertEqual(version, acknowledged.commit.last_version)

        # A decision taken on what the officer read before is refused.
        stale = self.refused(self.reviews.EvaluateThreshold,
                             self.command(name, "rq-eval-stale-2001", read.version),
                             grpc.StatusCode.ABORTED, CASEWORKER)
        conflict = unpack(stale, pb.errors.VersionConflict)
        self.assertEqual((conflict.stream, conflict.expected_version, conflict.actual_version),
                         (name, read.version, version))

        evaluated, _ = self.call(self.reviews.EvaluateThreshold,
                                 self.command(name, "rq-eval-2001", version), CASEWORKER)
        threshold = evaluated.case_review.threshold
        self.assertEqual(evaluated.case_review.state, pb.case_reviews.CaseReview.THRESHOLD_MET)
        self.assertEqual(threshold.deciding_rule, "R1_COMPLAINTS")
        self.assertEqual([(c.complaint, c.counted, c.rule) for c in threshold.considered],
                         [(c.complaint.name, True, "R1") for c in complaints])
        read = self.read_review(name)
        self.assertEqual(read.version, evaluated.commit.last_version)
        self.assertEqual(list(read.next_steps),
                         ["NotifyApplicant", "AssignLeadOfficer", "WithdrawApplication"])

    # ---- c. a refusal the system can act on ----
    def test_c_bad_request_names_the_field_and_rule(self):
        request = complaint_request("cmp-py-3001", "SEN-PY-3001", days_ago=5)
        request.complaint.hate_related = True  # but no hate_strand
        status = self.refused(self.complaints.RecordComplaint, request,
                              grpc.StatusCode.INVALID_ARGUMENT)
        violations = unpack(status, pb.errors.BadRequest).violations
        self.assertEqual([(v.field, v.rule) for v in violations],
                         [("complaint.hate_strand", "required")])

        # A person's detail read must state its purpose.
        read = pb.complaints.GetComplaintRequest(name=f"{PARTNERSHIP}/complaints/1")
        status = self.refused(self.complaints.GetComplaint, read,
                              grpc.StatusCode.INVALID_ARGUMENT, identity=CASEWORKER[:3])
        violations = unpack(status, pb.errors.BadRequest).violations
        self.assertEqual([(v.field, v.rule) for v in violations],
                         [("x-casework-purpose", "required")])

    # ---- d. the event feed, resumed from checkpoints ----
    def subscribe(self, after_position, interval=5):
        """Follows the feed until caught up: (events, checkpoints); then disconnects."""
        events, checkpoints = [], []
        call = self.events.Subscribe(pb.events.SubscribeRequest(
            after_position=after_position, partnership=PARTNERSHIP, checkpoint_interval=interval),
            metadata=INTEGRATION, timeout=TIMEOUT)
        try:
            for item in call:
                if item.HasField("event"):
                    events.append(item.event)
                    continue
                checkpoints.append(item.checkpoint)
                if item.checkpoint.position == item.checkpoint.head_position:
                    return events, checkpoints
            self.fail("the feed ended before it caught up")
        except grpc.RpcError as error:
            raise self.failureException(
                f"Subscribe after {after_position}: {error.code()} {error.details()}; "
                f"{len(events)} events, last checkpoint {checkpoints[-1:]}") from None
        finally:
            call.cancel()

    def read_log(self, after_position, up_to):
        """The partnership's events in (after_position, up_to], paged from ReadLog."""
        events, token = [], ""
        request = pb.events.ReadLogRequest(from_position=after_position + 1, page_size=7)
        for _ in range(1000):
            request.page_token = token
            page, _ = self.call(self.events.ReadLog, request)
            events += [e for e in page.events if e.global_position <= up_to]
            token = page.next_page_token
            if not page.events or page.events[-1].global_position >= up_to:
                return [e for e in events if in_partnership(e)]
        self.fail("ReadLog did not reach the position")

    def assert_same_events(self, got, want, what):
        self.assertEqual(described(got), described(want), what)
        # Whole envelopes, byte for byte (the payloads' types need not be loaded).
        self.assertEqual([e.SerializeToString(deterministic=True) for e in got],
                         [e.SerializeToString(deterministic=True) for e in want], what)

    def assert_feed_shape(self, after_position, events, checkpoints, interval=5):
        positions = [e.global_position for e in events]
        self.assertEqual(positions, sorted(set(positions)), "events out of order or repeated")
        self.assertEqual([e for e in events if e.global_position <= after_position
                          or not in_partnership(e)], [], "events before the position or elsewhere")
        previous = after_position
        for checkpoint in checkpoints:
            self.assertGreaterEqual(checkpoint.position, previous, "checkpoints went back")
            self.assertLessEqual(checkpoint.position - previous, interval,
                                 f"no checkpoint between {previous} and {checkpoint.position}")
            previous = checkpoint.position
        self.assertTrue(all(p <= previous for p in positions), "events after the last checkpoint")

    def test_d_event_feed_resumes_from_a_checkpoint_without_gaps(self):
        events, checkpoints = self.subscribe(after_position=0)
        self.assert_feed_shape(0, events, checkpoints)
        head = checkpoints[-1].position
        self.assert_same_events(events, self.read_log(0, head), "the feed differs from the log")
        self.assertGreaterEqual(len(checkpoints), 3, "too few checkpoints to resume from one")

        new = [self.record(complaint_request("cmp-py-4001", f"SEN-PY-400{i}", days_ago))
               for i, days_ago in ((1, 30), (2, 20), (3, 10))]
        self.assertTrue(all(r.commit.first_position > head for r in new))

        # Resume from a checkpoint in the middle, as after a dropped connection.
        resume_at = checkpoints[len(checkpoints) // 2].position
        self.assertLess(resume_at, head)
        resumed, later = self.subscribe(after_position=resume_at)
        self.assert_feed_shape(resume_at, resumed, later)
        now = later[-1].position
        self.assertGreaterEqual(now, new[-1].commit.last_position)
        self.assert_same_events(resumed, self.read_log(resume_at, now),
                                f"events after checkpoint {resume_at} differ from the log")
        self.assert_same_events([e for e in resumed if e.global_position <= head],
                                [e for e in events if e.global_position > resume_at],
                                "the resumed feed repeats the first one differently")

        # From the last checkpoint: exactly what the new complaints wrote.
        since, _ = self.subscribe(after_position=head)
        first, second, third = (r.commit for r in new)
        self.assertEqual(described(since), [
            (first.first_position, first.stream, 1, "ComplaintRecorded"),
            (second.first_position, second.stream, 1, "ComplaintRecorded"),
            (second.last_position, second.stream, 2, "NoticeRaised"),
            (third.first_position, third.stream, 1, "ComplaintRecorded"),
            (third.last_position, third.stream, 2, "NoticeRaised")])


if __name__ == "__main__":
    unittest.main(verbosity=2)
