#!/usr/bin/env python3
"""Deterministic corpus and signature generator for raquet's benchmark.

Writes a tree of mixed files (random data, text, JS, HTML, PE-like, ELF-like,
zip / tar.gz / nested archives), ClamAV hash and body signatures, the same body
patterns as YARA rules, and a manifest (expected.tsv) of the planted matches.
Same seed and parameters give byte-identical output.  Python 3 stdlib only;
see bench/README.md for the layout and docs/benchmarks.md for the method.
"""

import argparse
import gzip
import hashlib
import io
import json
import math
import os
import random
import shutil
import sys
import tarfile
import time
import zipfile

GENERATOR_VERSION = 1
KIB = 1024
MIB = 1024 * 1024

DEFAULT_SIZE_MB = 1536
DEFAULT_FILES = 2000
DEFAULT_SEED = 20230401
MIN_FILES = 400            # room for ~100 planted files at any size

# Planted matches (each planted file carries exactly one signature).
PLANT_MD5_TOP = 22
PLANT_MD5_MEMBER = 2
PLANT_SHA256_TOP = 24
PLANT_BODY_TOP = 32
PLANT_BODY_MEMBER = 8

FIXED_DATE = (2023, 4, 1, 8, 0, 0)   # zip member timestamps
FIXED_MTIME = 1680336000              # tar member mtime

POOL_CHUNK_MIN = 64 * KIB
POOL_CHUNK_MAX = 1 * MIB


def sub_rng(seed, *parts):
    """An independent, reproducible generator for one purpose."""
    return random.Random(":".join([str(seed)] + [str(p) for p in parts]))


def log_uniform(rng, lo, hi):
    return int(math.exp(rng.uniform(math.log(lo), math.log(hi))))


# ---------------------------------------------------------------- pools

SYLLABLES = ("ka ri to na me su lo vi an del mor ten ex pa co ler ing tion at "
             "es ur om ba ne qui sta pro dis ver fa gu ho lin").split()
COMMON = ("the of and to in is that for it as with was on be by this are from "
          "at or have an they which one had not but what all were when we "
          "there can your each she do how their if will up other about out "
          "many then them these so some her would make like him into time has "
          "look two more write go see number no way could people my than first "
          "water been call who oil its now find long down day did get come "
          "made may part report system service unit machine scan update").split()


