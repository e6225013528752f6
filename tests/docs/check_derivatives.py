#!/usr/bin/env python3
"""check_derivatives.py — keeps docs/derivatives.md in step with the code.

Usage: python3 tests/docs/check_derivatives.py [SOURCE_ROOT]   (default: two levels up)

Checks, printing one line per problem and exiting with 1 if there is any:
  1. every op declared in autodiff/ops_*.hpp (a `Tensor name(...)` declaration,
     or `Indices name(...)` for an op that returns integers, such as argmax; the
     inline operator overloads are not ops) has a row whose op cell holds the
     same signature, and every signature in a row is declared in a header;
  2. every row names at least one test as `tests/<file>.cpp: "<name>"`; every
     such reference on the page names a file that exists and holds TEST_CASE("<name>");
  3. every name a row says the op "records `...`" is passed to record("...") in
     the op's .cpp (for a "composite" row, in any autodiff/ops_*.cpp: transpose
     records permute's entry), and every record("...") there is in some row;
  4. the C++ operator table lists every inline operator of the headers with the
     function it calls, and nothing else.
Fenced code blocks (``` ... ```) are skipped: examples there are not rows.
Standard library only.
"""

import re
import sys
from pathlib import Path

DOC = "docs/derivatives.md"
HEADER_GLOB = "ops_*.hpp"
RESULT = r"(?:Tensor|Indices)"  # the return types of ops


# --------------------------------------------------------------------------
# C++ side


def strip_comments(text):
    """Remove // comments (the headers hold no string literals with //)."""
    return re.sub(r"//[^\n]*", "", text)


def normalize(sig):
    """One spelling per signature: single spaces, none inside the parentheses' edges."""
    sig = sig.strip().rstrip(";").strip()
    sig = re.sub(r"\s+", " ", sig)
    sig = re.sub(r"\(\s+", "(", sig)
    sig = re.sub(r"\s+\)", ")", sig)
    sig = re.sub(r"\s*,\s*", ", ", sig)
    return sig


def parse_declarations(header):
    """[(name, normalized signature, line)] for every `Tensor name(...);` (or Indices) at the start of a line."""
    text = strip_comments(header.read_text(encoding="utf-8"))
    decls = []
    for m in re.finditer(r"(?m)^[ \t]*" + RESULT + r"[ \t]+(\w+)[ \t]*\(", text):
        depth, end = 0, None
        for j in range(m.end() - 1, len(text)):  # find the matching ')'
            if text[j] == "(":
                depth += 1
            elif text[j] == ")":
                depth -= 1
                if depth == 0:
                    end = j + 1
                    break
        if end is None:
            continue
        rest = text[end:].lstrip()
        if not rest.startswith(";"):  # a definition, not a declaration
            continue
        line = text.count("\n", 0, m.start()) + 1
        decls.append((m.group(1), normalize(text[m.start():end]), line))
    return decls


def parse_operators(header):
    """[(expression, call, line)] for `inline Tensor operator+(const Tensor& x, float s) { return add(x, s); }`."""
    text = header.read_text(encoding="utf-8")
    ops = []
    pattern = r"inline\s+Tensor\s+operator\s*(\S+?)\s*\(([^)]*)\)\s*\{\s*return\s+([^;]+);\s*\}"
    for m in re.finditer(pattern, text):
        symbol, params, call = m.group(1), m.group(2), normalize(m.group(3))
        names = [p.strip().split()[-1].lstrip("&*") for p in params.split(",") if p.strip()]
        if len(names) == 1:
            expr = f"{symbol}{names[0]}"
        elif len(names) == 2:
            expr = f"{names[0]} {symbol} {names[1]}"
        else:
            continue
        ops.append((expr, call, text.count("\n", 0, m.start()) + 1))
    return ops


def recorded_names(source):
    """Names passed to record("...") in a .cpp file."""
    return set(re.findall(r'\brecord\(\s*"(\w+)"', source.read_text(encoding="utf-8")))


# --------------------------------------------------------------------------
# Markdown side


