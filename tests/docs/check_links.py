#!/usr/bin/env python3
"""check_links.py — every relative link in README.md and docs/*.md leads somewhere.

Usage: python3 tests/docs/check_links.py [SOURCE_ROOT]   (default: two levels up)

For each Markdown link or image, [text](target) or ![alt](target), outside code
blocks and code spans: web and mail links are skipped; any other target must
name a file or directory that exists (relative to the page), and a #fragment
must name a heading of the target page (GitHub's anchor rule: lower case,
punctuation dropped, spaces to hyphens, -1, -2 ... for repeats) or an explicit
<a id="..."> / <a name="..."> in it. Also: no line of prose is a bare
placeholder word such as MLP_TABLE (upper case with an underscore), the mark of
a page built from a template whose blank was never filled. Prints one line per
problem and exits with 1 if there is any. Standard library only.
"""

import re
import sys
from pathlib import Path

LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
PLACEHOLDER = re.compile(r"^\s*[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\s*$")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
EXPLICIT_ANCHOR = re.compile(r"<a\s+(?:id|name)=\"([^\"]+)\"")


def prose_lines(text):
    """(line number, line) outside fenced code blocks, with code spans blanked out."""
    fence = None
    for n, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^\s*(```+|~~~+)", line)
        if m:
            if fence is None:
                fence = m.group(1)[:3]
            elif m.group(1).startswith(fence):
                fence = None
            continue
        if fence is None:
            yield n, re.sub(r"`[^`]*`", "``", line)


def slug(heading):
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps only its text
    text = text.replace("`", "")
    text = re.sub(r"<[^>]+>", "", text)
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(path, cache={}):
    if path not in cache:
        found, seen = set(), {}
        text = path.read_text(encoding="utf-8")
        for _, line in prose_lines(text):
            found.update(EXPLICIT_ANCHOR.findall(line))
        fence = None
        for line in text.split("\n"):  # headings, with their code spans intact
            m = re.match(r"^\s*(```+|~~~+)", line)
            if m:
                fence = m.group(1)[:3] if fence is None else (None if m.group(1).startswith(fence) else fence)
                continue
            h = HEADING.match(line) if fence is None else None
            if h:
                base = slug(h.group(2))
                n = seen.get(base, 0)
                seen[base] = n + 1
                found.add(base if n == 0 else f"{base}-{n}")
        cache[path] = found
    return cache[path]


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
    pages = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    broken, count = [], 0
    for page in pages:
        for n, line in prose_lines(page.read_text(encoding="utf-8")):
            if PLACEHOLDER.match(line):
                broken.append(f"{page.relative_to(root)}:{n}: an unfilled placeholder: {line.strip()}")
            for target in LINK.findall(line):
                if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # http:, https:, mailto:
                    continue
                count += 1
                where = f"{page.relative_to(root)}:{n}"
                file_part, _, fragment = target.partition("#")
                dest = (page.parent / file_part).resolve() if file_part else page
                if not dest.exists():
                    broken.append(f"{where}: link to {target}: {file_part} does not exist")
                elif fragment and dest.suffix == ".md" and fragment not in anchors(dest):
                    broken.append(f"{where}: link to {target}: {dest.name} has no heading with anchor #{fragment}")
    for b in broken:
        print(b)
    if broken:
        return 1
    print(f"{len(pages)} pages, {count} relative links, all lead to an existing file and anchor; no placeholder left")
    return 0


if __name__ == "__main__":
    sys.exit(main())
