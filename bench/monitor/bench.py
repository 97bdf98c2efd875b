#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Reader-monitor benchmark on the real rig (pcscd + vpcd + cpslock-cardsim).

1. Latency: over N insert/remove cycles, the monitor's wake-up and delivery times against a raw
   SCardGetStatusChange watcher in the same process and run. pcscd polls vpcd every 400 ms, so the
   time from the socket to pcscd is the rig's, not ours: only the monitor's *added* delay is measured.
2. Idle: wake-ups (context switches) and CPU time of the monitor thread over S seconds with no card
   and with a CPS card present, and the APDUs the card received meanwhile.

usage: bench/monitor/bench.py [--cycles 100] [--idle-seconds 60]
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "integration"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from figures import summary_line  # noqa: E402
import rig as rigmod  # noqa: E402

PROBE = os.path.join(rigmod.BUILD_DIR, "bench", "monitor", "cpslock-bench-monitor")
READER = "Virtual_PCD_00_00"


def summary(name, ns_values):
    print(summary_line(name, [v / 1000.0 for v in ns_values], "us", 34, 1))


def thread_stats(pid, name):
    """(voluntary + involuntary context switches, utime + stime in clock ticks) of the named thread."""
    task_dir = "/proc/%d/task" % pid
    for tid in os.listdir(task_dir):
        with open(os.path.join(task_dir, tid, "comm")) as f:
            if f.read().strip() != name:
                continue
        switches = 0
        with open(os.path.join(task_dir, tid, "status")) as f:
            for line in f:
                if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                    switches += int(line.split()[1])
        with open(os.path.join(task_dir, tid, "stat")) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        return switches, ticks
    raise RuntimeError("no thread named %s in %d" % (name, pid))


def process_cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cycles", type=int, default=100)
    ap.add_argument("--idle-seconds", type=float, default=60)
    a = ap.parse_args()

    rig = rigmod.Rig().start()
    try:
        probe = rig.spawn([PROBE], stdin=subprocess.PIPE)
        out = rigmod.LineReader(probe.stdout)
        pid = int(out.next().split()[1])
        card = rig.card(0)

        def until(pred):
            while True:
                fields = out.next().split()
                if pred(fields):
                    return fields

        # Initial reader-added events.
        for _ in range(2):
            until(lambda f: f[0] == "monitor" and f[1] == "reader-added")

        wake = {"card-inserted": [], "card-removed": []}
        delivered = {"card-inserted": [], "card-removed": []}
        for i in range(a.cycles):
            for command, event, raw_state in (("insert cps3 %d" % (3000000000 + i), "card-inserted", "present"),
                                              ("remove", "card-removed", "empty")):
                card.do(command, command.split()[0][:6])
                raw = monitor = None
                while raw is None or monitor is None:
                    f = out.next()
                    f = f.split()
                    if f[0] == "raw" and f[1] == raw_state and f[2] == READER:
                        raw = int(f[3])
                    elif f[0] == "monitor" and f[1] == event and f[2] == READER:
                        monitor = (int(f[5]), int(f[6]))
                        if event == "card-inserted":
                            assert f[4] == str(3000000000 + i), f
                wake[event].append(monitor[0] - raw)
                delivered[event].append(monitor[1] - raw)

        print("Reader monitor vs raw SCardGetStatusChange watcher, %d cycles (same process, same run)" % a.cycles)
        for event in ("card-removed", "card-inserted"):
            summary(event + ": wake-up delta", wake[event])
            summary(event + ": delivered (added delay)", delivered[event])
        print("  (card-inserted includes reading EF.SN.ICC from the card: 2 APDUs)")

        for label, with_card in (("no card", False), ("CPS card present", True)):
            if with_card:
                card.do("insert cps3 4000000000", "insert")
                until(lambda f: f[0] == "monitor" and f[1] == "card-inserted")
                apdus_before = card.apdus()
            # Let the monitor finish the last event's bookkeeping (re-listing readers, re-arming its
            # wait) so only the idle period is counted.
            try:
                line = out.lines.get(timeout=1.0)
                raise AssertionError("unexpected output: %r" % line)
            except rigmod.queue.Empty:
                pass
            sw0, ticks0 = thread_stats(pid, "pcsc-monitor")
            cpu0 = process_cpu_seconds(pid)
            # Wait for the period; any monitor output meanwhile would be a spurious event.
            try:
                line = out.lines.get(timeout=a.idle_seconds)
                raise AssertionError("unexpected output while idle: %r" % line)
            except rigmod.queue.Empty:
                pass
            sw1, ticks1 = thread_stats(pid, "pcsc-monitor")
            cpu1 = process_cpu_seconds(pid)
            apdus = card.apdus() - apdus_before if with_card else 0
            print("Idle %.0f s, %s: monitor thread wake-ups %d, monitor thread CPU %.3f s, process CPU %.3f s, "
                  "APDUs to the card %d" % (a.idle_seconds, label, sw1 - sw0,
                                            (ticks1 - ticks0) / os.sysconf("SC_CLK_TCK"), cpu1 - cpu0, apdus))
        with open("/proc/%d/status" % pid) as f:
            rss = [l for l in f if l.startswith("VmRSS")][0].split()[1]
        print("Probe process RSS: %s kB (monitor + raw watcher + pcsc-lite)" % rss)
        probe.stdin.close()
        probe.wait(timeout=10)
    finally:
        rig.stop()


if __name__ == "__main__":
    main()
