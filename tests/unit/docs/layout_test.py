#!/usr/bin/env python3
"""README's Layout and docs/architecture.md show one tree, and it is the tree on disk.

The first fenced block of docs/architecture.md and the block under README's
"## Layout" must be identical; every folder they name must exist; and every folder
under src/, src/net/, src/driver/ and host/ must be named, so a folder added
without its line fails here."""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DESCRIBED = ["src", "src/net", "src/driver", "host"]


def first_block(text, after=None):
    start = text.index(after) if after else 0
    a = text.index("```", start)
    b = text.index("```", a + 3)
    return text[a + 3:b].strip("\n")


def folders(block):
    """Paths of the folders the tree names, from its indentation."""
    paths, stack = [], []
    for line in block.splitlines():
        m = re.match(r"( *)(\S+)/\s", line + " ")
        if not m:
            continue
        depth = len(m.group(1)) // 2
        stack[depth:] = [m.group(2)]
        paths.append("/".join(stack))
    return paths


def main():
    failures = []
    readme = first_block((ROOT / "README.md").read_text(), after="## Layout")
    architecture = first_block((ROOT / "docs/architecture.md").read_text())
    if readme != architecture:
        failures.append("README's Layout and docs/architecture.md's tree differ")
    named = set(folders(architecture))
    for path in sorted(named):
        if not (ROOT / path).is_dir():
            failures.append(f"the tree names {path}/, which does not exist")
    for parent in DESCRIBED:
        for child in sorted((ROOT / parent).iterdir()):
            if child.is_dir() and f"{parent}/{child.name}" not in named:
                failures.append(f"{parent}/{child.name}/ is missing from the tree")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(named)} folders named, {len(failures)} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
