"""The statistics package stays pure: numbers in, numbers out.

It may import the standard library, SciPy and itself - never Flask,
eventsourcing, or the registry/web layers, so that it can be tested and
reused without an application, a database or a request.
"""

import ast
import sys
from pathlib import Path

import pytest

import projections.stats

PACKAGE = Path(projections.stats.__file__).parent
ALLOWED_THIRD_PARTY = {"scipy"}
MODULES = sorted(PACKAGE.glob("*.py"))


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            roots.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module)
    return roots


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_statistics_modules_import_only_the_standard_library_scipy_and_themselves(path):
    for name in imported_roots(path):
        top = name.split(".")[0]
        allowed = top in sys.stdlib_module_names or top in ALLOWED_THIRD_PARTY or name.startswith("projections.stats")
        assert allowed, f"{path.name} imports {name}"


def test_there_is_no_catch_all_utilities_module():
    assert not {"utils.py", "helpers.py", "common.py"} & {p.name for p in MODULES}
