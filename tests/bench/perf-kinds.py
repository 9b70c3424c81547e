#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Summarise `perf report --stdio --sort sym -g none` read on stdin.

    perf-kinds.py NAME [BUSY]

BUSY, if given, is the % of CPU time that /proc/stat counted busy over
the same run: when perf's samples show far less, they are flagged as
unreliable instead of being read as an idle machine.

Prints the heaviest symbols, then the samples grouped by kind of work
(idle, AEAD, copies and checksums, memory, locks, scheduling and
wake-ups, user space, the rest of the kernel), each line prefixed with
"profile NAME".
"""

import re
import sys

# Checked in this order: the first pattern a symbol matches wins.
KINDS = [
    ("idle", r"idle|safe_halt|mwait|cpuidle|do_idle"),
    ("aead", r"aes|gcm|ghash|clmul|chacha|poly1305|crypto_|gf128|xor_block"),
    ("copy+csum", r"copy|memcpy|memmove|memset|csum|checksum"),
    ("memory", r"alloc|kfree|kmem_cache|slab|slub|page_frag|skb_release|"
               r"free_pages|__free|build_skb|skb_clone|pskb_expand"),
    ("locks", r"spin_|_lock|lock_|mutex|rwsem|queued_"),
    ("sched+wakeup", r"schedule|wake|queue_work|ttwu|pick_next|task_switch|"
                     r"enqueue_|dequeue_|worker_thread|process_one_work|"
                     r"switch_to|update_curr|load_balance|ipi|"
                     r"smp_call|napi_schedule|raise_softirq"),
]
LINE = re.compile(r"^\s*([0-9.]+)%\s+\[(.)\]\s+(\S.*?)\s*$")


def kind_of(space, sym):
    if space == ".":
        return "user"
    for name, pat in KINDS:
        if re.search(pat, sym):
            return name
    return "kernel-other"


def main():
    name = sys.argv[1] if len(sys.argv) > 1 else "?"
    rows = []
    for line in sys.stdin:
        m = LINE.match(line)
        if m:
            rows.append((float(m.group(1)), m.group(2), m.group(3)))
    if not rows:
        print("profile %s: no samples" % name)
        return
    print("profile %s: heaviest symbols" % name)
    for pct, space, sym in rows[:18]:
        print("profile %s:   %5.1f%%  %-12s %s"
              % (name, pct, kind_of(space, sym), sym))
    kinds = {}
    for pct, space, sym in rows:
        k = kind_of(space, sym)
        kinds[k] = kinds.get(k, 0.0) + pct
    listed = sum(p for p, _, _ in rows)
    kinds["(symbols < 0.3%)"] = max(0.0, 100.0 - listed)
    print("profile %s: by kind, %% of all samples: %s" % (name, ", ".join(
        "%s %.1f%%" % (k, v)
        for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]))))
    # The busy time alone: what the CPUs did when they did something.
    busy = 100.0 - kinds.get("idle", 0.0)
    if len(sys.argv) > 2 and sys.argv[2].isdigit():
        stat = int(sys.argv[2])
        # Under TCG, perf's cpu-clock timer has been seen to sample only
        # halted vCPUs while moat's workers kept them busy (and most of
        # the busy time under XFRM): say so.
        if stat >= 20 and busy < stat / 2:
            print("profile %s: UNRELIABLE: perf sampled the vCPUs busy "
                  "%.0f%% of the time, /proc/stat counted %d%% over the "
                  "same run; its samples missed busy time (TCG), so this "
                  "profile is a partial view" % (name, busy, stat))
        else:
            print("profile %s: perf busy %.0f%%, /proc/stat busy %d%%"
                  % (name, busy, stat))
    if busy > 0:
        print("profile %s: by kind, %% of busy samples: %s" % (
            name, ", ".join(
                "%s %.0f%%" % (k, 100.0 * v / busy)
                for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])
                if k != "idle")))


main()
