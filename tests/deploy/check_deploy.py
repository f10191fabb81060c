#!/usr/bin/env python3
"""The deployment units in deploy/, checked offline against the built binaries.

  check_deploy.py CASEWORKD CASECTL

* the systemd unit passes `systemd-analyze verify` (with its ExecStart
  pointed at the built caseworkd) without a word, and keeps its hardening;
* the sample flag file names every flag caseworkd has, and caseworkd parses it;
* the Kubernetes manifests are consistent: selectors match labels, every
  mount has a volume, probes name real ports, the pod runs as non-root on a
  read-only root, and every caseworkd and casectl flag they pass exists;
* the container file builds with packages the set-up script installs and
  runs as a non-root user.
"""
import os
import re
import subprocess
import sys
import tempfile
import unittest

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEPLOY = os.path.join(ROOT, "deploy")
CASEWORKD = CASECTL = None


def read(*path):
    with open(os.path.join(*path)) as f:
        return f.read()


def caseworkd_flags():
    """Every flag defined in services/caseworkd.cc and caseworkd_offline.cc."""
    found = set()
    for source in ("caseworkd.cc", "caseworkd_offline.cc"):
        found |= set(re.findall(r"ABSL_FLAG\([^,]+,\s*(\w+),", read(ROOT, "services", source)))
    return found


def casectl_options():
    out = subprocess.run([CASECTL, "--help"], capture_output=True, text=True).stdout
    return set(re.findall(r"(--[a-z][a-z-]*)", out))


class SystemdUnit(unittest.TestCase):
    def setUp(self):
        self.unit = read(DEPLOY, "systemd", "caseworkd.service")

    def test_verify_passes_silently(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "caseworkd.service")
            with open(path, "w") as f:
                f.write(self.unit.replace("/usr/local/bin/caseworkd", CASEWORKD))
            ran = subprocess.run(["systemd-analyze", "verify", "--man=no", path],
                                 capture_output=True, text=True)
            self.assertEqual(ran.returncode, 0, ran.stderr)
            self.assertEqual(ran.stdout + ran.stderr, "")

    def test_verify_catches_a_mistake(self):
        # The check above could pass by saying nothing about anything.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "caseworkd.service")
            with open(path, "w") as f:
                f.write(self.unit.replace("/usr/local/bin/caseworkd", CASEWORKD)
                        .replace("NoNewPrivileges=yes", "NoNewPrivileges=maybe"))
            ran = subprocess.run(["systemd-analyze", "verify", "--man=no", path],
                                 capture_output=True, text=True)
            self.assertIn("Failed to parse boolean value", ran.stdout + ran.stderr)

    def test_hardening(self):
        for line in ["DynamicUser=yes", "StateDirectory=casework", "NoNewPrivileges=yes",
                     "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                     "CapabilityBoundingSet=", "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                     "LoadCredential=master.key:/etc/casework/master.key"]:
            self.assertIn("\n" + line + "\n", self.unit)
        for flag in re.findall(r"--(\w+)", self.unit.split("ExecStart=")[1].split("\n#")[0]):
            self.assertIn(flag, caseworkd_flags() | {"flagfile"})


class SampleFlags(unittest.TestCase):
    def test_names_every_flag(self):
        sample = read(DEPLOY, "caseworkd.flags")
        named = set(re.findall(r"^(?:# )?--(\w+)", sample, re.M))
        self.assertEqual(caseworkd_flags() - named, set(), "flags missing from the sample")
        self.assertEqual(named - caseworkd_flags(), set(), "the sample names unknown flags")

    def test_caseworkd_parses_it(self):
        ran = subprocess.run([CASEWORKD, "--flagfile=" + os.path.join(DEPLOY, "caseworkd.flags"),
                              "--version"], capture_output=True, text=True)
        self.assertEqual(ran.returncode, 0, ran.stderr)


