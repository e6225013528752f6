#!/usr/bin/env python3
"""course_files.py — the file work of the course (docs/course.md), for course.sh and meson.

    course_files.py starter N IN OUT [IN OUT ...]
        Write each IN to OUT with every TASK N region blanked: the lines between
        "// TASK N: ..." and "// END TASK N" become one line
        throw std::logic_error("TODO (task N): <title>");  (the markers stay, so a
        later task can blank its own regions in a copy holding this task's work).
    course_files.py plant PLANTED ROOT OUT
        Write ROOT/<the planted file's `file:`> to OUT with its find/replace blocks applied.
    course_files.py planted-list
        One line per course/planted/*.txt: task number, planted file, the file it
        changes, the text its failing output must show (tab-separated).
    course_files.py has-region N FILE
        Exit 0 if FILE holds a TASK N region, 1 if not.

Standard library only: any python3 runs it.
"""
import pathlib
import re
import sys

COURSE = pathlib.Path(__file__).resolve().parent
KEYS = ("file", "find", "replace", "expect")


class CourseError(Exception):
    pass


def tasks():
    """course/tasks.tsv as {number: {slug, files, test, reading, title}}."""
    out = {}
    for line in (COURSE / "tasks.tsv").read_text().splitlines():
        if not line.strip():
            continue
        number, slug, files, test, reading, title = line.split("\t")
        out[int(number)] = dict(slug=slug, files=files.split(","), test=test, reading=reading, title=title)
    return out


def blank(text, n, title, name):
    """text with every TASK n region's lines replaced by one throw (markers kept)."""
    start = re.compile(r"^(\s*)// TASK (\d+): ")
    end = re.compile(r"^\s*// END TASK (\d+)\s*$")
    out, inside, regions = [], False, 0
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        s, e = start.match(line), end.match(line)
        if s and int(s.group(2)) == n:
            if inside:
                raise CourseError(f"{name}:{number}: TASK {n} starts again before its END TASK {n}")
            inside, regions = True, regions + 1
            out.append(line)
            out.append(f'{s.group(1)}throw std::logic_error("TODO (task {n}): {title}");\n')
        elif e and int(e.group(1)) == n:
            if not inside:
                raise CourseError(f"{name}:{number}: END TASK {n} without its TASK {n}")
            inside = False
            out.append(line)
        elif not inside:
            out.append(line)
    if inside:
        raise CourseError(f"{name}: TASK {n} has no END TASK {n}")
    if regions == 0:
        raise CourseError(f"{name}: no TASK {n} region")
    return "".join(out)


def read_planted(path):
    """A planted file as (file, [(find, replace)], expect)."""
    blocks, key = [], None
    for line in pathlib.Path(path).read_text().splitlines():
        m = re.match(r"^(file|find|replace|expect):\s?(.*)$", line)
        if m:
            key = m.group(1)
            blocks.append([key, [m.group(2)] if m.group(2) else []])
        elif key is None:
            continue  # comment lines before the first key
        else:
            blocks[-1][1].append(line)
    values = [(k, "\n".join(v)) for k, v in blocks]
    files = [v for k, v in values if k == "file"]
    expects = [v for k, v in values if k == "expect"]
    if len(files) != 1 or len(expects) != 1:
        raise CourseError(f"{path}: needs exactly one file: and one expect: line")
    pairs, pending = [], None
    for k, v in values:
        if k == "find":
            pending = v
        elif k == "replace":
            if pending is None:
                raise CourseError(f"{path}: replace: without a find: before it")
            pairs.append((pending, v))
            pending = None
    if pending is not None or not pairs:
        raise CourseError(f"{path}: every find: needs a replace: after it")
    return files[0].strip(), pairs, expects[0].strip()


def plant(path, root):
    target, pairs, _ = read_planted(path)
    text = (pathlib.Path(root) / target).read_text()
    for find, replace in pairs:
        count = text.count(find)
        if count != 1:
            raise CourseError(f"{path}: the find: text occurs {count} times in {target}, not once:\n{find}")
        text = text.replace(find, replace)
    return text


def main(argv):
    command, args = (argv[0], argv[1:]) if argv else ("", [])
    if command == "starter" and len(args) >= 3 and len(args) % 2 == 1:
        n = int(args[0])
        title = tasks()[n]["title"]
        for src, dst in zip(args[1::2], args[2::2]):
            text = blank(pathlib.Path(src).read_text(), n, title, src)
            pathlib.Path(dst).write_text(text)
    elif command == "plant" and len(args) == 3:
        pathlib.Path(args[2]).write_text(plant(args[0], args[1]))
    elif command == "planted-list" and not args:
        for path in sorted((COURSE / "planted").glob("task*.txt")):
            target, _, expect = read_planted(path)
            n = int(re.match(r"task(\d+)_", path.name).group(1))
            print(f"{n}\t{path.relative_to(COURSE)}\t{target}\t{expect}")
    elif command == "has-region" and len(args) == 2:
        marker = re.compile(rf"^\s*// TASK {int(args[0])}: ", re.M)
        return 0 if marker.search(pathlib.Path(args[1]).read_text()) else 1
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except CourseError as e:
        print(f"course_files.py: {e}", file=sys.stderr)
        sys.exit(1)
