#!/usr/bin/env python3
"""Strict check of Prometheus' text exposition format (version 0.0.4), for the metric-server tests.

Reads the exposition on stdin. Every line must be a "# HELP name text" or "# TYPE name type" comment or a
sample "name{label="value",...} value"; each family has one HELP and one TYPE line, both before its samples,
and its samples come together; a sample's name is a declared family's (or name_bucket/_sum/_count of a
histogram or summary); label names are valid, label values use only the \\\\, \\" and \\n escapes; no series
(name and label set) appears twice; the value is a number (or NaN, +Inf, -Inf). On success it prints each sample
as "name{labels} value" with its labels sorted by name, and exits 0; otherwise it prints the first bad line and
exits 1.
"""
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def fail(lineno, line, why):
    print(f"line {lineno}: {why}: {line!r}")
    sys.exit(1)


def parse_labels(text, lineno, line):
    labels = {}
    i = 0
    while i < len(text):
        m = re.match(LABEL, text[i:])
        if not m:
            fail(lineno, line, "bad label name")
        name = m.group(0)
        i += len(name)
        if text[i : i + 2] != '="':
            fail(lineno, line, "expected =\" after label " + name)
        i += 2
        value = []
        while True:
            if i >= len(text):
                fail(lineno, line, "unterminated label value")
            c = text[i]
            if c == "\\":
                nxt = text[i + 1 : i + 2]
                if nxt not in ("\\", '"', "n"):
                    fail(lineno, line, "bad escape in label value")
                value.append({"\\": "\\", '"': '"', "n": "\n"}[nxt])
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == "\n":
                fail(lineno, line, "newline in label value")
            else:
                value.append(c)
                i += 1
        if name in labels:
            fail(lineno, line, "label " + name + " twice")
        labels[name] = "".join(value)
        if i < len(text):
            if text[i] != ",":
                fail(lineno, line, "expected , between labels")
            i += 1
    return labels


def escape(v):
    return v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def main():
    data = sys.stdin.read()
    if data and not data.endswith("\n"):
        fail(0, data[-40:], "the exposition does not end with a newline")
    helps, types, done, series = {}, {}, set(), set()
    current = None
    out = []
    for lineno, line in enumerate(data.split("\n")[:-1], 1):
        if line.startswith("#"):
            m = re.fullmatch(r"# (HELP|TYPE) (" + NAME + r") (.*)", line)
            if not m:
                if line.startswith("# HELP") or line.startswith("# TYPE"):
                    fail(lineno, line, "malformed HELP/TYPE line")
                fail(lineno, line, "a comment that is not HELP or TYPE")
            kind, name, rest = m.groups()
            if name in done or (current is not None and current != name and name in helps):
                fail(lineno, line, "family " + name + " declared again after its samples")
            table = helps if kind == "HELP" else types
            if name in table:
                fail(lineno, line, kind + " of " + name + " twice")
            if kind == "TYPE" and rest not in TYPES:
                fail(lineno, line, "unknown type " + rest)
            if kind == "HELP" and re.search(r"\\[^\\n]", rest):
                fail(lineno, line, "bad escape in HELP text")
            table[name] = rest
            if current is not None and current != name:
                done.add(current)
            current = name
            continue
        m = re.fullmatch(r"(" + NAME + r")(?:\{(.*)\})? (\S+)(?: (-?\d+))?", line)
        if not m:
            fail(lineno, line, "not a sample line")
        name, labeltext, value, _ts = m.groups()
        family = name
        if family not in types:
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if types.get(base) in ("histogram", "summary"):
                family = base
            else:
                fail(lineno, line, "sample of an undeclared family")
        if family != current:
            fail(lineno, line, "sample away from its family's HELP/TYPE block")
        if family not in helps:
            fail(lineno, line, "family without HELP")
        if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|NaN|[-+]Inf", value):
            fail(lineno, line, "bad value")
        labels = parse_labels(labeltext or "", lineno, line)
        key = (name, tuple(sorted(labels.items())))
        if key in series:
            fail(lineno, line, "series twice")
        series.add(key)
        text = ",".join(f'{k}="{escape(v)}"' for k, v in sorted(labels.items()))
        out.append(f"{name}{{{text}}} {value}" if labels else f"{name} {value}")
    for name in types:
        if name not in helps:
            fail(0, name, "family without HELP")
    print("\n".join(out))


if __name__ == "__main__":
    main()
