"""The server's packages depend on each other one way, and no module is too long to read.

Layers, low to high; a module may import its own package, a lower layer, or an earlier entry of its
own layer when that layer is ordered. Shells are independent of each other.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SERVER = ROOT / "server"

LEAVES = (
    "",  # server/__init__.py: the package, nothing in it
    "extensions", "clock", "errors", "security", "logs", "jsontext", "strictjson", "bodysize",
    "settings_check", "config", "board", "cli_support", "tiktok", "snippets",
)
# (name, packages or modules directly under server/, whether an entry may import an earlier one)
LAYERS = (
    ("leaves", LEAVES, True),
    ("models", ("models", "migrations"), True),
    ("jobs", ("jobs",), False),
    ("core", ("audit", "auth", "stores"), True),
    ("shells", ("pixel", "admin", "api"), False),
    ("features", ("connect", "events", "catalog", "ads"), True),
    ("factory", ("cli", "app", "jobs.celery_app"), True),
)
# Modules that stand above their package's layer: the entry points.
ENTRY_POINTS = {"server.jobs.celery_app": "jobs.celery_app", "server": ""}

MAX_FILE_LINES = 400
MAX_FUNCTION_LINES = 60
SIZE_CHECKED = ("server", "injector", "snippets")
SIZE_EXEMPT = ("server/migrations/versions",)  # frozen schema history, written once


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def server_modules():
    found = {}
    for path in SERVER.rglob("*.py"):
        if "migrations/versions" in path.as_posix():
            continue
        found[module_name(path)] = path
    return found


def imported(module, node, is_package, modules):
    """The server modules one import statement loads (the submodule when it names one)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = module.split(".") if is_package else module.split(".")[:-1]
    if node.level:
        base = base[: len(base) - (node.level - 1)]
        prefix = ".".join(base + ([node.module] if node.module else []))
    else:
        prefix = node.module or ""
    targets = []
    for alias in node.names:
        candidate = f"{prefix}.{alias.name}"
        targets.append(candidate if candidate in modules else prefix)
    return targets


def import_graph():
    """{module: {imported module: [(line, at top level)]}} for every server module."""
    modules = server_modules()
    graph = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        top = {id(node) for node in tree.body}
        type_checking = set()
        for node in tree.body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                type_checking.update(id(n) for n in ast.walk(node))
        edges = graph.setdefault(module, {})
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)) or id(node) in type_checking:
                continue
            for target in imported(module, node, path.name == "__init__.py", modules):
                if target == "server" or target.startswith("server."):
                    edges.setdefault(target, []).append((node.lineno, id(node) in top))
    return graph


def unit_of(module):
    """The entry of LAYERS a module belongs to: its first name under server/, or an entry point."""
    if module in ENTRY_POINTS:
        return ENTRY_POINTS[module]
    return module.split(".")[1]


def rank(unit):
    for layer_index, (_, units, ordered) in enumerate(LAYERS):
        if unit in units:
            return layer_index, units.index(unit), ordered
    raise AssertionError(f"server/{unit} is in no layer: add it to LAYERS in {Path(__file__).name}")


def allowed(source, target):
    if source == target:
        return True
    (s_layer, s_pos, ordered), (t_layer, t_pos, _) = rank(source), rank(target)
    if s_layer != t_layer:
        return t_layer < s_layer
    return ordered and t_pos < s_pos


def where(module):
    return server_modules()[module].relative_to(ROOT).as_posix()


def test_every_arrow_points_down():
    wrong = []
    for module, edges in sorted(import_graph().items()):
        for target, sites in sorted(edges.items()):
            if not allowed(unit_of(module), unit_of(target)):
                wrong.append(f"{where(module)}:{sites[0][0]} imports {target}")
    assert not wrong, "imports against the layers:\n" + "\n".join(wrong)


def test_imports_sit_at_the_top_of_modules():
    inside = []
    for module, edges in sorted(import_graph().items()):
        for target, sites in sorted(edges.items()):
            inside += [f"{where(module)}:{line} imports {target}" for line, at_top in sites if not at_top]
    assert not inside, "server imports inside functions or blocks:\n" + "\n".join(inside)


def cycles(graph):
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, found = {}, {}, set(), [], []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_module_cycles():
    graph = {module: set(edges) for module, edges in import_graph().items()}
    # A package's __init__ importing its own submodules is how a package is assembled, not a cycle.
    for module, edges in graph.items():
        graph[module] = {t for t in edges if not module.startswith(t + ".")}
    found = cycles(graph)
    assert not found, "modules that import each other:\n" + "\n".join(" <-> ".join(c) for c in found)


def test_the_checks_see_a_wrong_arrow_and_a_cycle():
    assert not allowed("pixel", "events")
    assert not allowed("connect", "catalog")
    assert allowed("catalog", "connect")
    assert not allowed("api", "admin")
    assert allowed("admin", "auth")
    assert not allowed("models", "jobs")
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def sizes():
    for base in SIZE_CHECKED:
        for path in (ROOT / base).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if relative.startswith(SIZE_EXEMPT):
                continue
            source = path.read_text(encoding="utf-8")
            yield relative, source.count("\n"), ast.parse(source)


def test_no_file_over_400_lines():
    long = [f"{name}: {lines} lines" for name, lines, _ in sizes() if lines > MAX_FILE_LINES]
    assert not long, "\n".join(long)


def test_no_function_over_60_lines():
    long = []
    for name, _, tree in sizes():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    long.append(f"{name}:{node.lineno} {node.name}() is {length} lines")
    assert not long, "\n".join(long)
