#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Print the benchmark's table, ratios and summary line.

    report.py RESULTS.tsv TITLE

RESULTS.tsv holds one figure a line: round, path, metric, value (written
by tests/bench/guest.sh).  Every figure is the median over the rounds,
with its spread: the lowest and highest value, and (max - min) / median.
Ratios are taken within each round (the paths of one round ran minutes
apart, under the same host load), then summarised the same way.
"""

import statistics
import sys

PATHS = ["veth", "xfrm-gcm", "xfrm-chacha", "wireguard", "moat-gcm",
         "moat-chacha"]
METRICS = [("tcp1", "TCP 1 Mbit/s"), ("tcp4", "TCP 4 Mbit/s"),
           ("pps", "64 B UDP pps")]
GCM = "tcrypt-rfc4106(gcm(aes))"
CHACHA = "tcrypt-rfc7539esp(chacha20,poly1305)"


def load(path):
    fig = {}  # (path, metric) -> {round: value}
    text = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            rnd, p, m, v = parts
            try:
                fig.setdefault((p, m), {})[rnd] = float(v)
            except ValueError:
                text[(p, m)] = v
    return fig, text


def stat(values):
    """(median, min, max, spread %) of a list, or None."""
    if not values:
        return None
    med = statistics.median(values)
    lo, hi = min(values), max(values)
    spread = 100.0 * (hi - lo) / med if med else 0.0
    return med, lo, hi, spread


def fmt(s, prec=1):
    if s is None:
        return "-"
    med, lo, hi, spread = s
    if prec == 0:
        return "%.0f [%.0f-%.0f] %.0f%%" % (med, lo, hi, spread)
    return "%.*f [%.*f-%.*f] %.0f%%" % (prec, med, prec, lo, prec, hi,
                                          spread)


def per_round_ratio(fig, a, b, metric):
    ra, rb = fig.get((a, metric), {}), fig.get((b, metric), {})
    return [ra[r] / rb[r] for r in ra if r in rb and rb[r] > 0]


def ceiling(fig, alg):
    """The two-vCPU ceiling of one flow in each round, Mbit/s (one CPU
    seals while the other opens: 2 / (1/seal + 1/open) MB/s), and the
    seal and open figures by round. tcrypt runs once a round, among the
    paths, so that the ceiling feels the host's load as they do."""
    seal = fig.get((alg, "encryption"), {})
    opn = fig.get((alg, "decryption"), {})
    lim = {r: 8 * 2 / (1 / seal[r] + 1 / opn[r])
           for r in seal if seal[r] and opn.get(r)}
    return lim, seal, opn


def share_by_round(lim, vals):
    """100 * vals[r] / lim[r] for each round r (a ceiling measured before
    the rounds, as round 0, serves every round)."""
    out = []
    for r, v in vals.items():
        c = lim.get(r) or lim.get("0")
        if c:
            out.append(100 * v / c)
    return out


def table(fig):
    print("%-12s %-28s %-28s %-28s" % (("path",) + tuple(
        h + " (median [min-max] spread)" if i == 0 else h
        for i, (_, h) in enumerate(METRICS))))
    for p in PATHS:
        cells = [fmt(stat(list(fig.get((p, m), {}).values())),
                     0 if m == "pps" else 1) for m, _ in METRICS]
        print("%-12s %-28s %-28s %-28s" % ((p,) + tuple(cells)))


def ratios(fig):
    rows = [("moat/XFRM, AES-GCM", "moat-gcm", "xfrm-gcm"),
            ("moat/XFRM, ChaCha20-Poly1305", "moat-chacha", "xfrm-chacha"),
            ("moat/WireGuard, ChaCha20-Poly1305", "moat-chacha",
             "wireguard")]
    print()
    print("%-34s %-24s %-24s %-24s" % ("ratio, per round", "TCP 1", "TCP 4",
                                       "pps"))
    out = {}
    for label, a, b in rows:
        cells = []
        for m, _ in METRICS:
            s = stat(per_round_ratio(fig, a, b, m))
            out[(a, b, m)] = s
            cells.append(fmt(s, 2))
        print("%-34s %-24s %-24s %-24s" % ((label,) + tuple(cells)))
    return out


