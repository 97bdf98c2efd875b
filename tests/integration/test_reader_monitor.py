# SPDX-License-Identifier: EUPL-1.2
"""The reader monitor on the real rig: pcscd + vpcd + cpslock-cardsim, read through
`cpslock readers --watch --json`."""
import unittest

from rig import Rig

SLOT0 = "Virtual PCD 00 00"
SLOT1 = "Virtual PCD 00 01"


class ReaderMonitorTest(unittest.TestCase):
    def setUp(self):
        self.rig = Rig().start()
        self.addCleanup(self.rig.stop)

    def watch_empty_rig(self):
        w = self.rig.watch()
        w.expect("reader-added", reader=SLOT0)
        w.expect("reader-added", reader=SLOT1)
        return w

    def test_insert_remove_100_times_no_missed_or_doubled_event(self):
        w = self.watch_empty_rig()
        card = self.rig.card(0)
        for i in range(100):
            serial = str(1000000000 + i)
            card.do("insert cps3 %s" % serial, "inserted cps3")
            w.expect("card-inserted", reader=SLOT0, kind="cps3", serial=serial,
                     atr="3BAC00402A001225006480000310009000")
            card.do("remove", "removed")
            # The very next event must be this removal: a doubled insertion would show up here.
            w.expect("card-removed", reader=SLOT0, kind="cps3", serial=serial)
        # Sentinel: one more insertion is the next event, so nothing came in between.
        card.do("insert cps4 42", "inserted cps4")
        w.expect("card-inserted", reader=SLOT0, kind="cps4", serial="42")
        self.assertEqual(w.stop(), 0)

    def test_vitale_in_second_reader_is_ignored_as_vitale_and_never_talked_to(self):
        w = self.watch_empty_rig()
        cps = self.rig.card(0)
        cps.do("insert cps3 992138450", "inserted")
        w.expect("card-inserted", reader=SLOT0, kind="cps3", serial="992138450")
        vitale = self.rig.card(1)
        for profile in ("vitale2", "vitale1"):
            vitale.do("insert " + profile, "inserted " + profile)
            e = w.expect("card-inserted", reader=SLOT1, kind="vitale", serial=None)
            self.assertTrue(e["atr"].startswith("3B7513") or e["atr"].startswith("3F6525"))
            self.assertEqual(vitale.apdus(), 0, "the monitor must not send APDUs to a Vitale card")
            vitale.do("remove", "removed")
            w.expect("card-removed", reader=SLOT1, kind="vitale")
        # Sentinel: the CPS card's removal is the next event, so the Vitale caused nothing else.
        cps.do("remove", "removed")
        w.expect("card-removed", reader=SLOT0, serial="992138450")

    def test_swap_in_the_same_reader_is_removal_then_insertion_with_the_new_serial(self):
        w = self.watch_empty_rig()
        card = self.rig.card(0)
        card.do("insert cps3 1111111111", "inserted")
        w.expect("card-inserted", reader=SLOT0, serial="1111111111")
        card.send("swap cps3 2222222222")
        w.expect("card-removed", reader=SLOT0, serial="1111111111")
        w.expect("card-inserted", reader=SLOT0, kind="cps3", serial="2222222222")

    def test_card_kinds_through_the_real_reader(self):
        cases = [
            (["--profile", "cps3-contactless", "--serial", "123"], "cps3-contactless", "123"),
            (["--profile", "cps4", "--serial", "9876543210"], "cps4", "9876543210"),
            (["--profile", "bank"], "other", None),
            (["--profile", "unknown"], "other", None),
            # EF.SN.ICC from another issuer: not a CPS.
            (["--profile", "cps3", "--sn-icc", "5A0A80250000021234567890"], "other", None),
            # Truncated and garbage EF.SN.ICC: unreadable, never a crash.
            (["--profile", "cps3", "--sn-icc", "5A0A8025"], "unreadable", None),
            (["--profile", "cps3", "--sn-icc", "DEADBEEF00112233445566778899"], "unreadable", None),
            # A CPS ATR with one byte changed outside the mask: other.
            (["--profile", "cps3", "--atr", "3BAC00402A011225006480000310009000"], "other", None),
        ]
        w = self.watch_empty_rig()
        for extra, kind, serial in cases:
            with self.subTest(extra=extra):
                card = self.rig.card(0, *extra)
                card.do("insert", "inserted")
                w.expect("card-inserted", reader=SLOT0, kind=kind, serial=serial)
                listed = self.rig.cpslock("readers", "--json")
                self.assertEqual(listed.returncode, 0, listed.stderr)
                self.assertIn('"kind":"%s"' % kind, listed.stdout)
                card.do("remove", "removed")
                w.expect("card-removed", reader=SLOT0, kind=kind)
                card.close()

    def check_pcscd_restart(self, sig):
        card = self.rig.card(0, "--persist")
        card.do("insert cps3 5050505050", "inserted")
        w = self.rig.watch()
        w.expect("reader-added", reader=SLOT0)
        w.expect("reader-added", reader=SLOT1)
        w.expect("card-inserted", reader=SLOT0, serial="5050505050")
        self.rig.kill_pcscd(sig)
        lost = w.expect("service-lost", reader=None)
        self.assertTrue(lost["detail"], "service-lost says which PC/SC error it saw")
        self.assertEqual(card.out.next(), "reader-gone")
        self.rig.restart_pcscd()
        self.assertTrue(card.out.next(timeout=20).startswith("inserted cps3 serial=5050505050"))
        w.expect("service-restored", timeout=20)
        w.expect("reader-added", reader=SLOT0)
        w.expect("reader-added", reader=SLOT1)
        # The simulator reconnects by itself (--persist); the card is reported again.
        w.expect("card-inserted", reader=SLOT0, kind="cps3", serial="5050505050", timeout=20)
        # And the monitor still works after the restart.
        card.do("remove", "removed")
        w.expect("card-removed", reader=SLOT0, serial="5050505050")
        self.assertEqual(w.stop(), 0)

    def test_pcscd_killed_with_kill(self):
        self.check_pcscd_restart("KILL")

    def test_pcscd_stopped_with_term(self):
        self.check_pcscd_restart("TERM")

    def test_watch_started_while_pcscd_is_down_reports_service_lost_then_recovers(self):
        self.rig.kill_pcscd("TERM")
        w = self.rig.watch()
        w.expect("service-lost")
        self.rig.restart_pcscd()
        w.expect("service-restored", timeout=20)
        w.expect("reader-added", reader=SLOT0)

    def test_readers_when_pcscd_is_down_fails_clearly(self):
        self.rig.kill_pcscd("KILL")
        r = self.rig.cpslock("readers")
        self.assertEqual(r.returncode, 1)
        self.assertIn("pcscd", r.stderr)
        r = self.rig.cpslock("readers", "--json")
        self.assertEqual(r.returncode, 1)
        self.assertIn('"error":"service-unavailable"', r.stdout)


