#!/usr/bin/env python3
"""No module imports another in a circle, inside any crate of functions/ and infra/.

Cargo forbids cycles between crates; inside a crate nothing does. This reads each crate's
src/ (binaries under src/bin/ and main.rs apart, test modules and comments left out) and
builds the graph of module references: `crate::a::b` and `crate::{a, b::c}` paths, `super::x`,
and a parent naming its child `child::Item`. A strongly connected set of two or more modules
is a circle: listed, with each module's references inside it, and the exit status is 1.
The crate root (lib.rs) counts as a module named `crate`: a handler importing the `App` the
root defines, while the root dispatches to that handler, is a circle too (hence app.rs).

  infra/lint-module-cycles.py [DIR ...]   (default: functions infra)
  infra/lint-module-cycles.py --self-test
"""

import os
import re
import sys
import tempfile

IDENT = r"[a-z_][a-z0-9_]*"


def strip(text):
    """The code without test modules, comments and string literals."""
    text = text.split("#[cfg(test)]")[0]
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', text)
    return "\n".join(line.split("//")[0] for line in text.splitlines())


def module_name(src, path):
    parts = os.path.relpath(path, src)[:-3].split(os.sep)
    if parts[-1] in ("mod", "lib"):
        parts = parts[:-1]
    return "::".join(parts) or "crate"


def modules_of(src):
    mods = {}
    for directory, dirs, files in os.walk(src):
        dirs[:] = [d for d in dirs if not (directory == src and d == "bin")]
        for file in files:
            if file.endswith(".rs") and not (directory == src and file == "main.rs"):
                path = os.path.join(directory, file)
                mods[module_name(src, path)] = path
    return mods


def references(module, text, mods):
    """The modules of the crate that `module`'s code names."""
    found = set()
    paths = re.findall(rf"\bcrate::({IDENT}(?:::{IDENT})*)", text)
    for group in re.findall(r"\bcrate::\{([^}]*)\}", text):
        paths += [item.strip() for item in group.split(",") if item.strip()]
    for path in paths:
        parts = [p for p in re.split(r"::", path) if re.fullmatch(IDENT, p)]
        target = "crate"
        for n in range(len(parts), 0, -1):
            if "::".join(parts[:n]) in mods:
                target = "::".join(parts[:n])
                break
        found.add(target)
    parent = "::".join(module.split("::")[:-1]) or "crate"
    for name in re.findall(rf"\bsuper::({IDENT})", text):
        candidate = name if parent == "crate" else f"{parent}::{name}"
        found.add(candidate if candidate in mods else parent)
    for name in re.findall(rf"(?<![:\w])({IDENT})::[A-Za-z_]", text):
        child = name if module == "crate" else f"{module}::{name}"
        if child in mods:
            found.add(child)
    found.discard(module)
    return found


def circles(src):
    mods = modules_of(src)
    edges = {m: references(m, strip(open(p, encoding="utf-8").read()), mods) & mods.keys() for m, p in mods.items()}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append({m: sorted(edges[m] & set(component)) for m in sorted(component)})

    sys.setrecursionlimit(10_000)
    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def crates(directories):
    for top in directories:
        for directory, dirs, _ in os.walk(top):
            dirs[:] = [d for d in dirs if d not in ("target", "node_modules", ".git")]
            if os.path.isfile(os.path.join(directory, "Cargo.toml")) and os.path.isdir(os.path.join(directory, "src")):
                yield directory


def self_test():
    with tempfile.TemporaryDirectory() as root:
        src = os.path.join(root, "demo", "src")
        os.makedirs(src)
        open(os.path.join(root, "demo", "Cargo.toml"), "w").close()
        files = {
            "lib.rs": "mod a;\nmod b;\nmod app;\npub fn run() { a::go(); }\n",
            "a.rs": "use crate::b::Thing;\nuse crate::app::App;\npub fn go() {}\n",
            "b.rs": "use crate::{a, app::App};\n// crate::lib_only in a comment\npub struct Thing;\n",
            "app.rs": "pub struct App;\n",
        }
        for name, text in files.items():
            open(os.path.join(src, name), "w").write(text)
        found = circles(src)
        assert found == [{"a": ["b"], "b": ["a"]}], found
        open(os.path.join(src, "b.rs"), "w").write("use crate::app::App;\npub struct Thing;\n")
        assert circles(src) == [], circles(src)
        open(os.path.join(src, "app.rs"), "w").write("pub struct App;\npub fn f() { crate::run() }\n")
        # The root dispatches to `a`, `a` imports `App`, and `app` calls back into the root.
        assert circles(src) == [{"a": ["app", "b"], "app": ["crate"], "b": ["app"], "crate": ["a"]}], circles(src)
    print("lint-module-cycles: self-test passed")


def main(argv):
    if argv[1:] == ["--self-test"]:
        self_test()
        return 0
    status = 0
    for crate in crates(argv[1:] or ["functions", "infra"]):
        for circle in circles(os.path.join(crate, "src")):
            status = 1
            print(f"{crate}: modules importing each other in a circle:")
            for module, targets in circle.items():
                print(f"  {module} -> {', '.join(targets)}")
    if status == 0:
        print("lint-module-cycles: no module imports another in a circle")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
