"""Imports run downward only, through the layers listed in the README's Layout table."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("portal", "mail", "briefings", "training", "learning", "alerts", "pages")

# Lowest first. A module may import from its own layer and those below it, never above.
LAYERS = [
    ("base", ("portal",)),
    ("mail", ("mail",)),
    ("briefings", ("briefings",)),
    ("training", ("training",)),
    ("learning", ("learning",)),
    ("alerts", ("alerts",)),
    ("pages", ("pages",)),
    ("site", ("portal.site",)),
]

# Imports inside a function that exist for a reason other than a cycle, each with that reason.
LATE_IMPORTS = {
    # Django's documented place for wiring signals: models are not loaded when apps.py is imported.
    ("portal.apps", "ready"),
    ("portal.site.apps", "ready"),
    ("briefings.apps", "ready"),
    ("alerts.apps", "ready"),
    ("pages.apps", "ready"),
    # boto3 is imported only by sites that keep uploads in an object store (20 MB per worker).
    ("portal.media", "__init__"),
}


def layer_of(module):
    """Index in LAYERS of the most specific layer the dotted module name belongs to."""
    best, depth = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and prefix.count(".") > depth:
                best, depth = index, prefix.count(".")
    return best


def module_name(path):
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules():
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            yield module_name(path), path


def imports(module, path):
    """(imported module, line, enclosing function or None) for every import statement."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Import):
                found.extend((alias.name, child.lineno, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                if child.level:
                    base = package.split(".")[: len(package.split(".")) - child.level + 1]
                    target = ".".join(base + ([child.module] if child.module else []))
                else:
                    target = child.module
                found.append((target, child.lineno, function))
            visit(child, inner)

    visit(tree, None)
    return found


MODULES = list(project_modules())


def test_every_module_has_a_layer():
    assert MODULES
    assert [name for name, _ in MODULES if layer_of(name) is None] == []


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_imports_run_downward(module, path):
    own = layer_of(module)
    upward = [
        f"{path.relative_to(ROOT)}:{line} imports {target} ({LAYERS[layer_of(target)][0]} is above {LAYERS[own][0]})"
        for target, line, _ in imports(module, path)
        if target.split(".")[0] in PACKAGES and layer_of(target) > own
    ]
    assert upward == []


@pytest.mark.parametrize(("module", "path"), MODULES, ids=[name for name, _ in MODULES])
def test_no_import_hides_in_a_function(module, path):
    if ".migrations." in module:
        pytest.skip("a migration is frozen history; Django's own examples import inside RunPython functions")
    late = [
        f"{path.relative_to(ROOT)}:{line} imports {target} inside {function}()"
        for target, line, function in imports(module, path)
        if function is not None and (module, function) not in LATE_IMPORTS
    ]
    assert late == []


def test_the_checks_catch_what_they_are_for(tmp_path):
    """An upward import and a late import in a made-up module are both found."""
    source = tmp_path / "views.py"
    source.write_text("from portal.site import views\n\ndef f():\n    import training.models\n")
    found = imports("briefings.views", source)
    assert [(target, function) for target, _, function in found] == [
        ("portal.site", None),
        ("training.models", "f"),
    ]
    assert layer_of("portal.site.views") > layer_of("training.models") > layer_of("briefings.views")
    assert layer_of("portal.markdown") < layer_of("mail.outbox")
