#!/usr/bin/env python3
"""The include graph of libcore has no circles (STYLE.md, issue 10 item 6).

A module is a .c file and its header of the same name (libcore/x.c + libcore/x.h, or
libcore/wing/x.c + x.h). Module A uses module B when a file of A includes B's header.
Prints every circle found (as a path of modules) and exits 1; exits 0 when the module
graph is a DAG. Usage: include-dag.py LIBCORE_DIR
"""
import os
import re
import sys

INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def modules(root):
    """{module name: [files]} with module names relative to root, without extension."""
    mods = {}
    for dirpath, _, files in os.walk(root):
        for f in files:
            if f.endswith(('.c', '.h')):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                mods.setdefault(os.path.splitext(rel)[0], []).append(path)
    return mods


def graph(root):
    mods = modules(root)
    edges = {m: set() for m in mods}
    for m, files in mods.items():
        for path in files:
            with open(path, encoding='utf-8', errors='replace') as fp:
                text = fp.read()
            for inc in INCLUDE.findall(text):
                target = os.path.normpath(os.path.join(os.path.dirname(path), inc))
                if not target.startswith(os.path.normpath(root) + os.sep):
                    continue
                t = os.path.splitext(os.path.relpath(target, root))[0]
                if t in mods and t != m:
                    edges[m].add(t)
    return edges


def circles(edges):
    """Every elementary circle found by a depth-first search (one per back edge)."""
    found, state, stack = [], {}, []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in sorted(edges[m]):
            if state.get(t) == 1:
                found.append(stack[stack.index(t):] + [t])
            elif not state.get(t):
                visit(t)
        stack.pop()
        state[m] = 2

    for m in sorted(edges):
        if not state.get(m):
            visit(m)
    return found


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else 'libcore'
    sys.setrecursionlimit(10000)
    found = circles(graph(root))
    for c in found:
        print('circle: ' + ' -> '.join(c))
    print('%d circle%s in the include graph of %s' % (len(found), '' if len(found) == 1 else 's', root))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
