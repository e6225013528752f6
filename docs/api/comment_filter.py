#!/usr/bin/env python3
"""comment_filter.py — Doxygen's INPUT_FILTER: hands Doxygen a header with its plain
// comments turned into the /// comments it reads, so the headers stay as they are.

Usage (by Doxygen): comment_filter.py HEADER   prints the filtered header on stdout.

The headers follow one convention, and the filter reads it (line count unchanged):
  - the comment block at the top of a file    ->  /// \\file ... (the file's description)
  - a comment block right above a declaration ->  /// (that declaration's documentation)
  - `declaration;  // text` on one line       ->  ///< (documents the declaration)
A comment block followed by a blank line, an access label (public:) or a
preprocessor line documents nothing and stays a plain comment, as do trailing
comments after braces. Standard library only.
"""

import re
import sys

FULL = re.compile(r"^(\s*)//(?!/)(.*)$")


def code_and_comment(line):
    """Split a line at a // that is not inside a string literal: (code, comment or None)."""
    in_str = False
    i = 0
    while i < len(line) - 1:
        c = line[i]
        if c == "\\" and in_str:
            i += 2
            continue
        if c == '"':
            in_str = not in_str
        elif not in_str and line.startswith("//", i):
            return line[:i], line[i + 2:]
        i += 1
    return line, None


def documents_something(line):
    s = line.strip()
    return bool(s) and not s.startswith("#") and not re.match(r"^(public|private|protected)\s*:", s) \
        and not s.startswith("}") and not FULL.match(line)


def keep_layout(out, i, j):
    """Formula lines (indented two spaces or more after ///) keep their layout: each is verbatim."""
    for k in range(i + 1, j):
        if re.match(r"^\s*///\s\s", out[k]):
            out[k] = out[k].replace("///", "/// \\verbatim", 1) + " \\endverbatim"


def filter_lines(lines):
    out = list(lines)
    n = len(lines)
    i = 0
    # The file's opening comment block.
    while i < n and FULL.match(lines[i]):
        text = FULL.match(lines[i]).group(2)
        if i == 0:  # "// tape.hpp — the tape ..." -> "/// \\file tape.hpp The tape ..."
            m = re.match(r"\s*(\S+)\s+—\s+(.*)$", text)
            text = f" {m.group(1)} {m.group(2)[:1].upper()}{m.group(2)[1:]}" if m else ""
            out[i] = "/// \\file" + text
        else:
            out[i] = "///" + text
        i += 1
    keep_layout(out, 0, i)
    while i < n:
        if FULL.match(lines[i]):
            j = i
            while j < n and FULL.match(lines[j]):
                j += 1
            if j < n and documents_something(lines[j]):
                for k in range(i, j):
                    m = FULL.match(lines[k])
                    out[k] = m.group(1) + "///" + m.group(2)
                keep_layout(out, i, j)
            i = j
            continue
        code, comment = code_and_comment(lines[i])
        if comment is not None and not comment.startswith("/") and code.strip() \
                and code.rstrip()[-1] in ";," and not code.strip().startswith("}"):
            out[i] = code + "///<" + comment
        i += 1
    # "e.g. " and "et al. " do not end a sentence: keep Doxygen's one-sentence brief whole.
    return [re.sub(r"\b(e\.g|i\.e|et al|cf)\. ", r"\1.\\ ", l) if l.lstrip().startswith("///") else l
            for l in out]


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    lines = text.split("\n")
    sys.stdout.write("\n".join(filter_lines(lines)))


if __name__ == "__main__":
    main()
