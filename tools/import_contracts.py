"""An import-linter contract it lacks: no import cycle between any two modules of a package.

import-linter's own `acyclic_siblings` compares packages as wholes; Soutien's domain apps may
use each other's modules (ticketing files time through contracts, contracts reads requests),
but no chain of imports may lead from a module back to itself, whatever packages it crosses.
Imports inside functions count (a lazy import does not hide a cycle); imports only made for
type checking do not (`exclude_type_checking_imports` in the configuration).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grimp
from importlinter.application import output
from importlinter.domain import fields
from importlinter.domain.contract import Contract, ContractCheck


def strongly_connected(nodes: Iterable[str], edges: Mapping[str, set[str]]) -> list[list[str]]:
    """The groups of two or more modules that import each other, directly or not (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(sorted(group))
    return groups


class NoCyclesContract(Contract):
    type_name = "no_cycles"

    package = fields.StringField()
    # Parts of a module's dotted name that leave it out (e.g. "migrations").
    ignore_parts = fields.ListField(subfield=fields.StringField(), required=False)

    def _included(self, module: str) -> bool:
        root = str(self.package)
        if module != root and not module.startswith(root + "."):
            return False
        parts = set(module.split("."))
        return not parts & set(self.ignore_parts or [])  # type: ignore[arg-type]

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        modules = {m for m in graph.modules if self._included(m)}
        edges = {
            m: {d for d in graph.find_modules_directly_imported_by(m) if d in modules}
            for m in modules
        }
        loops = []
        for group in strongly_connected(modules, edges):
            first = group[0]
            back = next(iter(sorted(edges[first] & set(group))))
            chain = graph.find_shortest_chain(importer=back, imported=first) or (back, first)
            loops.append([first, *chain])
        return ContractCheck(kept=not loops, warnings=[], metadata={"loops": loops})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for loop in check.metadata["loops"]:
            output.print_error("Import cycle:", bold=True)
            output.print(" -> ".join(loop))
            output.new_line()
