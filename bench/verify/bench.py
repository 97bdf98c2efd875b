#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Card verification benchmark: CardVerifier's steps (module load, login, signature, chain, identity)
against `pkcs11-tool` doing the same login + sign, in the same run, on the same token.

1. SoftHSM2 token holding the test PKI's valid CPS card: N runs of each, as separate processes (both
   pay process start and module load), plus the in-process step breakdown.
2. OpenSC in its default configuration (its iasecc driver) + the simulated CPS3 (IAS-ECC CPx) on the
   reader rig: `cpslock verify` (whole process, its own step timings) against `pkcs11-tool` login +
   CKM_RSA_PKCS sign on the same card, interleaved.

Both peers sign what cpslock signs: CKM_RSA_PKCS over a SHA-256 DigestInfo (the only mechanism both CPS
middlewares allow on the authentication key).

usage: bench/verify/bench.py [--runs 30]
"""
import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
import rig as rigmod  # noqa: E402

SOFTHSM = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_SCRIPT = os.path.join(rigmod.SOURCE_DIR, "tests", "data", "softhsm-token.sh")
PKI_SCRIPT = os.path.join(rigmod.SOURCE_DIR, "tests", "data", "make-test-pki.sh")
BENCH = os.path.join(rigmod.BUILD_DIR, "bench", "verify", "cpslock-bench-verify")


def timed(argv, **kw):
    t0 = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    return (time.perf_counter() - t0) * 1000.0


def stats(values):
    return "median %7.2f ms  min %7.2f  max %7.2f" % (statistics.median(values), min(values), max(values))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=30)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="cpslock-verify-bench-")
    try:
        pki = os.path.join(work, "pki")
        subprocess.run(["bash", PKI_SCRIPT, pki], check=True, stdout=subprocess.DEVNULL)
        os.chmod(work, 0o755)
        rigmod.TESTPKI = pki  # PolicyDir and the default CPS card use this run's PKI
        policy = rigmod.PolicyDir()  # anchors, CRLs, deny-list and the test PKI's card-issuer pins
        out = subprocess.run(["bash", TOKEN_SCRIPT, "token", work, "bench", "1234"], check=True,
                             capture_output=True, text=True).stdout
        info = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
        subprocess.run(["bash", TOKEN_SCRIPT, "import", work, "bench", "1234", os.path.join(pki, "keys", "valid-cps.p8.der"),
                        os.path.join(pki, "cards", "valid-cps.der"), "01", "CPS_PRIV_AUT",
                        "Certificat d'Authentification CPS"], check=True, stdout=subprocess.DEVNULL)
        env = dict(os.environ, SOFTHSM2_CONF=os.path.join(work, "softhsm2.conf"))
        nonce = digest_info_file(work)
        args = [BENCH, SOFTHSM, info["slot_description"], rigmod.card_serial("valid-cps"), policy.path]

        ours, peer = [], []
        for _ in range(a.runs):  # interleaved, so both see the same machine load
            ours.append(timed(args + ["1"], input=b"1234\n", env=env))
            peer.append(timed(["pkcs11-tool", "--module", SOFTHSM, "--token-label", "bench", "--login", "--pin", "1234",
                               "--sign", "--mechanism", "RSA-PKCS", "--id", "01", "--input-file", nonce,
                               "--output-file", os.path.join(work, "sig")], env=env))
        steps = {}
        breakdown = subprocess.run(args + [str(a.runs)], input="1234\n", env=env, capture_output=True, text=True,
                                   check=True).stdout
        for line in breakdown.splitlines():
            for field in line.split():
                k, v = field.split("=")
                steps.setdefault(k, []).append(float(v))

        print("Card verification on a SoftHSM2 token (RSA-2048, test PKI), %d runs each, same run" % a.runs)
        print("  cpslock verification, whole process : %s" % stats(ours))
        print("  pkcs11-tool login + sign, process   : %s" % stats(peer))
        print("  ratio of medians (ours / peer)      : %.2f   (target <= 1.2)" % (statistics.median(ours) / statistics.median(peer)))
        print("  in-process breakdown (medians):")
        for k in ("total_ms", "module", "login", "signature", "chain", "identity"):
            if k in steps:
                print("    %-10s %8.3f ms" % (k, statistics.median(steps[k])))
        print("  (ours also checks the signature, the chain, the CRLs and the identity; pkcs11-tool only signs)")
        opensc(a.runs, pki, policy, work)
        policy.remove()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def digest_info_file(work):
    """A 51-byte SHA-256 DigestInfo of a random challenge: what cpslock gives CKM_RSA_PKCS."""
    path = os.path.join(work, "digestinfo")
    with open(path, "wb") as f:
        f.write(bytes.fromhex("3031300d060960864801650304020105000420") + hashlib.sha256(os.urandom(32)).digest())
    return path


def opensc(runs, pki, policy_dir, work):
    module = rigmod.OPENSC_MODULE
    rig = rigmod.Rig().start()
    try:
        policy_dir.write('[pkcs11]\nmodules = ["%s"]\n' % module)
        policy = policy_dir.path
        rig.insert_default_cps("valid-cps", 0, "1234")
        nonce = digest_info_file(work)
        ours, peer, steps = [], [], {}
        for _ in range(runs):
            t0 = time.perf_counter()
            r = subprocess.run([rigmod.CPSLOCK, "verify", "--json", "--policy", policy], input="1234\n", text=True,
                               env=rig.env, capture_output=True)
            ours.append((time.perf_counter() - t0) * 1000.0)
            out = json.loads(r.stdout)
            assert out["result"] == "ok", out
            for k, v in out["timings_ms"].items():
                steps.setdefault(k, []).append(v)
            peer.append(timed(["pkcs11-tool", "--module", module, "--slot-description", "Virtual PCD 00 00", "--login",
                               "--pin", "1234", "--sign", "--mechanism", "RSA-PKCS", "--id", "02",
                               "--input-file", nonce, "--output-file", os.path.join(work, "sig")], env=rig.env))
        print()
        print("Card verification through OpenSC's iasecc driver (default configuration) on the simulated CPS3")
        print("IAS-ECC CPx (pcscd + vpcd), CKM_RSA_PKCS over a SHA-256 DigestInfo, %d runs each" % runs)
        print("  cpslock verify, whole process       : %s" % stats(ours))
        print("  pkcs11-tool login + sign, process   : %s" % stats(peer))
        print("  ratio of medians (ours / peer)      : %.2f   (target <= 1.2)" % (statistics.median(ours) / statistics.median(peer)))
        print("  cpslock verify steps (medians):")
        for k in ("module", "login", "signature", "chain", "identity"):
            if k in steps:
                print("    %-10s %8.3f ms" % (k, statistics.median(steps[k])))
        print("  (cpslock verify also reads EF.SN.ICC through pcscd first, and asks pcscd at the end whether the")
        print("   card never left; 'module' is what is left of OpenSC's start once the card was read: the library")
        print("   is mapped meanwhile; pkcs11-tool is told the slot)")
    finally:
        rig.stop()


if __name__ == "__main__":
    main()
