#!/usr/bin/env python3
"""check_listing.py — a page that shows a whole source file shows it exactly.

Usage: python3 tests/docs/check_listing.py SOURCE_ROOT PAGE.md

The page marks each full listing with an HTML comment (invisible when
rendered) right before a fenced code block:

  <!-- listing: examples/first_program.cpp -->

The block must hold that file, every line of it and nothing else (trailing
spaces and the final newline aside). An excerpt, which may skip lines, is
check_commands.py's `<!-- excerpt: ... -->` instead. Prints one line per
problem and exits with 1 if there is any. Standard library only.
"""

import re
import sys
from pathlib import Path

MARKER = re.compile(r"^<!--\s*listing:\s*(\S+)\s*-->\s*$")


def block_after(lines, i):
    """The lines of the fenced block that starts after line i (skipping blank lines), or None."""
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j >= len(lines) or not lines[j].startswith("```"):
        return None
    k = j + 1
    while k < len(lines) and not lines[k].startswith("```"):
        k += 1
    return lines[j + 1:k]


def main():
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1])
        return 2
    root, page = Path(sys.argv[1]), Path(sys.argv[2])
    lines = page.read_text(encoding="utf-8").split("\n")
    problems, count = [], 0
    for i, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if not m:
            continue
        count += 1
        where, path = f"{page.name}:{i + 1}", m.group(1)
        body = block_after(lines, i)
        source = root / path
        if body is None:
            problems.append(f"{where}: a listing marker must stand right before a ``` block")
        elif not source.is_file():
            problems.append(f"{where}: the listing names {path}, which does not exist")
        else:
            want = [l.rstrip() for l in source.read_text(encoding="utf-8").rstrip("\n").split("\n")]
            have = [l.rstrip() for l in body]
            for n, (w, h) in enumerate(zip(want, have), 1):
                if w != h:
                    problems.append(f"{where}: line {n} of the listing differs from {path}: page '{h}', file '{w}'")
                    break
            else:
                if len(want) != len(have):
                    problems.append(f"{where}: the page shows {len(have)} lines of {path}, the file has {len(want)}")
    if count == 0:
        problems.append(f"{page.name}: no <!-- listing: PATH --> marker found")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"{page.name}: {count} listing(s) match their files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
