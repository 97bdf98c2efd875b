#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""PAM unlock benchmark: pam_authenticate() through pam_cpslock.so → cpslockd → cpslockd-worker,
against `pkcs11-tool` doing login + sign alone on the same simulated card, in the same run; then
cpslockd at rest: wake-ups (context switches) over an idle window and its resident memory.

The card is cpslock-cardsim's CPS3 answering as an IAS-ECC CPx in the virtual reader, read by OpenSC
in its default configuration (its iasecc driver), holding the test PKI's valid CPS certificate. Both sides pay a process start and OpenSC's start-up;
the difference is what the module, cpslockd and its worker add: the socket hops, spawning the worker,
the policy, the reader scan, the chain, CRL and identity checks. Target: <= 10 ms beyond the token's
own work.

usage: bench/pam/bench.py [--runs 20] [--idle-seconds 30]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import rig as rigmod  # noqa: E402
from test_pam import MODULE, PIN, PamService  # noqa: E402
from rig import Cpslockd, card_files, card_serial, rig_policy_dropin  # noqa: E402
from test_pam_rig import MAPPED_IDNAT  # noqa: E402

OPENSC = "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so"
PROBE = os.path.join(rigmod.BUILD_DIR, "bench", "pam", "cpslock-bench-pam")


def stats(values):
    return "median %7.2f ms  min %7.2f  max %7.2f" % (statistics.median(values), min(values), max(values))


def pam_runs(service, runs):
    out = subprocess.run([PROBE, "cpslock-test", "alice", PIN, str(runs)], env=service.env, check=True,
                         capture_output=True, text=True, timeout=600).stdout
    values = []
    for line in out.splitlines():
        fields = dict(f.split("=") for f in line.split())
        if fields["rc"] != "0":
            raise SystemExit("pam_authenticate failed (rc=%s): the benchmark needs a working card" % fields["rc"])
        values.append(float(fields["pam_ms"]))
    return values


def pkcs11_tool(env, work):
    data = os.path.join(work, "data")
    with open(data, "wb") as f:
        f.write(os.urandom(32))
    t0 = time.perf_counter()
    subprocess.run(["pkcs11-tool", "--module", OPENSC, "--login", "--pin", PIN, "--sign", "--mechanism",
                    "RSA-PKCS", "--id", "02", "--input-file", data, "--output-file",
                    os.path.join(work, "sig")], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    return (time.perf_counter() - t0) * 1000.0


def context_switches(pid):
    total = 0
    for tid in os.listdir("/proc/%d/task" % pid):
        with open("/proc/%d/task/%s/status" % (pid, tid)) as f:
            for line in f:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    total += int(line.split()[1])
    return total


def daemon_at_rest(pid, seconds):
    """Context switches of every thread of cpslockd over an idle window, and its VmRSS in kB."""
    time.sleep(1.0)  # the last connection's thread ends
    before = context_switches(pid)
    time.sleep(seconds)
    after = context_switches(pid)
    with open("/proc/%d/status" % pid) as f:
        rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS"))
    return after - before, rss


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--idle-seconds", type=float, default=30.0)
    a = ap.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("pam_latency: needs root (the reader rig)")
    rig = rigmod.Rig().start()
    work = tempfile.mkdtemp(prefix="cpslock-pam-bench-")
    os.chmod(work, 0o755)
    policy = rigmod.PolicyDir('[accounts.holders]\n"%s" = "alice"\n' % MAPPED_IDNAT)
    daemon = None
    try:
        rig.insert_default_cps("valid-cps", 0, PIN, None, "--pin-tries", "15")
        rig_policy_dropin(policy, rig.env)
        daemon = Cpslockd(policy=policy.path).start()
        service = PamService.only("socket=%s" % daemon.socket, rig.env)
        service.env.pop("PAM_WRAPPER_DEBUGLEVEL")
        pam_runs(service, 2)  # warm-up: page cache, pcscd's first connection
        pkcs11_tool(rig.env, work)
        ours, peer = [], []
        for _ in range(a.runs):  # interleaved, so drifts of the rig hit both sides alike
            ours += pam_runs(service, 1)
            peer.append(pkcs11_tool(rig.env, work))
        overhead = statistics.median(ours) - statistics.median(peer)
        print("PAM unlock, %d runs each (virtual reader, OpenSC iasecc driver, simulated CPS3 CPx)" % a.runs)
        print("  pam_authenticate (module+cpslockd+worker): %s" % stats(ours))
        print("  pkcs11-tool login + sign, process        : %s" % stats(peer))
        print("  overhead of the cpslock path             : %7.2f ms  (target <= 10 ms)" % overhead)
        print("  (the worker also checks the chain, the CRLs, the deny-list, the holder, and asks pcscd at the end whether the card never left)")
        service.remove()
        switches, rss = daemon_at_rest(daemon.proc.pid, a.idle_seconds)
        print("cpslockd at rest, %.0f s: %d wake-ups (context switches, all threads), RSS %.1f MB"
              % (a.idle_seconds, switches, rss / 1024.0))
    finally:
        if daemon:
            daemon.stop()
        policy.remove()
        rig.stop()
        subprocess.run(["rm", "-rf", work])
    return 0


if __name__ == "__main__":
    sys.exit(main())
