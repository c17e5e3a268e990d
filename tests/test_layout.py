"""The package's floor plan: dependencies point down, with no cycle and no late import."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).parents[1] / "blog"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> list[tuple[str, ast.AST, bool]]:
    """Return (imported blog module, node, at top level) for each import of a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = (
        module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    )
    body = list(tree.body)
    for node in tree.body:
        # Imports for type checkers only run at no time; they count as the module's own.
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            body += node.body
    top = set(map(id, body))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            targets = [prefix] if node.module else [f"{prefix}.{a.name}" for a in node.names]
            if node.module:
                targets += [f"{prefix}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        for target in targets:
            if target == "blog" or target.startswith("blog."):
                found.append((target, node, id(node) in top))
    return found


def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    edges = {name: set() for name in modules}
    for name, path in modules.items():
        for target, _node, _top in imports_of(path):
            if target in modules and target != name:
                edges[name].add(target)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Return the strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, found, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(edges):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle():
    # A package imports its submodules (blog.public → blog.public.pages) only in the factory.
    edges = graph()
    assert cycles(edges) == []


def test_no_late_import_but_in_the_factory():
    late = [
        f"{module_name(path)}:{node.lineno}"
        for path in PACKAGE.rglob("*.py")
        for _target, node, top in imports_of(path)
        if not top and path != PACKAGE / "__init__.py"
    ]
    assert late == []


def test_services_never_import_commands_or_views():
    upper = ("blog.cli", "blog.admin", "blog.public")
    for name, targets in graph().items():
        if not name.startswith(upper) and name != "blog":
            assert not [t for t in targets if t.startswith(upper)], name
