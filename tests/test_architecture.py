"""No app imports another app's underscore names.

A name that starts with an underscore is private to its module; a page helper that two apps need
belongs in a public module (the page kit), not borrowed as ``from gongjian.orgs.views import _crumbs``.
import-linter (``lint-imports``, in ``./run tests``) checks which module may import which; it cannot
see names, so this test walks the source instead: every ``from gongjian.<app>… import _name`` and
every import of an underscore module (``gongjian.<app>._thing``) made from another app fails. Tests
and migrations are not checked.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import gongjian

PACKAGE = Path(gongjian.__file__).resolve().parent

#: Borrowings of another app's underscore names that are tolerated: none. Each entry would be
#: "importing module -> imported module.name"; a listed import that no longer exists fails too.
ALLOWED: set[str] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app(module: str) -> str:
    """``gongjian.orgs.views`` → ``orgs``; a module at the top (``gongjian.urls``) is its own app."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _sources() -> Iterator[Path]:
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE).parts
        if "tests" in parts or "migrations" in parts:
            continue
        yield path


def _borrowings_in(importer: str, tree: ast.AST, is_package: bool = False) -> Iterator[str]:
    """The imports of another app's underscore names or modules in one module's syntax tree, as
    ``importer -> module.name``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported = [(alias.name, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(importer, node, is_package)
            imported = [(source, f"{source}.{alias.name}") for alias in node.names]
        else:
            continue
        for module, full in imported:
            if not module.startswith("gongjian.") or _app(module) == _app(importer):
                continue
            inside = full.split(".")[2:]  # the part below gongjian.<app>
            if any(_is_private(part) for part in inside):
                yield f"{importer} -> {full}"


def _borrowings() -> Iterator[str]:
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        yield from _borrowings_in(_module_name(path), tree, path.name == "__init__.py")


def test_no_app_imports_another_apps_underscore_names() -> None:
    found = set(_borrowings())
    new = sorted(found - ALLOWED)
    assert not new, (
        "another app's private names imported (make them public in a shared module):\n" + "\n".join(new)
    )


def test_the_allow_list_holds_only_borrowings_that_still_exist() -> None:
    gone = sorted(ALLOWED - set(_borrowings()))
    assert not gone, "no longer imported, remove from ALLOWED:\n" + "\n".join(gone)


def test_the_walk_sees_a_borrowing() -> None:
    """The checker itself: another app's private names and modules are seen, whatever the import's
    form; one's own app's and public names are not."""
    source = (
        "from gongjian.orgs.views import _crumbs, area_detail\n"
        "from gongjian.orgs import _kit\n"
        "from ..orgs.forms import _date\n"
        "from .models import _own\n"
        "from gongjian.members.selectors import _also_own\n"
        "import gongjian.core._hidden\n"
        "def later():\n"
        "    from gongjian.lists.views import _step\n"
    )
    found = list(_borrowings_in("gongjian.members.views", ast.parse(source)))
    assert found == [
        "gongjian.members.views -> gongjian.orgs.views._crumbs",
        "gongjian.members.views -> gongjian.orgs._kit",
        "gongjian.members.views -> gongjian.orgs.forms._date",
        "gongjian.members.views -> gongjian.core._hidden",
        "gongjian.members.views -> gongjian.lists.views._step",
    ]