class Pools:
    """Shared byte pools; file contents are slices of them (fast, and each
    file starts with bytes unique to it, so no two files are identical)."""

    def __init__(self, seed):
        rng = sub_rng(seed, "pools")
        self.random = memoryview(rng.randbytes(16 * MIB))
        vocab = list(COMMON)
        for _ in range(3000):
            vocab.append("".join(rng.choice(SYLLABLES)
                                 for _ in range(rng.randint(1, 4))))
        self.vocab = vocab
        self.text = memoryview(self._text(rng, 1 * MIB))
        self.js = memoryview(self._js(rng, MIB // 2))
        self.html = memoryview(self._html(rng, MIB // 2))

    @staticmethod
    def _fill(parts_fn, size):
        out, n = [], 0
        while n < size:
            s = parts_fn()
            out.append(s)
            n += len(s)
        return "".join(out).encode("ascii")[:size]

    def _text(self, rng, size):
        vocab = self.vocab
        punct = [". ", ", ", "; ", ". ", "\n", ".\n\n"]

        def line():
            words = rng.choices(vocab, k=rng.randint(6, 18))
            return " ".join(words).capitalize() + rng.choice(punct)
        return self._fill(line, size)

    def _js(self, rng, size):
        v = self.vocab

        def ident():
            return rng.choice(v) + rng.choice(["", "_", "Id", "Cb", "2"]) \
                + rng.choice(v).capitalize()

        def stmt():
            k = rng.randrange(7)
            if k == 0:
                return f"var {ident()} = {rng.randint(0, 99999)};\n"
            if k == 1:
                a, b = ident(), ident()
                return (f"function {ident()}({a}, {b}) {{\n  return {a} + "
                        f"{b} * {rng.randint(1, 99)};\n}}\n")
            if k == 2:
                return f"{ident()}.{ident()}('{rng.choice(v)}');\n"
            if k == 3:
                x = ident()
                return f"if ({x} > {rng.randint(0, 500)}) {{ {x}++; }}\n"
            if k == 4:
                return (f"document.getElementById('{rng.choice(v)}')."
                        f"innerHTML = \"{' '.join(rng.choices(v, k=5))}\";\n")
            if k == 5:
                return (f"for (let i = 0; i < {rng.randint(2, 64)}; i++) "
                        f"{{ {ident()}[i] = i ^ {rng.randint(0, 255)}; }}\n")
            return f"// {' '.join(rng.choices(v, k=8))}\n"
        return self._fill(stmt, size)

    def _html(self, rng, size):
        v = self.vocab

        def elem():
            k = rng.randrange(5)
            words = " ".join(rng.choices(v, k=rng.randint(4, 20)))
            if k == 0:
                return f'<div class="{rng.choice(v)}"><p>{words}</p></div>\n'
            if k == 1:
                return (f'<a href="/{rng.choice(v)}/{rng.choice(v)}.html">'
                        f'{words}</a>\n')
            if k == 2:
                return f"<li>{words}</li>\n"
            if k == 3:
                return (f'<img src="/img/{rng.choice(v)}.png" alt="'
                        f'{rng.choice(v)}">\n')
            return f"<h2>{words}</h2>\n"
        return self._fill(elem, size)

    def slices(self, rng, pool, size):
        """size bytes as a list of random slices of pool."""
        out, n = [], 0
        while n < size:
            want = min(size - n, rng.randint(POOL_CHUNK_MIN, POOL_CHUNK_MAX),
                       len(pool))
            off = rng.randrange(0, len(pool) - want + 1)
            out.append(pool[off:off + want])      # memoryview: no copy
            n += want
        return out


# ---------------------------------------------------------------- contents

CONTENT_TYPES = ("random", "text", "js", "html", "pe", "elf")
CONTENT_WEIGHTS = (25, 18, 10, 10, 22, 15)
LARGE_TYPES = ("random", "text", "pe", "elf")
LARGE_WEIGHTS = (30, 20, 30, 20)
EXTENSIONS = {
    "random": (".bin", ".dat", ".db", ".pak"),
    "text": (".txt", ".log", ".md", ".csv"),
    "js": (".js",),
    "html": (".html", ".htm"),
    "pe": (".exe", ".dll"),
    "elf": ("", ".so", ".elf"),
}


def content_random(pools, rng, size):
    head = rng.randbytes(min(size, 16))
    return [head] + pools.slices(rng, pools.random, size - len(head))


def content_textlike(pools, rng, size, kind):
    uid = rng.randbytes(8).hex()
    if kind == "js":
        head, pool = f"// build {uid}\n'use strict';\n", pools.js
    elif kind == "html":
        head = (f"<!DOCTYPE html>\n<html><head><title>{uid}</title>"
                f"</head>\n<body>\n")
        pool = pools.html
    else:
        head, pool = f"# {uid}\n", pools.text
    head = head.encode("ascii")[:size]
    return [head] + pools.slices(rng, pool, size - len(head))


def le(value, width):
    return value.to_bytes(width, "little")


def content_pe(pools, rng, size):
    """A PE32+ image: DOS header, e_lfanew at 0x3c -> "PE\\0\\0", COFF and
    optional headers, three sections (.text random, .rdata text, .data mix)."""
    if size < 2048:
        return content_random(pools, rng, size)
    lfanew = 0x80
    dos = bytearray(lfanew)
    dos[0:2] = b"MZ"
    dos[2:0x3c] = bytes([0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0,
                         0xb8, 0]) + bytes(0x3c - 18)
    dos[0x3c:0x40] = le(lfanew, 4)
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21" \
        b"This program is a benchmark PE image.\r\r\n$"
    dos[0x40:0x40 + len(stub)] = stub
    header_size = 0x400
    body = (size - header_size) // 0x200 * 0x200
    text_sz = body * rng.randint(40, 70) // 100 // 0x200 * 0x200
    rdata_sz = (body - text_sz) * rng.randint(30, 70) // 100 // 0x200 * 0x200
    data_sz = body - text_sz - rdata_sz
    sects = [(b".text", text_sz, 0x60000020), (b".rdata", rdata_sz, 0x40000040),
             (b".data", data_sz, 0xc0000040)]
    rva, raw, table = 0x1000, header_size, bytearray()
    for name, sz, flags in sects:
        table += name.ljust(8, b"\0") + le(sz, 4) + le(rva, 4) + le(sz, 4) \
            + le(raw, 4) + bytes(12) + le(flags, 4)
        rva += (sz + 0xfff) // 0x1000 * 0x1000 or 0x1000
        raw += sz
    image_size = rva
    coff = b"PE\0\0" + le(0x8664, 2) + le(len(sects), 2) \
        + le(rng.randint(1_500_000_000, 1_700_000_000), 4) + bytes(8) \
        + le(0xf0, 2) + le(0x22, 2)
    opt = le(0x20b, 2) + bytes([14, 0]) + le(text_sz, 4) \
        + le(rdata_sz + data_sz, 4) + le(0, 4) \
        + le(0x1000 + rng.randrange(0, max(1, text_sz // 2)) // 16 * 16, 4) \
        + le(0x1000, 4) + le(0x140000000, 8) + le(0x1000, 4) + le(0x200, 4) \
        + le(6, 2) + le(0, 2) + le(0, 2) + le(0, 2) + le(6, 2) + le(0, 2) \
        + le(0, 4) + le(image_size, 4) + le(header_size, 4) + le(0, 4) \
        + le(3, 2) + le(0x8160, 2) + le(0x100000, 8) + le(0x1000, 8) \
        + le(0x100000, 8) + le(0x1000, 8) + le(0, 4) + le(16, 4) + bytes(128)
    assert len(opt) == 0xf0
    header = bytes(dos) + coff + opt + bytes(table)
    header = header + bytes(header_size - len(header))
    chunks = [header]
    chunks += pools.slices(rng, pools.random, text_sz)
    chunks += pools.slices(rng, pools.text, rdata_sz)
    half = data_sz // 2
    chunks.append(bytes(half))
    chunks += pools.slices(rng, pools.random, data_sz - half)
    tail = size - header_size - body
    if tail:
        chunks.append(rng.randbytes(tail))   # overlay
    return chunks


def content_elf(pools, rng, size):
    """An ELF64 x86-64 shared object header with two PT_LOAD segments,
    then code-like random bytes and a string area."""
    if size < 1024:
        return content_random(pools, rng, size)
    code = (size - 176) * rng.randint(50, 80) // 100
    strs = size - 176 - code
    ehdr = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8) + le(3, 2) \
        + le(0x3e, 2) + le(1, 4) + le(0x1000 + rng.randrange(0, 4096) * 16, 8) \
        + le(64, 8) + le(0, 8) + le(0, 4) + le(64, 2) + le(56, 2) + le(2, 2) \
        + le(64, 2) + le(0, 2) + le(0, 2)
    ph1 = le(1, 4) + le(5, 4) + le(0, 8) + le(0, 8) + le(0, 8) \
        + le(176 + code, 8) + le(176 + code, 8) + le(0x1000, 8)
    ph2 = le(1, 4) + le(4, 4) + le(176 + code, 8) \
        + le(0x200000 + 176 + code, 8) + le(0x200000 + 176 + code, 8) \
        + le(strs, 8) + le(strs, 8) + le(0x1000, 8)
    chunks = [ehdr + ph1 + ph2, rng.randbytes(16)]
    chunks += pools.slices(rng, pools.random, code - 16)
    chunks += pools.slices(rng, pools.text, strs)
    return chunks


def make_content(pools, rng, ctype, size):
    if ctype == "random":
        chunks = content_random(pools, rng, size)
    elif ctype in ("text", "js", "html"):
        chunks = content_textlike(pools, rng, size, ctype)
    elif ctype == "pe":
        chunks = content_pe(pools, rng, size)
    else:
        chunks = content_elf(pools, rng, size)
    assert sum(len(c) for c in chunks) == size, (ctype, size)
    return chunks


def plant(chunks, offset, data):
    """Overwrite data at offset in the chunk list (returns a new list)."""
    out, pos, end = [], 0, offset + len(data)
    for c in chunks:
        c_end = pos + len(c)
        if c_end <= offset or pos >= end:
            out.append(c)
        else:
            buf = bytearray(c)
            lo, hi = max(offset, pos), min(end, c_end)
            buf[lo - pos:hi - pos] = data[lo - offset:hi - offset]
            out.append(bytes(buf))
        pos = c_end
    return out


# ---------------------------------------------------------------- patterns

class Pattern:
    """One body signature as tokens:
       ('b', byte) fixed | ('any',) | ('hi', n) high nibble | ('lo', n)
       ('alt', [bytes, ...]) same-length alternatives
       ('gap', n, m) n..m bytes (m None: unbounded, n==m: exact) | ('star',)"""

    def __init__(self, tokens):
        self.tokens = tokens

    def clamav(self):
        out = []
        for t in self.tokens:
            if t[0] == "b":
                out.append(f"{t[1]:02x}")
            elif t[0] == "any":
                out.append("??")
            elif t[0] == "hi":
                out.append(f"{t[1]:x}?")
            elif t[0] == "lo":
                out.append(f"?{t[1]:x}")
            elif t[0] == "alt":
                out.append("(" + "|".join(a.hex() for a in t[1]) + ")")
            elif t[0] == "star":
                out.append("*")
            else:
                n, m = t[1], t[2]
                out.append(f"{{{n}}}" if n == m else
                           f"{{{n}-}}" if m is None else f"{{{n}-{m}}}")
        return "".join(out)

    def yara(self):
        out = []
        for t in self.tokens:
            if t[0] == "b":
                out.append(f"{t[1]:02X}")
            elif t[0] == "any":
                out.append("??")
            elif t[0] == "hi":
                out.append(f"{t[1]:X}?")
            elif t[0] == "lo":
                out.append(f"?{t[1]:X}")
            elif t[0] == "alt":
                out.append("( " + " | ".join(
                    " ".join(f"{b:02X}" for b in a) for a in t[1]) + " )")
            elif t[0] == "star":
                out.append("[-]")
            else:
                n, m = t[1], t[2]
                out.append(f"[{n}]" if n == m else
                           f"[{n}-]" if m is None else f"[{n}-{m}]")
        return " ".join(out)

    def instance(self, rng):
        """Concrete bytes this pattern matches."""
        out = bytearray()
        for t in self.tokens:
            if t[0] == "b":
                out.append(t[1])
            elif t[0] == "any":
                out.append(rng.randrange(256))
            elif t[0] == "hi":
                out.append(t[1] << 4 | rng.randrange(16))
            elif t[0] == "lo":
                out.append(rng.randrange(16) << 4 | t[1])
            elif t[0] == "alt":
                out += rng.choice(t[1])
            elif t[0] == "star":
                out += rng.randbytes(rng.randint(1, 48))
            else:
                n, m = t[1], t[2]
                out += rng.randbytes(rng.randint(n, n + 24 if m is None else m))
        return bytes(out)


PRINTABLE = bytes(range(0x21, 0x7f))


def make_pattern(rng):
    """8-40 fixed bytes in 1-3 segments; every segment starts and ends with a
    fixed byte and holds a run of at least 4 consecutive fixed bytes."""
    nseg = rng.choices((1, 2, 3), weights=(50, 30, 20))[0]
    total = rng.randint(max(8, 4 * nseg), 40)
    ascii_like = rng.random() < 0.2        # script-style patterns
    per = [4] * nseg
    for _ in range(total - 4 * nseg):
        per[rng.randrange(nseg)] += 1

    def fixed():
        return rng.choice(PRINTABLE) if ascii_like else rng.randrange(256)

    tokens = []
    for si, nfixed in enumerate(per):
        if si:
            k = rng.random()
            if k < 0.35:
                n = rng.randint(1, 16)
                tokens.append(("gap", n, n))
            elif k < 0.75:
                n = rng.randint(1, 24)
                tokens.append(("gap", n, n + rng.randint(1, 40)))
            elif k < 0.82:
                tokens.append(("gap", rng.randint(1, 16), None))
            else:
                tokens.append(("star",))
        anchor = [("b", fixed()) for _ in range(4)]
        rest = [("b", fixed()) for _ in range(nfixed - 4)]
        # The anchor goes first or last; specials go before a fixed byte of
        # `rest`, at most one per slot, never at the segment's end and never
        # within its first two bytes (clamscan needs two fixed bytes before a
        # multi-byte alternation that starts a part).
        rest_first = len(rest) >= 3 and rng.random() < 0.5
        slots = list(range(2 if rest_first else 0, len(rest)))
        nspecial = min(len(slots), rng.choices((0, 1, 2, 3),
                                               weights=(20, 35, 30, 15))[0])
        for s in sorted(rng.sample(slots, nspecial), reverse=True):
            k = rng.random()
            if k < 0.4:
                sp = ("any",)
            elif k < 0.6:
                sp = ("hi", rng.randrange(16))
            elif k < 0.75:
                sp = ("lo", rng.randrange(16))
            else:
                width = rng.choice((1, 1, 2))
                alts = set()
                want = rng.choice((2, 2, 3))
                while len(alts) < want:
                    alts.add(bytes(fixed() for _ in range(width)))
                sp = ("alt", sorted(alts))
            rest.insert(s, sp)
        seg = rest + anchor if rest_first else anchor + rest
        tokens += seg
    return Pattern(tokens)


# ---------------------------------------------------------------- plan

def plan_dirs(rng, n):
    tops = ["home", "srv", "opt", "var", "usr", "data", "www", "backup"]
    subs = ["lib", "bin", "share", "docs", "cache", "assets", "build", "src",
            "tmp", "logs", "mail", "static", "js", "img", "pkg", "vendor",
            "reports", "archive", "conf", "x86_64", "users", "projects",
            "releases", "plugins", "modules", "old", "2022", "2023"]
    dirs = set()
    while len(dirs) < n:
        depth = rng.choices((1, 2, 3, 4), weights=(15, 35, 35, 15))[0]
        parts = [rng.choice(tops)] + [rng.choice(subs) for _ in range(depth - 1)]
        dirs.add("/".join(parts))
    return sorted(dirs)


def plan_archive(rng, kind):
    """An archive as a tree: {'fmt': 'zip'|'targz', 'entries': [...]},
    entries {'name', 'ctype', 'size', 'stored'} or {'name', 'node'}."""
    def leaves(k, prefix):
        out = []
        for j in range(k):
            ctype = rng.choices(CONTENT_TYPES, CONTENT_WEIGHTS)[0]
            size = (log_uniform(rng, KIB, 64 * KIB) if rng.random() < 0.85
                    else log_uniform(rng, 64 * KIB, MIB))
            name = (f"{prefix}{rng.choice(['doc', 'bin', 'lib', 'res'])}/"
                    f"m{j}{rng.choice(EXTENSIONS[ctype])}")
            out.append({"name": name, "ctype": ctype, "size": size,
                        "stored": rng.random() < 0.25})
        return out

    if kind == "zip":
        return {"fmt": "zip", "entries": leaves(rng.randint(2, 6), "")}
    if kind == "targz":
        return {"fmt": "targz", "entries": leaves(rng.randint(2, 6), "pkg/")}
    inner_zip = {"fmt": "zip", "entries": leaves(rng.randint(1, 3), "")}
    mid = {"fmt": "targz", "entries": leaves(rng.randint(1, 2), "") +
           [{"name": "payload/inner.zip", "node": inner_zip}]}
    return {"fmt": "zip", "entries": leaves(rng.randint(1, 2), "") +
            [{"name": "bundle/mid.tar.gz", "node": mid}]}


def archive_leaves(node, chain=()):
    for e in node["entries"]:
        if "node" in e:
            yield from archive_leaves(e["node"], chain + (e["name"],))
        else:
            yield chain + (e["name"],), e


def plan(args):
    seed = args.seed
    total = args.size_mb * MIB
    nfiles = args.files
    rng = sub_rng(seed, "plan")

    dirs = plan_dirs(sub_rng(seed, "dirs"), max(12, nfiles // 12))

    # Sizes: large files take ~70% of the bytes, 75% of the files are small,
    # archives hold ~5% of the files, medium files fill the rest.
    large_cap = min(80 * MIB, total // 8)
    large_floor = min(20 * MIB, large_cap // 4)
    n_large = max(2, round(total * 0.70 / (50 * MIB)))
    large = [rng.uniform(20, 80) for _ in range(n_large)]
    scale = total * 0.70 / sum(large)
    large = [int(min(large_cap, max(large_floor, x * scale))) for x in large]
    n_small = round(nfiles * 0.75)
    small = [log_uniform(rng, KIB, 64 * KIB) for _ in range(n_small)]
    n_arch = max(12, round(nfiles * 0.05 / 4))
    kinds = ["zip", "targz", "nested"]
    archives = [plan_archive(rng, kinds[i % 3]) for i in range(n_arch)]
    arch_bytes = sum(e["size"] for a in archives for _, e in archive_leaves(a))
    medium_cap = min(4 * MIB, max(128 * KIB, total // 16))
    remaining = total - sum(large) - sum(small) - arch_bytes
    medium = []
    while remaining >= 64 * KIB:
        s = min(remaining, log_uniform(rng, 64 * KIB, medium_cap))
        medium.append(s)
        remaining -= s

    files = []
    for cls, sizes in (("small", small), ("medium", medium), ("large", large)):
        # tens of MiB of HTML or JS would be unusual: large files are data,
        # executables and logs
        types, weights = ((LARGE_TYPES, LARGE_WEIGHTS) if cls == "large"
                          else (CONTENT_TYPES, CONTENT_WEIGHTS))
        for s in sizes:
            files.append({"cls": cls, "size": s,
                          "ctype": rng.choices(types, weights)[0]})
    for a in archives:
        files.append({"cls": "archive", "archive": a,
                      "ctype": "zip" if a["fmt"] == "zip" else "targz"})
    rng.shuffle(files)
    for i, f in enumerate(files):
        d = rng.choice(dirs)
        if f["cls"] == "archive":
            ext = ".zip" if f["ctype"] == "zip" else ".tar.gz"
        else:
            ext = rng.choice(EXTENSIONS[f["ctype"]])
        f["path"] = f"{d}/f{i:05d}{ext}"
        f["index"] = i

    # Planting: distinct files, one signature each.
    prng = sub_rng(seed, "plant")
    # Never plant into HTML: clamscan classifies it as HTML and scans only
    # the normalised (lower-cased, re-spaced) text, without hashing or
    # matching the raw bytes, so a planted signature there would be missed.
    plain = [f for f in files if f["cls"] != "archive" and f["ctype"] != "html"]
    arch = [f for f in files if f["cls"] == "archive"]
    # a few body plants deep inside medium and large files, the rest anywhere
    large_f = [f for f in plain if f["cls"] == "large"]
    medium_f = [f for f in plain if f["cls"] == "medium"]
    body_top = prng.sample(large_f, min(2, len(large_f))) + \
        prng.sample(medium_f, min(4, len(medium_f)))
    taken = {f["index"] for f in body_top}
    rest = [f for f in plain if f["index"] not in taken]
    chosen = prng.sample(rest, PLANT_BODY_TOP - len(body_top) +
                         PLANT_MD5_TOP + PLANT_SHA256_TOP)
    body_top += chosen[:PLANT_BODY_TOP - len(body_top)]
    chosen = chosen[len(chosen) - PLANT_MD5_TOP - PLANT_SHA256_TOP:]
    md5_top = chosen[:PLANT_MD5_TOP]
    sha_top = chosen[PLANT_MD5_TOP:]
    # archives: body members spread over the three kinds, then md5 members
    arch_sorted = sorted(arch, key=lambda f: (f["archive"]["fmt"], f["index"]))
    prng.shuffle(arch_sorted)
    by_kind = {"zip": [], "targz": [], "nested": []}
    for f in arch_sorted:
        a = f["archive"]
        nested = any("node" in e for e in a["entries"])
        by_kind["nested" if nested else a["fmt"]].append(f)
    order = []
    while any(by_kind.values()):
        for k in ("nested", "zip", "targz"):
            if by_kind[k]:
                order.append(by_kind[k].pop())
    body_arch = order[:PLANT_BODY_MEMBER]
    md5_arch = order[PLANT_BODY_MEMBER:PLANT_BODY_MEMBER + PLANT_MD5_MEMBER]

    body_ids = prng.sample(range(args.body_sigs), PLANT_BODY_TOP +
                           PLANT_BODY_MEMBER)
    md5_ids = prng.sample(range(args.hash_sigs), PLANT_MD5_TOP +
                          PLANT_MD5_MEMBER)
    sha_ids = prng.sample(range(args.hash_sigs), PLANT_SHA256_TOP)

    def pick_member(f):
        every = list(archive_leaves(f["archive"]))
        leaves = [x for x in every if x[1]["ctype"] != "html"]
        if not leaves:
            every[0][1]["ctype"] = "random"
            leaves = every[:1]
        # nested archives: plant at the deepest level half of the time
        deepest = max(len(c) for c, _ in leaves)
        if prng.random() < 0.5:
            leaves = [x for x in leaves if len(x[0]) == deepest]
        return prng.choice(leaves)

    for f, sid in zip(body_top + body_arch, body_ids):
        f["plant"] = ("body", sid)
    for f, sid in zip(md5_top + md5_arch, md5_ids):
        f["plant"] = ("md5", sid)
    for f, sid in zip(sha_top, sha_ids):
        f["plant"] = ("sha256", sid)
    for f in body_arch + md5_arch:
        chain, leaf = pick_member(f)
        leaf["plant"] = f["plant"]
        f["member"] = chain
    return files


# ---------------------------------------------------------------- build

def build_archive(node, make_leaf):
    if node["fmt"] == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            for e in node["entries"]:
                info = zipfile.ZipInfo(e["name"], date_time=FIXED_DATE)
                info.external_attr = 0o644 << 16
                if "node" in e:
                    data = build_archive(e["node"], make_leaf)
                    info.compress_type = zipfile.ZIP_STORED
                else:
                    data = make_leaf(e)
                    info.compress_type = (zipfile.ZIP_STORED if e["stored"]
                                          else zipfile.ZIP_DEFLATED)
                zf.writestr(info, data, compresslevel=6)
        return buf.getvalue()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for e in node["entries"]:
            data = (build_archive(e["node"], make_leaf) if "node" in e
                    else make_leaf(e))
            info = tarfile.TarInfo(e["name"])
            info.size = len(data)
            info.mtime = FIXED_MTIME
            info.mode = 0o644
            info.uname = info.gname = "bench"
            tf.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), compresslevel=6, mtime=0)


def digest_of(chunks, algo):
    h = hashlib.new(algo)
    for c in chunks:
        h.update(c)
    return h.hexdigest()


class Builder:
    def __init__(self, args, out):
        self.args, self.out, self.seed = args, out, args.seed
        self.pools = Pools(args.seed)
        prng = sub_rng(args.seed, "patterns")
        self.patterns = [make_pattern(prng) for _ in range(args.body_sigs)]
        self.planted_hash = {"md5": {}, "sha256": {}}   # id -> (digest, size)
        self.manifest = []
        self.bytes_written = 0

    def planted_chunks(self, rng, chunks, size, plant_spec):
        """Apply a body plant; returns (chunks, instance or None)."""
        kind, sid = plant_spec
        if kind != "body":
            return chunks, None
        inst = self.patterns[sid].instance(sub_rng(self.seed, "inst", sid))
        room = size - len(inst)
        lo = 1024 if room > 2048 else 0
        off = rng.randrange(lo, room + 1)
        return plant(chunks, off, inst), inst

    def record_hash(self, plant_spec, chunks, size):
        kind, sid = plant_spec
        if kind in ("md5", "sha256"):
            self.planted_hash[kind][sid] = (digest_of(chunks, kind), size)

    def sig_name(self, plant_spec):
        kind, sid = plant_spec
        return {"md5": "Bench.Md5.", "sha256": "Bench.Sha256.",
                "body": "Bench.Body."}[kind] + str(sid)

    def write_file(self, f):
        path = os.path.join(self.out, "files", f["path"])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        rng = sub_rng(self.seed, "file", f["index"])
        if f["cls"] == "archive":
            planted_inst = []

            def make_leaf(e):
                lrng = sub_rng(self.seed, "member", f["index"], e["name"])
                chunks = make_content(self.pools, lrng, e["ctype"], e["size"])
                if "plant" in e:
                    chunks, inst = self.planted_chunks(lrng, chunks, e["size"],
                                                       e["plant"])
                    self.record_hash(e["plant"], chunks, e["size"])
                    if inst:
                        planted_inst.append(inst)
                return b"".join(chunks)
            data = build_archive(f["archive"], make_leaf)
            chunks = [data]
            if "plant" in f:
                raw = "-"
                if planted_inst:
                    raw = "yes" if planted_inst[0] in data else "no"
                self.manifest.append((f["path"], self.sig_name(f["plant"]),
                                      f["plant"][0], "//".join(f["member"]),
                                      raw))
        else:
            chunks = make_content(self.pools, rng, f["ctype"], f["size"])
            if "plant" in f:
                chunks, inst = self.planted_chunks(rng, chunks, f["size"],
                                                   f["plant"])
                self.record_hash(f["plant"], chunks, f["size"])
                self.manifest.append((f["path"], self.sig_name(f["plant"]),
                                      f["plant"][0], "-",
                                      "yes" if inst else "-"))
        with open(path, "wb") as fh:
            for c in chunks:
                fh.write(c)
                self.bytes_written += len(c)

    def write_sigs(self):
        args = self.args
        cdir = os.path.join(self.out, "sigs", "clamav")
        ydir = os.path.join(self.out, "sigs", "yara")
        os.makedirs(cdir, exist_ok=True)
        os.makedirs(ydir, exist_ok=True)
        for kind, ext, nbytes, label in (("md5", "hdb", 16, "Md5"),
                                         ("sha256", "hsb", 32, "Sha256")):
            rng = sub_rng(self.seed, "hashsigs", kind)
            planted = self.planted_hash[kind]
            lines = []
            for i in range(args.hash_sigs):
                digest = rng.randbytes(nbytes).hex()
                size = log_uniform(rng, 512, 32 * MIB)
                if i in planted:
                    digest, size = planted[i]
                lines.append(f"{digest}:{size}:Bench.{label}.{i}\n")
            with open(os.path.join(cdir, f"bench.{ext}"), "w") as fh:
                fh.write("".join(lines))
        with open(os.path.join(cdir, "bench.ndb"), "w") as fh:
            fh.write("".join(f"Bench.Body.{i}:0:*:{p.clamav()}\n"
                             for i, p in enumerate(self.patterns)))
        with open(os.path.join(ydir, "bench.yar"), "w") as fh:
            fh.write("// Generated by bench/gen_corpus.py: the byte patterns "
                     "of sigs/clamav/bench.ndb.\n\n")
            fh.write("".join(
                f"rule Bench_Body_{i}\n{{\n  strings:\n    $a = {{ {p.yara()} }}"
                f"\n  condition:\n    $a\n}}\n\n"
                for i, p in enumerate(self.patterns)))

    def write_manifest(self):
        with open(os.path.join(self.out, "expected.tsv"), "w") as fh:
            fh.write("# path\tname\tkind\tmember\tyara_raw\n")
            for row in sorted(self.manifest):
                fh.write("\t".join(row) + "\n")


def params_of(args):
    # The generator's own digest is part of the stamp: any change to this
    # file regenerates the corpus.
    with open(os.path.abspath(__file__), "rb") as fh:
        source = hashlib.sha256(fh.read()).hexdigest()
    return {"generator": GENERATOR_VERSION, "source_sha256": source,
            "seed": args.seed,
            "size_mb": args.size_mb, "files": args.files,
            "hash_sigs": args.hash_sigs, "body_sigs": args.body_sigs}


OUTPUTS = ("files", "sigs/clamav/bench.hdb", "sigs/clamav/bench.hsb",
           "sigs/clamav/bench.ndb", "sigs/yara/bench.yar", "expected.tsv")


def up_to_date(out, params):
    try:
        with open(os.path.join(out, "stamp.json")) as fh:
            if json.load(fh) != params:
                return False
    except (OSError, ValueError):
        return False
    return all(os.path.exists(os.path.join(out, p)) for p in OUTPUTS)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", default=os.path.join(here, "corpus"),
                    help="output folder (default: bench/corpus)")
    ap.add_argument("--size-mb", type=int, default=DEFAULT_SIZE_MB,
                    help="corpus size in MiB (default %(default)s)")
    ap.add_argument("--files", type=int, default=0,
                    help="approximate number of files (default: 2000 at "
                         "1536 MiB, scaled with size, at least 400)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--hash-sigs", type=int, default=100_000,
                    help="MD5 and SHA-256 signatures, each (default 100000)")
    ap.add_argument("--body-sigs", type=int, default=5000)
    ap.add_argument("--force", action="store_true", help="regenerate")
    args = ap.parse_args()
    if args.size_mb < 16:
        ap.error("--size-mb must be at least 16")
    if not args.files:
        args.files = max(MIN_FILES,
                         round(DEFAULT_FILES * args.size_mb / DEFAULT_SIZE_MB))
    args.files = max(args.files, MIN_FILES)
    args.hash_sigs = max(args.hash_sigs, 1000)
    args.body_sigs = max(args.body_sigs, 100)

    out = os.path.abspath(args.out)
    params = params_of(args)
    if not args.force and up_to_date(out, params):
        print(f"gen_corpus: {out} is up to date")
        return 0
    # Stale or partial: start over; the stamp is written last.
    for p in ("stamp.json", "files", "sigs", "expected.tsv"):
        full = os.path.join(out, p)
        if os.path.isdir(full):
            shutil.rmtree(full)
        elif os.path.exists(full):
            os.remove(full)
    os.makedirs(out, exist_ok=True)

    t0 = time.monotonic()
    files = plan(args)
    b = Builder(args, out)
    for f in files:
        b.write_file(f)
    b.write_sigs()
    b.write_manifest()
    with open(os.path.join(out, "stamp.json"), "w") as fh:
        json.dump(params, fh, indent=1, sort_keys=True)
        fh.write("\n")
    dt = time.monotonic() - t0
    print(f"gen_corpus: {len(files)} files, {b.bytes_written / MIB:.1f} MiB, "
          f"{len(b.manifest)} planted, in {dt:.1f} s "
          f"({b.bytes_written / MIB / dt:.0f} MiB/s) -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
