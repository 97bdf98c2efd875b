# SPDX-License-Identifier: EUPL-1.2
"""What the benchmarks print: one line of order statistics per series."""
import statistics


def pct(values, p):
    """The p-th percentile by nearest rank (p in 0..100)."""
    values = sorted(values)
    k = min(len(values) - 1, max(0, int(round(p / 100.0 * (len(values) - 1)))))
    return values[k]


def summary_line(name, values, unit, width, digits):
    """`name n=… min … median … p99 … max …` with the values already in `unit`."""
    f = "%8." + str(digits) + "f " + unit
    return ("  %-" + str(width) + "s n=%-4d min " + f + "  median " + f + "  p99 " + f + "  max " + f) % (
        name, len(values), min(values), statistics.median(values), pct(values, 99), max(values))
