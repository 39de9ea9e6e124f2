"""Start-up: `import mixedcrew`, `import mixedcrew.cli` and the light commands load no
heavy library (solver, NumPy, plotly, SimPy, web stack); the heavy commands still load theirs.

Each case runs in a fresh interpreter and reads its `sys.modules` (no timing here:
benchmarks/cli_startup.py measures the time)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
HEAVY = ("ortools", "numpy", "plotly", "simpy", "fastapi", "sqlalchemy", "pandas", "uvicorn", "starlette")

# Runs the CLI in-process, then prints which heavy top-level packages got imported.
PROBE = """
import json, sys
args, code, heavy = json.loads(sys.argv[1]), sys.argv[2], json.loads(sys.argv[3])
if args is not None:
    sys.argv = ["mixedcrew", *args]
    from mixedcrew.cli import main
    try:
        main()
    except SystemExit:
        pass
else:
    exec(code)
print("\\nLOADED=" + json.dumps(sorted(m for m in heavy if m in sys.modules)))
"""


def loaded_after(args: list[str] | None, code: str = "", watch: tuple[str, ...] = HEAVY) -> list[str]:
    """Which of `watch` are in sys.modules after running the CLI with `args` (or `code`)."""
    proc = subprocess.run([sys.executable, "-c", PROBE, json.dumps(args), code, json.dumps(watch)],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    marker = [line for line in proc.stdout.splitlines() if line.startswith("LOADED=")]
    assert marker, proc.stdout + proc.stderr
    return list(json.loads(marker[-1].removeprefix("LOADED=")))


@pytest.mark.parametrize("code", [
    "import mixedcrew",
    "import mixedcrew.cli",
    "from mixedcrew import Scenario, Timeline, check, load_scenario, RULES",
])
def test_importing_the_package_and_the_cli_loads_no_heavy_library(code: str) -> None:
    """`import mixedcrew` and `import mixedcrew.cli` import none of the heavy libraries."""
    assert loaded_after(None, code) == []


def test_light_commands_load_no_heavy_library(tmp_path: Path) -> None:
    """--version, --help, schema, check, aboard and import-gcat run without a heavy library."""
    commands = [
        ["--version"],
        ["--help"],
        ["schema"],
        ["check", str(EXAMPLES / "small.toml")],
        ["aboard", str(EXAMPLES / "iss.toml"), "--at", "2023-01-01T00:00:00Z"],
        ["import-gcat", str(ROOT / "data" / "gcat"), "--since", "2024-01-01",
         "--supplement", str(ROOT / "data" / "iss-rides-supplement.csv"), "-o", str(tmp_path / "s.toml")],
    ]
    for args in commands:
        assert loaded_after(args) == [], args
    assert (tmp_path / "s.toml").is_file()  # import-gcat really ran


def test_the_probe_sees_a_heavy_library_when_a_command_loads_one(tmp_path: Path) -> None:
    """The report command loads plotly: the probe would notice a light command doing the same."""
    loaded = loaded_after(["report", str(EXAMPLES / "small.toml"), "-o", str(tmp_path / "r.html")])
    assert "plotly" in loaded
    assert (tmp_path / "r.html").is_file()


def test_version_and_help_build_no_domain_model() -> None:
    """--version and --help answer without importing pydantic or the domain (most of start-up)."""
    for args in (["--version"], ["--help"]):
        assert loaded_after(args, watch=("pydantic", "mixedcrew.domain")) == [], args


def test_check_stays_the_function_after_its_submodule_is_imported() -> None:
    """`from mixedcrew import check` is the function even once the submodule mixedcrew.check
    has been imported (the import system sets the package attribute to the module)."""
    import mixedcrew
    import mixedcrew.check as check_module  # noqa: F401  (sets the package attribute on import)
    from mixedcrew import check

    assert callable(check) and check.__module__ == "mixedcrew.check"
    fresh = subprocess.run([sys.executable, "-c", "import mixedcrew.check\nfrom mixedcrew import check\n"
                            "print(type(check).__name__)"], capture_output=True, text=True, timeout=120)
    assert fresh.stdout.strip() == "function", fresh.stderr
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        mixedcrew.nope  # noqa: B018


def test_users_commands_do_not_load_the_web_framework(tmp_path: Path) -> None:
    """`mixedcrew users` works on the database alone: no FastAPI, Starlette or uvicorn."""
    pytest.importorskip("sqlalchemy", reason="the web extra is not installed")
    db = f"sqlite:///{tmp_path / 'users.db'}"
    assert loaded_after(["users", "list", "--db", db], watch=("fastapi", "starlette", "uvicorn")) == []
    assert (tmp_path / "users.db").is_file()  # the command really opened (and made) the database


def test_no_function_imports_mixedcrew_cli() -> None:
    """The command modules import the CLI's helpers at the top: no import of mixedcrew.cli
    inside a function, anywhere in the package (those hid cycles before cli/ was a package)."""
    import ast

    found = []
    for path in (ROOT / "src" / "mixedcrew").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(fn):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                         [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                if any(n == "mixedcrew.cli" or n.startswith("mixedcrew.cli.") for n in names):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
