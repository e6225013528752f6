#!/usr/bin/env python3
"""check_nn_doc.py — keeps docs/nn.md true to the code.

Usage: python3 tests/docs/check_nn_doc.py SOURCE_ROOT [BUILD_ROOT] [--doc PATH]

The page marks what it quotes and what it runs with HTML comments (invisible
when rendered), each placed right before a fenced code block or a table:

  <!-- excerpt: nn/optim.cpp -->   before a ``` block: every non-blank line of the
                                   block, stripped, is a line of that file, and
                                   they come in the same order (a real excerpt);
                                   before a table: every `code` span in the last
                                   column is a whole (stripped) line of that file.
  <!-- program: NAME -->           before a ```cpp block: a complete program.
  <!-- output: NAME -->            before a ``` block: what that program prints.

Given BUILD_ROOT (a finished build directory), each program is compiled against
BUILD_ROOT/nn/libxgrad_nn.a and BUILD_ROOT/autodiff/libxgrad_autodiff.a with
$CXX (default c++) and -Werror, run in a scratch directory, and its output is
compared with the page: the text must match exactly, integers too, and other
numbers within 5% (BLAS kernels differ between processors in the last bits,
and a long training run carries those differences into printed losses).
Every number in the page's prose must be one its output shows, or allowlisted
on the page with its source (check_prose_numbers.py, which has the rules).
Prints one line per problem and exits with 1 if there is any. Standard library only.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_prose_numbers as prose  # noqa: E402

MARKER = re.compile(r"^<!--\s*(excerpt|program|output):\s*(\S+)\s*-->\s*$")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
RTOL = 0.05

problems = []


def problem(msg):
    problems.append(msg)
    print(msg)


# --------------------------------------------------------------------------
# Reading the page


def block_after(lines, i):
    """The fenced block or table that starts after line i: ('fence'|'table', [lines], first line no.)."""
    j = i + 1
    while j < len(lines) and not lines[j].strip():
        j += 1
    if j < len(lines) and lines[j].startswith("```"):
        k = j + 1
        while k < len(lines) and not lines[k].startswith("```"):
            k += 1
        return "fence", lines[j + 1:k], j + 2
    if j < len(lines) and lines[j].startswith("|"):
        k = j
        while k < len(lines) and lines[k].startswith("|"):
            k += 1
        return "table", lines[j:k], j + 1
    return None, [], j + 1


def marked_blocks(doc_text):
    """[(kind, name, block kind, block lines, line number of the marker)]"""
    lines = doc_text.split("\n")
    out = []
    for i, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if m:
            what, body, _ = block_after(lines, i)
            out.append((m.group(1), m.group(2), what, body, i + 1))
    return out


# --------------------------------------------------------------------------
# Excerpts


def check_excerpt(root, doc, path, what, body, at):
    src = root / path
    if not src.is_file():
        problem(f"{doc}:{at}: excerpt names {path}, which does not exist")
        return
    file_lines = [l.strip() for l in src.read_text(encoding="utf-8").split("\n")]
    if what == "fence":
        pos = 0
        for line in body:
            want = line.strip()
            if not want:
                continue
            try:
                pos = file_lines.index(want, pos) + 1
            except ValueError:
                problem(f"{doc}:{at}: this line is not in {path} (or not in this order): {want}")
                return
    elif what == "table":
        rows = body[2:]  # skip the header and the |---| row
        if not rows:
            problem(f"{doc}:{at}: excerpt table has no rows")
        for row in rows:
            cells = [c.strip() for c in row.strip().strip("|").split("|")]
            spans = re.findall(r"`([^`]+)`", cells[-1])
            if not spans:
                problem(f"{doc}:{at}: a row of the excerpt table quotes no code: {row}")
            for span in spans:
                if span.strip() not in file_lines:
                    problem(f"{doc}:{at}: this line is not in {path}: {span}")
    else:
        problem(f"{doc}:{at}: an excerpt marker must stand right before a ``` block or a table")


# --------------------------------------------------------------------------
# Programs


def same_output(expected, actual):
    """'' if they agree, else a description of the first difference."""
    exp_lines, act_lines = expected.rstrip("\n").split("\n"), actual.rstrip("\n").split("\n")
    if len(exp_lines) != len(act_lines):
        return f"the page shows {len(exp_lines)} lines, the program printed {len(act_lines)}"
    for n, (e, a) in enumerate(zip(exp_lines, act_lines), 1):
        if NUMBER.sub("#", e) != NUMBER.sub("#", a):
            return f"line {n} differs in text: page '{e}', program '{a}'"
        for x, y in zip(NUMBER.findall(e), NUMBER.findall(a)):
            if re.fullmatch(r"-?\d+", x) and re.fullmatch(r"-?\d+", y):
                ok = x == y
            else:
                fx, fy = float(x), float(y)
                ok = abs(fx - fy) <= RTOL * max(abs(fx), abs(fy))
            if not ok:
                return f"line {n}: page has {x}, program printed {y}: page '{e}', program '{a}'"
    return ""


def run_program(root, build, doc, name, code, expected, at):
    libs = [build / "nn" / "libxgrad_nn.a", build / "autodiff" / "libxgrad_autodiff.a"]
    for lib in libs:
        if not lib.is_file():
            problem(f"{doc}:{at}: cannot build program {name}: {lib} is missing (build the project first)")
            return
    with tempfile.TemporaryDirectory(prefix=f"nn_doc_{name}_") as tmp:
        src, exe = Path(tmp) / f"{name}.cpp", Path(tmp) / name
        src.write_text("\n".join(code) + "\n", encoding="utf-8")
        # XGRAD_OUTSIDE_CXXFLAGS: a sanitized build's -fsanitize flags (set by tests/meson.build)
        cmd = [os.environ.get("CXX", "c++"), "-std=c++20", "-O1", "-Wall", "-Wextra", "-pedantic", "-Werror",
               *os.environ.get("XGRAD_OUTSIDE_CXXFLAGS", "").split(), f"-I{root}", str(src), *map(str, libs), "-lopenblas", "-o", str(exe)]
        built = subprocess.run(cmd, capture_output=True, text=True)
        if built.returncode != 0:
            problem(f"{doc}:{at}: program {name} does not compile:\n{built.stderr[-3000:]}")
            return
        ran = subprocess.run([str(exe)], cwd=tmp, capture_output=True, text=True, timeout=120)
        if ran.returncode != 0:
            problem(f"{doc}:{at}: program {name} exited with {ran.returncode}:\n{ran.stderr[-2000:]}")
            return
        diff = same_output(expected, ran.stdout)
        if diff:
            problem(f"{doc}:{at}: output of program {name} does not match the page: {diff}")


# --------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("source_root", nargs="?", default=str(Path(__file__).resolve().parents[2]))
    ap.add_argument("build_root", nargs="?")
    ap.add_argument("--doc", help="the page to check (default SOURCE_ROOT/docs/nn.md)")
    args = ap.parse_args()
    root = Path(args.source_root)
    doc_path = Path(args.doc) if args.doc else root / "docs" / "nn.md"
    doc = doc_path.name
    blocks = marked_blocks(doc_path.read_text(encoding="utf-8"))

    programs, outputs = {}, {}
    n_excerpts = 0
    for kind, name, what, body, at in blocks:
        if kind == "excerpt":
            n_excerpts += 1
            check_excerpt(root, doc, name, what, body, at)
        else:
            table = programs if kind == "program" else outputs
            if what != "fence":
                problem(f"{doc}:{at}: a {kind} marker must stand right before a ``` block")
            elif name in table:
                problem(f"{doc}:{at}: a second {kind} named {name}")
            else:
                table[name] = (body, at)
    for name in programs.keys() - outputs.keys():
        problem(f"{doc}:{programs[name][1]}: program {name} has no <!-- output: {name} --> block")
    for name in outputs.keys() - programs.keys():
        problem(f"{doc}:{outputs[name][1]}: output {name} belongs to no <!-- program: {name} --> block")

    ran = 0
    if args.build_root:
        for name, (code, at) in programs.items():
            if name in outputs:
                run_program(root, Path(args.build_root), doc, name, code, "\n".join(outputs[name][0]), at)
                ran += 1
    n_prose = prose.check_page(doc_path, problem)
    if problems:
        return 1
    print(f"{doc}: {n_excerpts} excerpts match the code; " +
          (f"{ran} programs compiled, ran and printed what the page shows" if args.build_root
           else f"{len(programs)} programs not run (no build directory given)") +
          (f"; {n_prose} numbers in the prose come from its output or its allowlist" if n_prose is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