class Kubernetes(unittest.TestCase):
    def setUp(self):
        docs = list(yaml.safe_load_all(read(DEPLOY, "kubernetes", "casework.yaml")))
        self.by_kind = {d["kind"]: d for d in docs}
        self.assertEqual(sorted(self.by_kind), ["PodDisruptionBudget", "Service", "StatefulSet"])
        for d in docs:
            self.assertIn("apiVersion", d)
            self.assertTrue(d["metadata"]["name"])
        self.sts = self.by_kind["StatefulSet"]
        self.pod = self.sts["spec"]["template"]
        self.container = self.pod["spec"]["containers"][0]

    def test_selectors_match_the_pod(self):
        labels = self.pod["metadata"]["labels"]
        self.assertEqual(self.sts["spec"]["selector"]["matchLabels"], labels)
        self.assertEqual(self.by_kind["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"],
                         labels)
        service = self.by_kind["Service"]
        self.assertEqual(service["spec"]["selector"], labels)
        self.assertEqual(self.sts["spec"]["serviceName"], service["metadata"]["name"])
        self.assertEqual(self.sts["spec"]["replicas"], 1)  # one writer per data directory

    def test_ports_mounts_and_probes(self):
        ports = {p["name"] for p in self.container["ports"]}
        for p in self.by_kind["Service"]["spec"]["ports"]:
            self.assertIn(p["targetPort"], ports)
        volumes = {v["name"] for v in self.pod["spec"]["volumes"]}
        volumes |= {c["metadata"]["name"] for c in self.sts["spec"]["volumeClaimTemplates"]}
        for m in self.container["volumeMounts"]:
            self.assertIn(m["name"], volumes)
        for probe in ["startupProbe", "livenessProbe", "readinessProbe"]:
            self.assertIn(probe, self.container)
            socket = self.container[probe].get("tcpSocket")
            if socket:
                self.assertIn(socket["port"], ports)
        command = self.container["readinessProbe"]["exec"]["command"]
        self.assertEqual(command[0], "/usr/local/bin/casectl")
        self.assertEqual(command[-1], "health")
        for option in command[1:-1]:
            self.assertIn(option.split("=")[0], casectl_options())

    def test_runs_as_non_root_on_a_read_only_root(self):
        security = self.pod["spec"]["securityContext"]
        self.assertTrue(security["runAsNonRoot"])
        self.assertNotEqual(security["runAsUser"], 0)
        self.assertTrue(self.container["securityContext"]["readOnlyRootFilesystem"])
        self.assertFalse(self.container["securityContext"]["allowPrivilegeEscalation"])

    def test_every_flag_exists(self):
        for arg in self.container["args"]:
            self.assertIn(re.match(r"--(\w+)=", arg).group(1), caseworkd_flags())


class Container(unittest.TestCase):
    def setUp(self):
        self.text = read(DEPLOY, "Containerfile")

    def test_runs_as_non_root(self):
        final = self.text.split("\nFROM ")[-1]
        user = re.search(r"^USER (\S+)", final, re.M)
        self.assertIsNotNone(user)
        self.assertNotIn(user.group(1).split(":")[0], ("0", "root"))

    def test_builds_from_debian_12_with_the_set_up_packages(self):
        self.assertRegex(self.text, r"(?m)^FROM debian:12 AS build$")
        build = self.text.split("\nFROM ")[1]
        setup = read(DEPLOY, "casework.sh")
        for package in re.findall(r"(?<![\w.-])([a-z0-9][a-z0-9+.-]*-dev)\b", build):
            self.assertRegex(setup, r"\b" + re.escape(package) + r"\b")
        entry = re.search(r"ENTRYPOINT \[(.*?)\]", self.text, re.S).group(1)
        for flag in re.findall(r"--(\w+)", entry):
            self.assertIn(flag, caseworkd_flags() | {"flagfile"})


if __name__ == "__main__":
    CASEWORKD, CASECTL = sys.argv[1], sys.argv[2]
    unittest.main(argv=sys.argv[:1], verbosity=2)
