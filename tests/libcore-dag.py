#!/usr/bin/env python3
"""libcore has no import circles (STYLE.md "One rule, one function"; issue 10 item 6).

A file of libcore imports another when it calls a function (or reads a variable) the
other defines. The graph is read from the built library with nm(1), so it is the graph
the linker sees, whatever the headers say. Every group of files that import each other
(a strongly connected component of more than one file) is printed, and the exit status
is then 1. Usage: libcore-dag.py LIBCORE_ARCHIVE
"""
import collections
import re
import subprocess
import sys

LINE = re.compile(r'^[^:]+:([^:]+):\s*[0-9a-fA-F]*\s+([A-Za-z])\s+(\S+)$')


def graph(archive):
    out = subprocess.run(['nm', '-A', archive], check=True, capture_output=True,
                         text=True).stdout
    defs, uses, files = {}, collections.defaultdict(set), set()
    for line in out.splitlines():
        m = LINE.match(line)
        if not m:
            continue
        obj, kind, sym = m.groups()
        name = obj.split('.a.p/')[-1]
        name = re.sub(r'(\.c)?\.o$', '', name)
        files.add(name)
        if kind in 'TDBRCG':
            defs[sym] = name
        elif kind == 'U':
            uses[name].add(sym)
    edges = {f: set() for f in files}
    for f, syms in uses.items():
        for s in syms:
            if s in defs and defs[s] != f:
                edges[f].add(defs[s])
    return edges


def components(edges):
    """Tarjan's strongly connected components, iteratively."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(edges[w]))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 64
    edges = graph(sys.argv[1])
    found = components(edges)
    for comp in found:
        calls = ['%s -> %s' % (a, b) for a in comp for b in sorted(edges[a]) if b in comp]
        print('circle: %s (%s)' % (', '.join(comp), '; '.join(calls)))
    print('%d files, %d circle%s' % (len(edges), len(found), '' if len(found) == 1 else 's'))
    return 1 if found else 0


if __name__ == '__main__':
    sys.exit(main())
