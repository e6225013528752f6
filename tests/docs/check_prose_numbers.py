#!/usr/bin/env python3
"""check_prose_numbers.py — every number a page's prose quotes comes from the page's own output.

Usage: python3 tests/docs/check_prose_numbers.py PAGE.md...
       python3 tests/docs/check_prose_numbers.py --self-test   (the rules below on a made-up page)
(check_nn_doc.py and check_commands.py also run it on the page they check.)

The OUTPUT of a page is what its marked blocks show a program printing (the
markers of check_nn_doc.py and check_commands.py, HTML comments right before a
fenced block):

  <!-- output: NAME -->   the whole block
  <!-- run -->            the lines of the block that are not "$ " command lines
  <!-- recorded -->       the same for a run too long for the tests to repeat (a
                          training run): a block as for "run", or a table (every
                          cell outside `code` spans)

The PROSE is every other line, outside fenced blocks, HTML comments and `code`
spans, and without link targets. Each number in it must be one of:

  1. a number of the output: the prose writes it with at most as many decimals as
     the output, and the output's number rounded to the prose's decimals (a tie
     either way) is the prose's number: 0.309 matches "0.309" and "0.31", not
     "0.3" from "0.35" nor "9" from "8.966" (no rounding to a whole number).
     A percentage and a fraction are the same number: "96.85%" matches 0.9685,
     "10.8%" matches 10.8 (a column of percents) and 0.108. Thousands
     separators do not count ("8,000" is 8000), nor does a sign.
  2. written in the page's allowlist, one or more HTML comments
        <!-- prose numbers not from output: 28 (pixels per side), 2014 (paper year) -->
     each number as the prose writes it, with its source in brackets. Every entry
     must still occur in the prose, so the list does not outlive what it excuses.
  3. a section number: the "4." that starts a heading or an ordered list's item,
     "section 4", "§4.1".

A number the prose writes with a unit stuck to it ("536k", "2nd") or a version
("1.13.1") can only be allowlisted. So changing any quoted measurement in the
prose fails the check, unless the new value is itself printed on the page.
A page with no output is not checked (there is nothing to cite).
Prints one line per problem (page:line: ...) and exits with 1 if there is any.
Standard library only.
"""

import re
import sys
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Decimal
from pathlib import Path

MARKER = re.compile(r"^<!--\s*(output|run|recorded)(?::\s*\S+)?\s*-->\s*$")
ALLOW = re.compile(r"<!--\s*prose numbers not from output:(.*?)-->", re.S)
ALLOW_ENTRY = re.compile(r"\s*([^\s,()]+(?:,\d{3})*)\s*\(((?:[^()]|\([^()]*\))*)\)\s*(?:,|$)")
# A number as prose writes it: 8,000  0.9685  96.85%  1e-7  with an optional stuck-on word or version tail.
PROSE_NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)*(?:[eE][-+−]?\d+)?%?\w*")
OUTPUT_NUMBER = re.compile(r"(?<![\d.])\d+(?:\.\d+)?(?:[eE][-+]?\d+)?%?")
PLAIN = re.compile(r"(\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)(%?)")
# Section numbers: "## 4. The ceiling", an ordered list's "6. ", "section 4", "§4.1".
SECTION = re.compile(r"^(\s*#+\s*)\d+(?:\.\d+)*\.?(?=\s)|^(\s*)\d+\.(?=\s)|(?:\bsection|§)\s*\d+(?:\.\d+)*", re.I)
CODE_SPAN = re.compile(r"`[^`]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")


def parse(token):
    """'96.85%' -> (Decimal('96.85'), True); None for a token that is not a plain number."""
    m = PLAIN.fullmatch(token.replace(",", "").replace("−", "-"))
    return (Decimal(m.group(1)), m.group(2) == "%") if m else None


def decimals(x):
    return max(0, -x.as_tuple().exponent)


def rounds_to(prose, out):
    """prose written with d decimals, out with at least d, d > 0 unless they are equal."""
    d = decimals(prose)
    if out == prose:
        return True
    if d == 0 or decimals(out) < d:
        return False
    q = Decimal(1).scaleb(-d)
    return out.quantize(q, ROUND_HALF_UP) == prose or out.quantize(q, ROUND_HALF_EVEN) == prose


def matches(prose, out):
    """Rule 1 of the module doc: (value, is_percent) pairs."""
    (p, p_pct), (o, o_pct) = prose, out
    if p_pct == o_pct:
        return rounds_to(p, o)
    if p_pct:  # "10.8%" against a column of percents (10.8) or a fraction (0.108)
        return rounds_to(p, o) or rounds_to(p.scaleb(-2), o)
    return rounds_to(p, o.scaleb(-2))  # 0.9685 against 96.85%


def fenced_regions(lines):
    """{line index: index of the fence's opening line} for every line inside a ``` block, fences included."""
    inside, start = {}, None
    for i, line in enumerate(lines):
        if line.startswith("```"):
            if start is None:
                start = i
            else:
                inside[i] = start
                start = None
                continue
        if start is not None:
            inside[i] = start
    return inside


