#!/usr/bin/env python3
"""How much Python source text region parsing could leave unparsed.

The word pre-scan (crates/perfkit-analyze/src/prescan.rs) skips whole files with none of
its trigger words. Region parsing would go below file level: leave out the functions and
methods whose own text has no trigger word. This script measures, on a real tree, the
bytes such functions hold, under three rules of increasing safety:

  words      the function's text (decorators included) has none of the pre-scan's words;
  sound      also: no `import` in it, every class around it has no trigger word in its
             header (a `View` base makes every method a handler), and its name is not
             used elsewhere in the file (a sync helper called from an async handler, a
             route registered by name) unless it is a dunder method;
  sound-if-async  like `sound`, but the name check only in files with `async` or a
             route registration (`path(`, `url(`, `add_url_rule`), where it matters.

Test files are left out, as `perfkit analyze` does in a directory walk. Parse time
follows bytes, so the percentages bound what region parsing could save of the parse.

    python3 bench/analyze-region-estimate.py TREE
"""
import ast
import collections
import os
import re
import sys

WORDS = {"for", "while", "async", "request"}
PARTS = ["View", "Mixin", "open", "connect", "socket", "FTP", "ession", "Client", "getconn", "acquire"]
IDENT = re.compile(r"[A-Za-z0-9_]+")


def triggered(text, extra=()):
    if "@" in text:
        return True
    for word in IDENT.findall(text):
        if len(word) >= 3 and (word in WORDS or word in extra or any(p in word for p in PARTS)):
            return True
    return False


def region(lines, node):
    first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    return "".join(lines[first - 1 : node.end_lineno])


def droppable(source, rule):
    """Bytes of functions and methods that `rule` would leave unparsed."""
    lines = source.splitlines(keepends=True)
    tree = ast.parse(source)
    counts = collections.Counter(IDENT.findall(source))
    name_matters = rule == "sound" or (
        rule == "sound-if-async" and re.search(r"\basync\b|add_url_rule|\bpath\(|\burl\(", source)
    )
    total = 0

    def visit(parent):
        nonlocal total
        for node in ast.iter_child_nodes(parent):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                text = region(lines, node)
                if rule == "words":
                    if not triggered(text):
                        total += len(text.encode())
                    else:
                        visit(node)
                    continue
                dunder = node.name.startswith("__") and node.name.endswith("__")
                used = counts[node.name] > 1 and not dunder
                if not triggered(text, {"import"}) and not (name_matters and used):
                    total += len(text.encode())
            elif isinstance(node, ast.ClassDef):
                if rule == "words":
                    visit(node)
                    continue
                first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
                header = "".join(lines[first - 1 : node.body[0].lineno - 1])
                if not triggered(header):
                    visit(node)

    visit(tree)
    return total


def main():
    root = sys.argv[1]
    totals = collections.Counter()
    for directory, _, names in os.walk(root):
        for name in names:
            path = os.path.join(directory, name)
            stem = name.split(".")[0]
            test = (
                stem.startswith("test_")
                or stem.endswith("_test")
                or stem == "conftest"
                or any(p in ("tests", "test") for p in os.path.relpath(path, root).split(os.sep))
            )
            if not name.endswith(".py") or test:
                continue
            source = open(path, encoding="utf-8").read()
            size = len(source.encode())
            totals["files"] += 1
            totals["bytes"] += size
            if not triggered(source):
                continue
            totals["parsed"] += size
            for rule in ("words", "sound", "sound-if-async"):
                totals[rule] += droppable(source, rule)
    print(f"{root}: {totals['files']} files, {totals['bytes']:,} bytes, {totals['parsed']:,} parsed after the file pre-scan")
    for rule in ("words", "sound", "sound-if-async"):
        print(f"  {rule:15} {totals[rule]:>10,} bytes in functions left out ({totals[rule] / totals['parsed']:.1%} of the parsed bytes)")


if __name__ == "__main__":
    main()