def ceilings(fig, text):
    print()
    shares = {}
    for alg, label, paths in ((GCM, "AES-GCM", ("moat-gcm", "xfrm-gcm")),
                              (CHACHA, "ChaCha20-Poly1305",
                               ("moat-chacha", "wireguard", "xfrm-chacha"))):
        lim, seal, opn = ceiling(fig, alg)
        if not lim:
            print("AEAD %s: no tcrypt figures" % label)
            continue
        print("AEAD %s (%s), median [min-max] spread of %d runs: one vCPU "
              "seals %s MB/s, opens %s MB/s; two-vCPU ceiling of one flow "
              "%s Mbit/s"
              % (label, text.get((alg, "driver"), "?"), len(lim),
                 fmt(stat(list(seal.values()))),
                 fmt(stat(list(opn.values()))),
                 fmt(stat(list(lim.values())), 0)))
        if alg == CHACHA and fig.get(("moat-aead", "pick-ns")):
            print("  moat keys its SAs with %s: it sealed 1420 B in %s us "
                  "when moat loaded, the default driver in %s us (the "
                  "ceiling is the default's)"
                  % (text.get(("moat-aead", "pick"), "?"),
                     fmt(stat([v / 1000 for v in
                               fig[("moat-aead", "pick-ns")].values()])),
                     fmt(stat([v / 1000 for v in
                               fig.get(("moat-aead", "default-ns"),
                                       {}).values()]))))
        for p in paths:
            for m in ("tcp1", "tcp4"):
                s = stat(share_by_round(lim, fig.get((p, m), {})))
                shares[(p, m)] = s
                print("  %-12s %s share of the ceiling, per round: %s"
                      % (p, m, fmt(s, 0)))
    return shares


def cpu(fig):
    kinds = ["idle", "softirq", "sys", "user", "irq"]
    print()
    print("CPU time during the 1-stream run, % of both vCPUs (median): "
          + " ".join("%8s" % k for k in kinds) + "  ctxsw/s  ctxsw/MB")
    for p in PATHS:
        vals = [stat(list(fig.get((p, "cpu-" + k), {}).values()))
                for k in kinds]
        if all(v is None for v in vals):
            continue
        sw = fig.get((p, "cpu-ctxt"), {})
        mbit = fig.get((p, "tcp1"), {})
        persec = stat(list(sw.values()))
        permb = stat([sw[r] / (mbit[r] / 8) for r in sw
                      if mbit.get(r)])
        print("  %-12s %53s %8s %9s" % (p, " ".join(
            "%8s" % ("-" if v is None else "%.0f" % v[0]) for v in vals),
            "-" if persec is None else "%.0f" % persec[0],
            "-" if permb is None else "%.0f" % permb[0]))


def per(fig, p, m, num, den):
    """Median over the rounds of counter num / counter den."""
    a = fig.get((p, "pipe-%s-%s" % (num, m)), {})
    b = fig.get((p, "pipe-%s-%s" % (den, m)), {})
    vals = [a[r] / b[r] for r in a if r in b and b[r] > 0]
    return statistics.median(vals) if vals else None


def spread_cpus(fig, p, m):
    """Each CPU's share of the packets encrypted and decrypted (medians
    over the rounds), as enc a/b/.. dec a/b/..: whether the crypto
    spreads over every CPU."""
    out = []
    for kind in ("enc", "dec"):
        pre = "pipe-%s_pkts@" % kind
        cpus = sorted({k[1][len(pre):].rsplit("-", 1)[0] for k in fig
                       if k[0] == p and k[1].startswith(pre)
                       and k[1].endswith("-" + m)}, key=int)
        if not cpus:
            return "-"
        tot = fig.get((p, "pipe-%s_pkts-%s" % (kind, m)), {})
        shares = []
        for c in cpus:
            v = fig.get((p, "%s%s-%s" % (pre, c, m)), {})
            r = [100.0 * v[x] / tot[x] for x in v if tot.get(x)]
            shares.append("%.0f" % statistics.median(r) if r else "-")
        out.append("%s %s" % (kind, "/".join(shares)))
    return " ".join(out)


