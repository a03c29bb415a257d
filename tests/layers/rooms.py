#!/usr/bin/python3
"""The rooms of the source (its folders) and what each depends on, for tests/e2e/layers.sh.

A room depends on another when one of its files includes a header of the other, or when one
of its headers declares a function that the other defines. Prints one line per loop among
rooms, "loop ROOM ROOM...: WHY", or nothing when they form layers.
"""
import collections
import os
import re
import subprocess
import sys

DEFINITION = re.compile(r"^(?!static)[A-Za-z_][\w *]*?\b([a-z_][a-z0-9_]*)\([^;{]*\)\s*\{", re.M)
DECLARATION = re.compile(r"^[A-Za-z_][\w *]*?\b([a-z_][a-z0-9_]*)\([^;{]*\)\s*(__attribute__\(\(.*\)\))?;",
                         re.M)


def main():
    os.chdir(sys.argv[1])
    files = [f for f in subprocess.check_output(["git", "ls-files", "*.c", "*.h"]).decode().split()
             if not f.startswith(("tests/", "bench/"))]
    room = os.path.dirname
    text = {f: open(f).read() for f in files}
    defined_in = {}
    for f in files:
        if f.endswith(".c"):
            for m in DEFINITION.finditer(text[f]):
                defined_in.setdefault(m.group(1), f)
    edges, why = collections.defaultdict(set), collections.defaultdict(list)
    for f in files:
        for header in re.findall(r'#include "([^"]+)"', text[f]):
            if room(header) != room(f):
                edges[room(f)].add(room(header))
                why[room(f), room(header)].append("%s includes %s" % (f, header))
        if f.endswith(".h"):
            for m in DECLARATION.finditer(text[f]):
                d = defined_in.get(m.group(1))
                if d and room(d) != room(f):
                    edges[room(f)].add(room(d))
                    why[room(f), room(d)].append("%s declares %s, defined in %s" % (f, m.group(1), d))
    # Tarjan's strongly connected components: a component of more than one room is a loop.
    index, low, stack, on_stack, loops = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(edges[v]):
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
                loops.append(sorted(component))

    for v in sorted(list(edges)):
        if v not in index:
            visit(v)
    for loop in loops:
        reasons = [r for a in loop for b in loop for r in why[a, b][:1]]
        print("loop %s: %s" % (" ".join(loop), "; ".join(reasons)))


if __name__ == "__main__":
    main()