class CommandLineTest(unittest.TestCase):
    def setUp(self):
        self.rig = Rig()  # no pcscd needed
        self.addCleanup(self.rig.stop)

    def test_bad_arguments_exit_2_with_a_message(self):
        for args in (["readers", "--bogus"], ["nonsense"], []):
            r = self.rig.cpslock(*args)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("usage", r.stderr, args)

    def test_cardsim_bad_arguments(self):
        import subprocess
        from rig import CARDSIM
        for args in (["--profile", "cps3"], ["--port", "0"], ["--port", "x"], ["--port", "1", "--profile", "cps9"],
                     ["--port", "1", "--serial", "12345678901"], ["--port", "1", "--atr", "zz"],
                     ["--port", "1", "--sn-icc"]):
            r = subprocess.run([CARDSIM] + args, capture_output=True, text=True, timeout=10)
            self.assertEqual(r.returncode, 2, args)
            self.assertIn("cpslock-cardsim:", r.stderr, args)

    def test_cardsim_without_a_reader_says_so(self):
        import subprocess
        from rig import CARDSIM
        # Port 9 on loopback in a fresh network namespace: nobody listens.
        r = subprocess.run(["unshare", "--net", CARDSIM, "--port", "9"], capture_output=True, text=True, timeout=10)
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot connect to vpcd", r.stdout + r.stderr)


if __name__ == "__main__":
    unittest.main()
