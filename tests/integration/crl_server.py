# SPDX-License-Identifier: EUPL-1.2
"""A local CRL publication point for `cpslock crl update` tests: this process moves into its own
network and mount namespaces (loopback only, a private /etc/hosts naming the test PKI's CRL host), so
the URLs written in the test certificates (http://igc-sante.test.invalid/CRL/...) reach an
http.server on 127.0.0.1:80 of this namespace and nothing else; and CRLs issued on demand by the test
PKI's CAs (tests/data/make-test-pki.sh keeps their keys in ca/)."""
import ctypes
import datetime
import http.server
import os
import subprocess
import tempfile
import threading
import time

from rig import TESTPKI

CRL_HOST = "igc-sante.test.invalid"
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
_isolated = False


def isolate():
    """Once per process: private network (lo up) and mount namespaces, /etc/hosts naming CRL_HOST."""
    global _isolated
    if _isolated:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWNET | CLONE_NEWNS) != 0:
        raise OSError(ctypes.get_errno(), "unshare (the CRL tests need root)")
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    hosts = tempfile.NamedTemporaryFile("w", prefix="crl-hosts-", delete=False)
    hosts.write("127.0.0.1 localhost %s\n" % CRL_HOST)
    hosts.close()
    os.chmod(hosts.name, 0o644)
    subprocess.run(["mount", "--bind", hosts.name, "/etc/hosts"], check=True)
    os.unlink(hosts.name)  # the bind mount keeps the file itself
    _isolated = True


def utc(delta_hours=0.0):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=delta_hours)
    return t.strftime("%Y%m%d%H%M%SZ")


def serial_of(card):
    out = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", os.path.join(TESTPKI, "cards", card + ".der"),
                          "-noout", "-serial"], capture_output=True, text=True, check=True).stdout
    return out.strip().split("=", 1)[1]


def make_crl(ca, last_hours=-1.0, next_hours=24 * 30.0, number=1, revoked=(), pem=False):
    """DER (or PEM) CRL of test CA `ca` (root, inter, root_st, inter_st, root_el, inter_el): thisUpdate
    `last_hours` from now, nextUpdate `next_hours` from now, cRLNumber `number`, revoking the test
    PKI's cards named in `revoked`."""
    with tempfile.TemporaryDirectory(prefix="crl-ca-") as d:
        with open(os.path.join(d, "index.txt"), "w") as f:
            for card in revoked:
                f.write("R\t290101000000Z\t%s\t%s\tunknown\t/CN=%s\n" % (utc(-2)[2:], serial_of(card), card))
        with open(os.path.join(d, "crlnumber"), "w") as f:
            f.write("%02X\n" % number)
        with open(os.path.join(d, "ca.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca = x\n[x]\ndatabase = %s/index.txt\ncrlnumber = %s/crlnumber\n"
                    "default_md = sha256\n" % (d, d))
        out = os.path.join(d, "crl.pem")
        subprocess.run(["openssl", "ca", "-config", os.path.join(d, "ca.cnf"), "-gencrl",
                        "-cert", os.path.join(TESTPKI, "ca", ca + ".pem"), "-keyfile", os.path.join(TESTPKI, "ca", ca + ".key"),
                        "-crl_lastupdate", utc(last_hours), "-crl_nextupdate", utc(next_hours), "-out", out],
                       check=True, capture_output=True)
        if pem:
            with open(out, "rb") as f:
                return f.read()
        return subprocess.run(["openssl", "crl", "-in", out, "-outform", "DER"], capture_output=True,
                              check=True).stdout


class Route:
    """What the server answers for one path: `body` with `status`, after `delay` seconds; `stream`
    bytes of filler instead (with or without Content-Length); or a redirect to `location`."""

    def __init__(self, body=b"", status=200, delay=0.0, stream=0, length=True, location=None):
        self.body, self.status, self.delay = body, status, delay
        self.stream, self.length, self.location = stream, length, location


class CrlServer:
    def __init__(self):
        self.routes = {}
        self.hits = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits.append(self.path)
                route = server.routes.get(self.path, Route(b"not found", status=404))
                if route.delay:
                    time.sleep(route.delay)
                try:
                    self.send_response(route.status)
                    if route.location:
                        self.send_header("Location", route.location)
                    if route.stream:
                        if route.length:
                            self.send_header("Content-Length", str(route.stream))
                        self.send_header("Connection", "close")
                        self.end_headers()
                        chunk = b"\0" * 65536
                        sent = 0
                        while sent < route.stream:
                            self.wfile.write(chunk)
                            sent += len(chunk)
                        return
                    self.send_header("Content-Length", str(len(route.body)))
                    self.send_header("Content-Type", "application/pkix-crl")
                    self.end_headers()
                    self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        isolate()
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 80), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def serve(self, name, route):
        """`name`: the file name under /CRL/; `route`: a Route or CRL bytes."""
        self.routes["/CRL/" + name] = route if isinstance(route, Route) else Route(route)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
