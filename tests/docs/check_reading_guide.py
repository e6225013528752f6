#!/usr/bin/env python3
"""check_reading_guide.py — docs/reading_guide.md lists every source file, and only those.

Usage: python3 tests/docs/check_reading_guide.py [SOURCE_ROOT]   (default: two levels up)

The guide lists files as Markdown list items that start with the path in a
code span, then a dash and the sentence about it:

  - `autodiff/tape.hpp` — The tape: ...

Checks, printing one line per problem and exiting with 1 if there is any:
every file under autodiff/, nn/ and examples/ (hidden files, editor backups and
Python caches aside) has exactly one item; every item names a file that exists;
every item has a sentence that ends with a full stop. Standard library only.
"""

import re
import sys
from pathlib import Path

DIRS = ("autodiff", "nn", "examples")
ITEM = re.compile(r"^\s*(?:[-*]|\d+\.)\s+`([^`]+)`\s*(?:—|–|-)?\s*(.*)$")


def source_files(root):
    files = set()
    for d in DIRS:
        for p in (root / d).rglob("*"):
            rel = p.relative_to(root)
            if not p.is_file() or any(part.startswith(".") or part == "__pycache__" for part in rel.parts):
                continue
            if p.name.endswith(("~", ".orig", ".rej", ".swp", ".pyc")):
                continue
            files.add(rel.as_posix())
    return files


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
    guide = root / "docs" / "reading_guide.md"
    problems = []
    listed = {}
    for n, line in enumerate(guide.read_text(encoding="utf-8").split("\n"), 1):
        m = ITEM.match(line)
        if not m or not m.group(1).startswith(tuple(d + "/" for d in DIRS)):
            continue
        path, sentence = m.group(1), m.group(2).strip()
        if path in listed:
            problems.append(f"reading_guide.md:{n}: {path} is listed twice (first on line {listed[path]})")
        listed.setdefault(path, n)
        if not (root / path).is_file():
            problems.append(f"reading_guide.md:{n}: {path} does not exist")
        if not sentence.endswith("."):
            problems.append(f"reading_guide.md:{n}: {path} needs a sentence ending with a full stop")
    for path in sorted(source_files(root) - listed.keys()):
        problems.append(f"reading_guide.md: {path} is not in the guide; add it where a reader should meet it")
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"reading_guide.md: all {len(listed)} files under {', '.join(d + '/' for d in DIRS)} are listed once")
    return 0


if __name__ == "__main__":
    sys.exit(main())
