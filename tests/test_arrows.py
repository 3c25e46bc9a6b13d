"""The import arrows hold (cli → web → workers → switchboard → inbox → connectors), and the
check that says so can fail.

`lint-imports` (import-linter, contracts in pyproject.toml) runs in scripts/test next to ruff
and mypy; these tests run it too, on the tree and on copies with one forbidden import added,
and add the rule import-linter cannot state: no first-party import hidden inside a function
to dodge a cycle.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("cli", "web", "workers", "switchboard", "inbox", "connectors", "sandbox")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# Function-local imports of our own modules that are a choice, not a dodge; each says why.
# Anything else found inside a function fails test_no_first_party_import_inside_functions.
LOCAL_IMPORTS_ALLOWED = {
    # Subcommands load only what they run: a worker or a poll must not load Flask, the
    # emulators and the demo data (idle worker RSS, `poll` start-up: issue 12, checked by
    # tests/test_cli_imports.py); `switchboard check` must not load rq.
    ("cli/commands.py", "cli.demo"),
    ("cli/commands.py", "web.streams"),
    ("cli/commands.py", "workers.rq_worker"),
    # The FAQ, privacy and reports commands load their modules (the FAQ engine, the export and
    # erasure code, the report roll-up) themselves: a poll needs none of them (issue 12, mail).
    ("cli/commands.py", "inbox.reports.rollup"),
    ("cli/commands.py", "inbox.faq.service"),
    ("cli/commands.py", "inbox.faq.articles"),
    ("cli/commands.py", "inbox.privacy"),
    ("cli/commands.py", "inbox.models.privacy"),
    ("cli/commands.py", "workers.privacy"),
    # smtplib and the SMTP half: a poll never sends (the same start-up, the same test).
    ("connectors/email/connector.py", "connectors.email"),
}


def _lint(cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_contracts_hold_on_the_tree() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        # A connector reaching into the domain.
        ("connectors/base.py", "import inbox.models", "connectors translate only"),
        # The domain reaching for Flask.
        ("inbox/events.py", "import flask", "inbox is the domain"),
        # A job reaching for the web app.
        ("workers/send.py", "import web.runtime", "workers run without the web app"),
        # The runtime importing a job module: a cycle between top-level packages.
        ("switchboard/settings.py", "import workers.send", "cli -> web -> workers"),
    ],
)
def test_a_forbidden_import_breaks_the_check(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    target = tmp_path / module
    target.write_text(target.read_text() + f"\n{line}  # the violation under test\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}

    result = _lint(tmp_path, env)

    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[-1]
    assert contract in broken
    assert module.removesuffix(".py").replace("/", ".") in broken


def _local_first_party_imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            names: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            found += [(node.lineno, n) for n in names if n.split(".")[0] in PACKAGES]
    return found


def test_no_first_party_import_inside_functions() -> None:
    """With the arrows one-way, our own modules import at the top; a function-local import
    of one is a hidden cycle (or a hidden arrow), unless it is listed above with a reason."""
    hidden = []
    for package in PACKAGES:
        if package == "sandbox":
            continue  # emulators, not the product; they import only connectors' constants
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            for lineno, module in _local_first_party_imports(path):
                if (relative, module) not in LOCAL_IMPORTS_ALLOWED:
                    hidden.append(f"{relative}:{lineno} imports {module} inside a function")
    assert not hidden, (
        "import at the top of the module (web code: `from web.runtime import "
        "current_runtime`), or list it in LOCAL_IMPORTS_ALLOWED with the reason:\n"
        + "\n".join(hidden)
    )


def test_the_local_import_scan_sees_a_hidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("def view():\n    from web import current_runtime\n    return 1\n")
    assert _local_first_party_imports(sample) == [(2, "web")]
