#!/usr/bin/env python3
"""check_commands.py — runs the commands a page quotes and compares their output with the page.

Usage: python3 tests/docs/check_commands.py SOURCE_ROOT BUILD_ROOT PAGE.md

The page marks what is checked with HTML comments (invisible when rendered),
each right before a fenced code block:

  <!-- excerpt: autodiff/tape.cpp -->   the block's lines are lines of that file, in
                                        order (the rule of check_nn_doc.py, shared)
  <!-- run -->                          a terminal session: each line that starts
                                        with "$ " is a command, the lines after it (up
                                        to the next "$ ") are what it prints
  <!-- writes: docs/images/x.dot -->    the block holds one command "CMD > docs/images/x.dot";
                                        CMD is run and must print exactly that file

Commands run through bash in SOURCE_ROOT, with every path that starts with
`build/` pointing into BUILD_ROOT instead (and BUILD_ROOT/ in their output
shown as `build/` again), and must exit with status 0. Output
is compared line by line: the text must match, integers exactly, other numbers
within 2% or 1e-4 (float results may differ in the last bits between
processors). Every number in the page's prose must be one its output shows, or
allowlisted on the page with its source (check_prose_numbers.py has the rules).
Prints one line per problem and exits with 1 if there is any.
Standard library only.
"""

import re
import subprocess
import sys
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
import check_nn_doc as shared  # noqa: E402  (block_after, check_excerpt, the problem list)
import check_prose_numbers as prose  # noqa: E402

MARKER = re.compile(r"^<!--\s*(excerpt|run|writes)(?::\s*(\S+))?\s*-->\s*$")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")
BUILD_PATH = re.compile(r"(?<![\w/.-])build/")


def problem(msg):
    shared.problem(msg)


def numbers_agree(x, y):
    if re.fullmatch(r"-?\d+", x) and re.fullmatch(r"-?\d+", y):
        return x == y
    fx, fy = float(x), float(y)
    return abs(fx - fy) <= 1e-4 + 0.02 * max(abs(fx), abs(fy))


def compare(expected, actual):
    """'' if the printed text matches the page, else the first difference."""
    exp = expected.rstrip("\n").split("\n") if expected.strip() else []
    act = actual.rstrip("\n").split("\n") if actual.strip() else []
    for n, (e, a) in enumerate(zip(exp, act), 1):
        if NUMBER.sub("#", e.rstrip()) != NUMBER.sub("#", a.rstrip()):
            return f"line {n}: page '{e}', program '{a}'"
        for x, y in zip(NUMBER.findall(e), NUMBER.findall(a)):
            if not numbers_agree(x, y):
                return f"line {n}: page has {x}, program printed {y}: page '{e}', program '{a}'"
    if len(exp) != len(act):
        return f"the page shows {len(exp)} lines, the command printed {len(act)}"
    return ""


def run(root, build, command):
    cmd = BUILD_PATH.sub(str(build) + "/", command)
    return subprocess.run(["bash", "-c", cmd], cwd=root, capture_output=True, text=True, timeout=300)


def check_session(root, build, doc, body, at):
    commands = []  # [(command, [expected lines])]
    for line in body:
        if line.startswith("$ "):
            commands.append((line[2:], []))
        elif commands:
            commands[-1][1].append(line)
        elif line.strip():
            problem(f"{doc}:{at}: a run block must start with a '$ ' command line: {line}")
            return 0
    for command, expected in commands:
        ran = run(root, build, command)
        if ran.returncode != 0:
            problem(f"{doc}:{at}: '{command}' exited with {ran.returncode}: {ran.stderr.strip()[-1000:]}")
            continue
        # The build directory's paths in the output are shown as the page writes them.
        diff = compare("\n".join(expected), ran.stdout.replace(str(build) + "/", "build/"))
        if diff:
            problem(f"{doc}:{at}: '{command}' no longer prints what the page shows: {diff}")
    return len(commands)


def check_writes(root, build, doc, path, body, at):
    lines = [l for l in body if l.strip()]
    m = re.fullmatch(r"\s*(.+?)\s*>\s*(\S+)\s*", lines[0]) if len(lines) == 1 else None
    if not m or m.group(2) != path:
        problem(f"{doc}:{at}: a writes block must hold one command '... > {path}'")
        return
    target = root / path
    if not target.is_file():
        problem(f"{doc}:{at}: {path} does not exist")
        return
    ran = run(root, build, m.group(1))
    if ran.returncode != 0:
        problem(f"{doc}:{at}: '{m.group(1)}' exited with {ran.returncode}: {ran.stderr.strip()[-1000:]}")
    elif ran.stdout != target.read_text(encoding="utf-8"):
        problem(f"{doc}:{at}: {path} is not what '{m.group(1)}' prints now; run the command in the block "
                f"again (and re-render the picture made from it)")


def main():
    if len(sys.argv) != 4:
        print(__doc__.split("\n\n")[1])
        return 2
    root, build, page = Path(sys.argv[1]), Path(sys.argv[2]).resolve(), Path(sys.argv[3])
    doc = page.name
    lines = page.read_text(encoding="utf-8").split("\n")
    counts = {"excerpt": 0, "run": 0, "writes": 0}
    for i, line in enumerate(lines):
        m = MARKER.match(line.strip())
        if not m:
            continue
        kind, arg = m.group(1), m.group(2)
        what, body, _ = shared.block_after(lines, i)
        at = i + 1
        if kind != "run" and not arg:
            problem(f"{doc}:{at}: <!-- {kind}: ... --> needs a path")
        elif kind == "excerpt":
            shared.check_excerpt(root, doc, arg, what, body, at)
            counts["excerpt"] += 1
        elif what != "fence":
            problem(f"{doc}:{at}: a {kind} marker must stand right before a ``` block")
        elif kind == "run":
            counts["run"] += check_session(root, build, doc, body, at)
        else:
            check_writes(root, build, doc, arg, body, at)
            counts["writes"] += 1
    n_prose = prose.check_page(page, problem)
    if shared.problems:
        return 1
    print(f"{doc}: {counts['excerpt']} excerpts match the code, {counts['run']} commands print what the page "
          f"shows, {counts['writes']} committed outputs are current" +
          (f", {n_prose} numbers in the prose come from its output or its allowlist" if n_prose is not None else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
