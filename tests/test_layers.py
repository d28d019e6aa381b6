"""Dependencies run one way: the import-linter contract in pyproject.toml ([tool.importlinter])
holds for the code, and breaks when a lower layer imports a higher one."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = [
    sys.executable,
    "-c",
    "from importlinter.cli import lint_imports_command; lint_imports_command()",  # exits
    "--no-cache",
]


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """Run lint-imports with `project`'s pyproject.toml on the eventsys package in `project`."""
    return subprocess.run(
        LINT_IMPORTS,
        cwd=project,
        env=os.environ | {"PYTHONPATH": str(project)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_the_layers():
    result = lint_imports(PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.fixture
def copy_of_the_project(tmp_path) -> Path:
    shutil.copytree(
        PROJECT_ROOT / "eventsys",
        tmp_path / "eventsys",
        ignore=shutil.ignore_patterns("__pycache__", "static", "translations"),
    )
    shutil.copy(PROJECT_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def add_line(module: Path, line: str) -> None:
    module.write_text(module.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("module", "upward_import", "reported"),
    [
        (
            "outbox/services.py",
            "import eventsys.tasks",
            "eventsys.outbox is not allowed to import eventsys.tasks",
        ),
        (
            "minutes/workflow.py",
            "from eventsys.charters import intake",
            "eventsys.minutes is not allowed to import eventsys.charters",
        ),
        (
            "sessions/services.py",
            "from eventsys.invitations import services",
            "eventsys.sessions is not allowed to import eventsys.invitations",
        ),
        (
            "documents/names.py",
            "from eventsys.minutes import snapshot",
            "eventsys.documents is not allowed to import eventsys.minutes",
        ),
        (
            "access.py",
            "from eventsys.auth.models import User",
            "eventsys.access is not allowed to import eventsys.auth",
        ),
    ],
)
def test_an_upward_import_breaks_the_contract(copy_of_the_project, module, upward_import, reported):
    add_line(copy_of_the_project / "eventsys" / module, upward_import)
    result = lint_imports(copy_of_the_project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert reported in result.stdout
    importer = "eventsys." + module.removesuffix(".py").replace("/", ".")
    assert importer in result.stdout  # the offending module is named, with its line


def test_a_module_without_a_layer_breaks_the_contract(copy_of_the_project):
    (copy_of_the_project / "eventsys" / "helpers.py").write_text('"""Unplaced."""\n')
    result = lint_imports(copy_of_the_project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "eventsys.helpers" in result.stdout