def pipeline(fig):
    """moat's own counters (debugfs moat/pipeline), per packet."""
    figs = [
        ("segs/xmit", "tx_segs", "tx_xmit"),
        ("enc batch", "enc_pkts", "enc_runs"),
        ("tx batch", "tx_sent", "tx_runs"),
        ("dec batch", "dec_pkts", "dec_runs"),
        ("napi batch", "napi_pkts", "napi_polls"),
        ("wake/pkt", "wakeups", "enc_pkts"),
        ("txq depth", "txq_depth", "tx_segs"),
        ("rxq depth", "rxq_depth", "rx_queued"),
        ("async %", "async_pct", None),
    ]
    if not any(k[1].startswith("pipe-") for k in fig):
        return
    print()
    print("moat data path, median per round (debugfs moat/pipeline):")
    print("  %-18s" % "" + "".join("%11s" % f[0] for f in figs)
          + "  enc/dec % per CPU")
    for p in ("moat-gcm", "moat-chacha"):
        for m in ("tcp1", "tcp4", "pps"):
            cells = []
            for label, num, den in figs:
                if label == "async %":
                    a = per(fig, p, m, "enc_async", "enc_pkts")
                    b = per(fig, p, m, "dec_async", "dec_pkts")
                    v = None if a is None or b is None else 50 * (a + b)
                else:
                    v = per(fig, p, m, num, den)
                cells.append("%11s" % ("-" if v is None else "%.2f" % v))
            print("  %-18s" % ("%s %s" % (p, m)) + "".join(cells)
                  + "  " + spread_cpus(fig, p, m))


def stages(fig):
    """moat's stage timings from the profile run (debugfs moat/timing)."""
    rows = [
        ("xmit: segment, checksum, queue", "xmit_ns", "tx_segs"),
        ("encrypt worker", "enc_ns", "enc_pkts"),
        ("  of which the AEAD", "enc_aead_ns", "enc_pkts"),
        ("transmit pass: route, headers", "send_ns", "tx_sent"),
        ("ESP input: lookup, replay, queue", "input_ns", "rx_queued"),
        ("decrypt worker", "dec_ns", "dec_pkts"),
        ("  of which the AEAD", "dec_aead_ns", "dec_pkts"),
        ("NAPI: checks, GRO, inner stack", "napi_ns", "napi_pkts"),
    ]
    for p in ("moat-gcm", "moat-chacha"):
        def val(k):
            return fig.get((p, k), {}).get("profile")
        busy = val("cpu-busy-ms")
        if not busy or not val("pipe-enc_ns-prof"):
            continue
        print()
        print("%s stage timings, 1-stream run without perf (busy CPU %.0f ms, "
              "both vCPUs; %.0f packets encrypted, %.0f decrypted):"
              % (p, busy, val("pipe-enc_pkts-prof") or 0,
                 val("pipe-dec_pkts-prof") or 0))
        print("  %-34s %10s %12s" % ("stage", "us/packet", "% of busy"))
        outer = 0.0
        for label, ns, den in rows:
            t, n = val("pipe-%s-prof" % ns), val("pipe-%s-prof" % den)
            if t is None or not n:
                continue
            if not label.startswith(" "):
                outer += t
            print("  %-34s %10.1f %12.1f"
                  % (label, t / n / 1e3, 100.0 * t / (busy * 1e6)))
        print("  %-34s %10s %12.1f"
              % ("outside moat's stages", "", 100.0 - 100.0 * outer /
                 (busy * 1e6)))
        print("  (NAPI time includes the inner TCP receive and the ACKs it "
              "sends, whose xmit is also counted above)")


def summary(rat, shares):
    def r(a, b, m):
        s = rat.get((a, b, m))
        return "-" if s is None else "%.2f" % s[0]
    share = shares.get(("moat-gcm", "tcp1"))
    print()
    print("bench: moat/xfrm gcm %s, moat/wireguard chacha %s, "
          "pps moat/xfrm %s, aead-share %s"
          % (r("moat-gcm", "xfrm-gcm", "tcp1"),
             r("moat-chacha", "wireguard", "tcp1"),
             r("moat-gcm", "xfrm-gcm", "pps"),
             "-" if share is None else "%.0f%%" % share[0]))


def main():
    fig, text = load(sys.argv[1])
    print()
    print("=== moat benchmark: %s ===" % (sys.argv[2] if len(sys.argv) > 2
                                         else ""))
    table(fig)
    rat = ratios(fig)
    shares = ceilings(fig, text)
    cpu(fig)
    pipeline(fig)
    stages(fig)
    summary(rat, shares)


main()