def output_lines(lines, fenced, doc, problem):
    """(set of line indices that are output, the output's numbers)"""
    out_idx, numbers = set(), []
    for i, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if not m:
            continue
        j = i + 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        body = []
        if j < len(lines) and lines[j].startswith("```"):
            k = j + 1
            while k < len(lines) and not lines[k].startswith("```"):
                body.append(k)
                k += 1
            if m.group(1) != "output":
                body = [k for k in body if not lines[k].startswith("$ ")]
        elif j < len(lines) and lines[j].startswith("|") and m.group(1) == "recorded":
            while j < len(lines) and lines[j].startswith("|"):
                body.append(j)
                out_idx.add(j)  # a recorded table is output, not prose
                j += 1
        elif m.group(1) == "recorded":
            problem(f"{doc}:{i + 1}: a recorded marker must stand right before a ``` block or a table")
        for k in body:
            text = CODE_SPAN.sub(" ", lines[k]) if k not in fenced else lines[k]
            numbers += [parse(t) for t in OUTPUT_NUMBER.findall(text)]
    return out_idx, [n for n in numbers if n]


def prose_lines(lines, fenced, skip):
    """[(line number, text)] of the prose: no fences, HTML comments, code spans or link targets."""
    text = "\n".join("" if i in fenced or i in skip else l for i, l in enumerate(lines))
    text = re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    out = []
    for n, line in enumerate(text.split("\n"), 1):
        line = LINK_TARGET.sub("]", CODE_SPAN.sub(" ", line))
        line = SECTION.sub(lambda m: m.group(1) or m.group(2) or "", line)
        if line.strip():
            out.append((n, line))
    return out


def allowlist(text, doc, problem):
    """{normalised number: (source, line of the allowlist)}"""
    allowed = {}
    for m in ALLOW.finditer(text):
        at = text.count("\n", 0, m.start()) + 1
        body, pos = m.group(1).strip(), 0
        while pos < len(body):
            e = ALLOW_ENTRY.match(body, pos)
            if not e or not e.group(2).strip():
                problem(f"{doc}:{at}: cannot read the allowlist from here on: '{body[pos:pos + 40]}' "
                        f"(write: NUMBER (its source), NUMBER (its source))")
                break
            allowed[normal(e.group(1))] = (e.group(2).strip(), at)
            pos = e.end()
    return allowed


def normal(token):
    return token.replace(",", "").replace("−", "-").lstrip("-+")


def check_page(path, problem):
    """Checks one page; returns the number of prose numbers checked, or None if the page has no output."""
    doc = Path(path).name
    text = Path(path).read_text(encoding="utf-8")
    lines = text.split("\n")
    fenced = fenced_regions(lines)
    skip, numbers = output_lines(lines, fenced, doc, problem)
    if not numbers:
        return None
    allowed = allowlist(text, doc, problem)
    used, checked = set(), 0
    for n, line in prose_lines(lines, fenced, skip):
        for token in PROSE_NUMBER.findall(line):
            checked += 1
            key, value = normal(token), parse(token)
            if key in allowed:
                used.add(key)
            elif value is None or not any(matches(value, o) for o in numbers):
                problem(f"{doc}:{n}: the prose says {token}, which no output on the page shows "
                        f"(make it the output's number, or allowlist it with its source: "
                        f"<!-- prose numbers not from output: {token} (where it comes from) -->)")
    for key in allowed.keys() - used:
        source, at = allowed[key]
        problem(f"{doc}:{at}: the allowlist names {key} ({source}), which the prose no longer says; remove it")
    return checked


SAMPLE = """# A made-up page

Right on 96.85% (0.9685), apart by 0.31 or 0.309, about 9 units, a share of 10.8% or 11.0%,
8,000 digits, 28 pixels, see section 4.

<!-- recorded -->
```text
$ train --digits 8000
accuracy 0.9685  distance 0.309  diversity 8.966  share % 10.8
```

<!-- prose numbers not from output: 28 (pixels per side), 77 (no longer in the text) -->
"""
SAMPLE_PROBLEMS = [
    "sample.md:3: the prose says 9,",        # no rounding to a whole number
    "sample.md:3: the prose says 11.0%,",    # not printed
    "sample.md:4: the prose says 8,000,",    # only on a command line, not in the output
    "sample.md:12: the allowlist names 77",  # stale entry
]


def self_test():
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "sample.md"
        page.write_text(SAMPLE, encoding="utf-8")
        got = []
        check_page(page, got.append)
    bad = [(w, g) for w, g in zip(SAMPLE_PROBLEMS, got) if not g.startswith(w)]
    if len(got) != len(SAMPLE_PROBLEMS) or bad:
        print("the rules no longer work as documented: expected problems starting with")
        print("\n".join(SAMPLE_PROBLEMS) + "\ngot\n" + "\n".join(got))
        return 1
    print(f"the rules find exactly the {len(got)} planted problems of the sample page")
    return 0


def main():
    if sys.argv[1:] == ["--self-test"]:
        return self_test()
    if len(sys.argv) < 2:
        print(__doc__.split("\n\n")[1])
        return 2
    problems = []

    def problem(msg):
        problems.append(msg)
        print(msg)

    for page in sys.argv[1:]:
        checked = check_page(page, problem)
        if checked is None:
            print(f"{Path(page).name}: no output blocks, nothing to check")
    if problems:
        return 1
    print("every prose number is printed on its page or allowlisted with its source")
    return 0


if __name__ == "__main__":
    sys.exit(main())