def split_cells(line):
    """Cells of a table row, split at unescaped '|'; '\\|' becomes '|'."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    cells = re.split(r"(?<!\\)\|", body)
    return [c.strip().replace("\\|", "|") for c in cells]


def is_separator(cells):
    return all(re.fullmatch(r":?-{3,}:?", c) for c in cells)


def code_spans(text):
    return re.findall(r"`([^`]+)`", text)


def parse_doc(path):
    """Tables and the test references outside fenced code.

    Returns (tables, prose_refs): tables is a list of {header, rows}, each row
    {cells, line}; prose_refs is [(file, name, line)] found outside tables.
    """
    tables, prose_refs = [], []
    in_fence = False
    current = None  # the table being read
    pending_header = None  # (cells, line) of a row that may start a table
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
            current = pending_header = None
            continue
        if in_fence:
            continue
        if not line.lstrip().startswith("|"):
            current = pending_header = None
            prose_refs += [(f, n, number) for f, n in test_refs(line)]
            continue
        cells = split_cells(line)
        if current is not None:
            current["rows"].append({"cells": cells, "line": number})
        elif pending_header is not None and is_separator(cells):
            current = {"header": pending_header[0], "line": pending_header[1], "rows": []}
            tables.append(current)
            pending_header = None
        else:
            pending_header = (cells, number)
    return tables, prose_refs


TEST_REF = re.compile(r'`(tests/[\w./-]+\.cpp):\s*"([^"]+)"`')


def test_refs(text):
    return TEST_REF.findall(text)


# --------------------------------------------------------------------------
# The checks


def main():
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2]
    doc = root / DOC
    problems = []

    def problem(where, message):
        problems.append(f"{where}: {message}")

    if not doc.is_file():
        print(f"{DOC}: missing (looked in {root})", file=sys.stderr)
        return 1

    # Declarations, operators and record names from the sources.
    headers = sorted((root / "autodiff").glob(HEADER_GLOB))
    if not headers:
        print(f"autodiff/{HEADER_GLOB}: no headers found under {root}", file=sys.stderr)
        return 1
    declared = {}  # signature -> (header path, name, line)
    names = {}  # name -> [signatures]
    operators = []  # (expression, call, header, line)
    for h in headers:
        rel = h.relative_to(root).as_posix()
        for name, sig, line in parse_declarations(h):
            declared[sig] = (h, name, line)
            names.setdefault(name, []).append(sig)
        operators += [(e, c, rel, line) for e, c, line in parse_operators(h)]
    records = {}  # cpp path -> names passed to record()
    for h in headers:
        cpp = h.with_suffix(".cpp")
        if cpp.is_file():
            records[cpp] = recorded_names(cpp)
    all_records = set().union(*records.values())

    tables, prose_refs = parse_doc(doc)
    op_tables = [t for t in tables if t["header"] and t["header"][0].lower() == "op"]
    operator_tables = [t for t in tables if t["header"] and t["header"][0].lower() == "c++ operator"]
    if not op_tables:
        problem(DOC, 'no op table found (a table whose first column is headed "op")')

    # Test references anywhere on the page: the file exists and holds the TEST_CASE.
    test_sources = {}

    checked_refs = set()

    def check_ref(where, file, name):
        checked_refs.add((file, name))
        path = root / file
        if file not in test_sources:
            test_sources[file] = path.read_text(encoding="utf-8") if path.is_file() else None
        source = test_sources[file]
        if source is None:
            problem(where, f'test file {file} does not exist (referenced for "{name}")')
        elif not re.search(r'\bTEST_CASE\(\s*"' + re.escape(name) + r'"', source):
            problem(where, f'{file} has no TEST_CASE("{name}")')

    for file, name, line in prose_refs:
        check_ref(f"{DOC}:{line}", file, name)

    # Op rows.
    documented = {}  # signature -> line of its row
    documented_records = set()
    row_count = 0
    for table in op_tables:
        width = len(table["header"])
        for row in table["rows"]:
            row_count += 1
            cells, line = row["cells"], row["line"]
            where = f"{DOC}:{line}"
            if len(cells) != width:  # reported, then read as well as it can be (no cascade of problems)
                problem(where, f"row has {len(cells)} cells, its table has {width} columns "
                               "(write a | inside a cell as \\|)")
            op_cell = cells[0]
            sigs = [normalize(s) for s in code_spans(op_cell) if re.match(RESULT + r"\s+\w+\s*\(", s)]
            label = re.match(RESULT + r"\s+(\w+)", sigs[0]).group(1) if sigs else op_cell[:40]
            where = f"{DOC}:{line}: row `{label}`"
            if not sigs:
                problem(where, "the op cell holds no C++ signature in backticks (`Tensor name(...)`)")

            headers_of_row = set()
            for sig in sigs:
                if sig in documented:
                    problem(where, f"`{sig}` already has a row (line {documented[sig]})")
                documented.setdefault(sig, line)
                if sig in declared:
                    headers_of_row.add(declared[sig][0])
                    continue
                name = re.match(RESULT + r"\s+(\w+)", sig).group(1)
                if name in names:
                    problem(where, f"`{sig}` is not declared in any autodiff/{HEADER_GLOB}; "
                                   f"the headers declare: " + "; ".join(f"`{s}`" for s in names[name]))
                else:
                    problem(where, f"op `{name}` is not declared in any autodiff/{HEADER_GLOB}")

            # "records `a` then `b`", or "records nothing".
            at = op_cell.find("records")
            if at < 0:
                problem(where, 'the op cell does not say what the op records ("records `name`" or "records nothing")')
            else:
                composite = "composite" in op_cell
                for rec in re.findall(r"`(\w+)`", op_cell[at:]):
                    documented_records.add(rec)
                    for h in headers_of_row:
                        cpp = h.with_suffix(".cpp")
                        if rec not in records.get(cpp, set()) and not (composite and rec in all_records):
                            problem(where, f'says it records `{rec}`, but {cpp.relative_to(root).as_posix()} '
                                           f'has no record("{rec}", ...)')

            refs = test_refs(cells[-1] if len(cells) == width else " ".join(cells))
            if not refs:
                problem(where, 'names no test; write `tests/test_ops_X.cpp: "TEST_CASE name"` in the last column')
            for file, name in refs:
                check_ref(where, file, name)

    # Every declaration has a row.
    for sig, (h, name, line) in sorted(declared.items(), key=lambda d: (str(d[1][0]), d[1][2])):
        if sig not in documented:
            problem(f"{h.relative_to(root).as_posix()}:{line}",
                    f"op `{name}` has no row in {DOC} (add one with the signature `{sig}`)")

    # Every record("...") is documented.
    for cpp, recs in sorted(records.items()):
        for rec in sorted(recs - documented_records):
            problem(cpp.relative_to(root).as_posix(), f'record("{rec}", ...) appears in no row of {DOC} '
                                                      f'(say "records `{rec}`" in the op cell of its row)')

    # The operator table.
    if operators and not operator_tables:
        problem(DOC, 'no operator table found (a table whose first column is headed "C++ operator")')
    listed = {}  # expression -> (calls in the same row, line)
    for table in operator_tables:
        for row in table["rows"]:
            cells = row["cells"]
            if len(cells) < 2:
                problem(f"{DOC}:{row['line']}", "operator row needs at least two cells: expression, call")
                continue
            calls = {normalize(c) for c in code_spans(cells[1])}
            for expr in code_spans(cells[0]):
                listed[normalize(expr)] = (calls, row["line"])
    header_exprs = set()
    for expr, call, header, line in operators:
        header_exprs.add(expr)
        if expr not in listed:
            problem(f"{header}:{line}", f"operator `{expr}` is missing from the operator table of {DOC}")
        elif call not in listed[expr][0]:
            problem(f"{DOC}:{listed[expr][1]}", f"operator `{expr}` calls `{call}` ({header}:{line}), "
                                                 f"but the table says " + ", ".join(f"`{c}`" for c in sorted(listed[expr][0])))
    for expr, (_, line) in listed.items():
        if expr not in header_exprs:
            problem(f"{DOC}:{line}", f"operator `{expr}` is not defined in any autodiff/{HEADER_GLOB}")

    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        print(f"{DOC}: {len(problems)} problem(s)", file=sys.stderr)
        return 1
    print(f"{DOC}: OK — {row_count} rows cover the {len(declared)} ops declared in autodiff/{HEADER_GLOB}, "
          f"the operator table covers {len(operators)} operators, and the {len(checked_refs)} test cases "
          f"named on the page exist")
    return 0


if __name__ == "__main__":
    sys.exit(main())
