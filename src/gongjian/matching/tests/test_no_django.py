"""The engine is pure Python: no Django import, directly or through anything it imports."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

MATCHING = Path(__file__).resolve().parent.parent
SRC = MATCHING.parent.parent
#: the Django side: the app, the product adapter and the pages, API, task and inbox line
NOT_ENGINE = {
    "apps.py",
    "services.py",
    "models.py",
    "selectors.py",
    "views.py",
    "urls.py",
    "api.py",
    "api_urls.py",
    "tasks.py",
    "inbox.py",  # the liaison's home line of recommendations (issue 16)
}
ENGINE_MODULES = sorted(p for p in MATCHING.glob("*.py") if p.name not in NOT_ENGINE)
ALLOWED_PROJECT_IMPORTS = ("gongjian.matching", "gongjian.core.text")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                names.append("gongjian.matching." + (node.module or ""))
            elif node.module:
                names.append(node.module)
    return names


def test_engine_modules_import_no_django_and_only_django_free_project_code():
    assert len(ENGINE_MODULES) >= 10
    for path in ENGINE_MODULES:
        for name in _imports(path):
            assert not name.startswith("django"), f"{path.name} imports {name}"
            if name.startswith("gongjian"):
                assert name.startswith(ALLOWED_PROJECT_IMPORTS), f"{path.name} imports {name}"


def test_engine_runs_with_django_never_loaded():
    """A fresh interpreter where ``gongjian/__init__`` (Celery, hence Django settings) is not run:
    the engine imports, matches, evaluates and reads CSV, and Django is not in sys.modules."""
    modules = [f"gongjian.matching.{p.stem}" for p in ENGINE_MODULES if p.stem != "__init__"]
    code = f"""
import importlib, json, sys, types
package = types.ModuleType("gongjian")
package.__path__ = [{str(SRC / "gongjian")!r}]
sys.modules["gongjian"] = package
for name in {modules!r}:
    importlib.import_module(name)
from gongjian.matching.engine import match
from gongjian.matching.engine_data import Demand, Resource
result = match([Demand("d", "孩子牙疼", area="430104001001")], [Resource("r", "兒童齲齒檢查", area="430104001002")])
print(json.dumps({{"django": sorted(m for m in sys.modules if m == "django" or m.startswith("django.")),
                  "allocated": len(result.allocation)}}))
"""
    out = subprocess.run(  # noqa: S603 (our own interpreter and code)
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=SRC
    )
    report = json.loads(out.stdout.strip().splitlines()[-1])
    assert report == {"django": [], "allocated": 1}
