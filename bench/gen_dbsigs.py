#!/usr/bin/env python3
"""Deterministic signature set for the database start-up benchmark.

Writes into OUT: db.hdb (MD5), db.hsb (SHA-256), db.ndb (body signatures made
by gen_corpus.make_pattern, so clamscan and raquet both accept them), db.yar
(YARA rules: most of plain strings, the rest with conditions libyara must
evaluate), and two probe files: probe-hash (its MD5 is the first .hdb entry)
and probe-body (bytes matching the first .ndb signature), which prove that a
tool which finds both has really loaded the set. Python 3 stdlib only.
"""

import argparse
import hashlib
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_corpus import make_pattern  # noqa: E402

FAMILIES = ["Win.Trojan.Agent", "Win.Malware.Emotet", "Doc.Downloader.Generic",
            "Unix.Trojan.Mirai", "Js.Trojan.Obfus", "Html.Phishing.Bank",
            "Win.Ransomware.Lockbit", "Xls.Dropper.Agent"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--hashes", type=int, default=1000000)
    ap.add_argument("--bodies", type=int, default=10000)
    ap.add_argument("--yara", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20231125)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    probe_hash = b"raquet database benchmark probe\n"
    n_sha = a.hashes // 10
    with open(os.path.join(a.out, "db.hdb"), "w") as f:
        f.write("%s:%d:Bench.Probe.Md5-0\n" % (hashlib.md5(probe_hash).hexdigest(), len(probe_hash)))
        for i in range(1, a.hashes - n_sha):
            f.write("%032x:%d:%s-%d-0\n" % (rng.getrandbits(128), rng.randint(64, 8 << 20),
                                            FAMILIES[i % len(FAMILIES)], 9000000 + i))
    with open(os.path.join(a.out, "db.hsb"), "w") as f:
        for i in range(n_sha):
            f.write("%064x:%d:%s-%d-1\n" % (rng.getrandbits(256), rng.randint(64, 8 << 20),
                                            FAMILIES[i % len(FAMILIES)], 8000000 + i))
    patterns = [make_pattern(rng) for _ in range(a.bodies)]
    with open(os.path.join(a.out, "db.ndb"), "w") as f:
        for i, p in enumerate(patterns):
            f.write("%s-%d-0:0:*:%s\n" % (FAMILIES[i % len(FAMILIES)], 7000000 + i, p.clamav()))
    with open(os.path.join(a.out, "db.yar"), "w") as f:
        for i in range(a.yara):
            p = make_pattern(rng)
            text = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(12))
            name = "bench_rule_%d" % i
            if i % 10 < 7:  # plain strings, any of them
                f.write('rule %s {\n  strings:\n    $a = { %s }\n    $b = "%s"\n'
                        '  condition:\n    any of them\n}\n' % (name, p.yara(), text))
            else:  # conditions libyara evaluates
                f.write('rule %s {\n  strings:\n    $a = { %s }\n    $b = "%s" nocase\n'
                        '  condition:\n    $a and #b > 1 and filesize < 10MB\n}\n'
                        % (name, p.yara(), text))
    with open(os.path.join(a.out, "probe-hash"), "wb") as f:
        f.write(probe_hash)
    with open(os.path.join(a.out, "probe-body"), "wb") as f:
        f.write(rng.randbytes(100) + patterns[0].instance(rng) + rng.randbytes(100))
    return 0


if __name__ == "__main__":
    sys.exit(main())
