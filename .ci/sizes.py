"""Print the code-size figures of the architecture review as JSON: ``make sizes``.

A *view* is a function of a view module (``views.py``, ``*_views.py``) that a URL rule names: in a
``blueprint.py`` (``view_func=module.function``) or, in the older layout, by a route decorator. Its
length counts its decorators and body. Migrations are left out.
"""

import ast
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent / "tracker"


def modules():
    return [path for path in sorted(ROOT.rglob("*.py")) if "migrations" not in path.parts]


def is_view_module(path):
    return path.name == "views.py" or path.name.endswith("_views.py")


def mapped_names():
    """Function names that a ``blueprint.py`` passes as ``view_func``."""
    names = set()
    for path in ROOT.rglob("blueprint.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.keyword) and node.arg == "view_func" and isinstance(node.value, ast.Attribute):
                names.add(node.value.attr)
    return names


def is_routed(node, names):
    routes = ("route", "get", "post")
    return node.name in names or any(
        isinstance(decorator, ast.Call) and getattr(decorator.func, "attr", "") in routes
        for decorator in node.decorator_list)


def view_lengths(path, names):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and is_routed(node, names):
            start = min([node.lineno, *(decorator.lineno for decorator in node.decorator_list)])
            yield f"{path.relative_to(ROOT.parent)}:{node.name}", node.end_lineno - start + 1


def main():
    lines = {str(path.relative_to(ROOT.parent)): len(path.read_text(encoding="utf-8").splitlines())
             for path in modules()}
    names = mapped_names()
    views = [item for path in modules() if is_view_module(path) for item in view_lengths(path, names)]
    lengths = [length for _name, length in views]
    largest = max(lines, key=lines.get)
    json.dump({
        "modules": len(lines),
        "lines": sum(lines.values()),
        "views": len(views),
        "view_lines_median": statistics.median(lengths),
        "view_lines_max": max(views, key=lambda item: item[1]),
        "largest_module": [largest, lines[largest]],
        "modules_over_400_lines": {name: count for name, count in sorted(lines.items()) if count > 400},
    }, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
