#!/usr/bin/env python3
"""Checks that no module of bureau-service or node/ uses a module declared after it.

The crate roots (lib.rs) declare their modules bottom-up; a `crate::NAME` path in a module
that names a later module is an import cycle in the making. Run by .ci/run; exits 1 and
lists the offending files otherwise.
"""
import os
import re
import sys

CRATES = ["crates/bureau-service/src", "node/src"]


def declared_modules(root):
    text = open(os.path.join(root, "lib.rs"), encoding="utf-8").read()
    return re.findall(r"^pub mod (\w+);", text, re.MULTILINE)


def files_of(root, module):
    single = os.path.join(root, module + ".rs")
    folder = os.path.join(root, module)
    paths = [single] if os.path.exists(single) else []
    for base, _, names in os.walk(folder):
        paths += [os.path.join(base, name) for name in names if name.endswith(".rs")]
    return paths


def main():
    problems = []
    for root in CRATES:
        order = declared_modules(root)
        position = {name: index for index, name in enumerate(order)}
        for module in order:
            for path in files_of(root, module):
                code = re.sub(r"//.*", "", open(path, encoding="utf-8").read())
                for used in sorted(set(re.findall(r"\bcrate::(\w+)", code))):
                    if position.get(used, -1) > position[module]:
                        problems.append(f"{path}: module `{module}` uses `{used}`, declared after it")
    for problem in problems:
        print(problem)
    if problems:
        print("modules must use only modules declared before them in lib.rs", file=sys.stderr)
        return 1
    print(f"layers ok: {', '.join(CRATES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
