"""One git layer: only ``prosper_coop/core/git.py`` runs git or imports gitpython.

Every module of the package is parsed (not imported) and searched for an import
of gitpython (``git``) and for a call that starts a program whose command is
git: ``subprocess.run(["git", ...])``, ``os.posix_spawnp("git", ...)`` and the
like, also when the command is a variable assigned in the same function or
module. Other programs (the user's editor in ``cli/support.py``) may still be
started anywhere.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

import pytest

from tests.helpers import modules_loaded_by

PACKAGE = Path(__file__).resolve().parent.parent / "prosper_coop"
GIT_LAYER = "core/git.py"

# Functions that start a program, by module.
STARTERS = {
    "subprocess": {"run", "call", "check_call", "check_output", "Popen", "getoutput"},
    "os": {
        "system",
        "popen",
        "posix_spawn",
        "posix_spawnp",
        *(f"exec{tail}" for tail in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
        *(f"spawn{tail}" for tail in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
    },
    "asyncio": {"create_subprocess_exec", "create_subprocess_shell"},
}
# Keyword arguments that can hold the command (``subprocess.run(args=[...])``).
COMMAND_KEYWORDS = {"args", "cmd", "command", "file", "path", "program"}
SCOPES = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _is_gitpython(module: str) -> bool:
    return module == "git" or module.startswith("git.")


def _own_nodes(scope: ast.AST) -> Iterator[ast.AST]:
    """The nodes of ``scope`` that are not inside a nested function or class."""
    stack = list(ast.iter_child_nodes(scope))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPES):
            stack.extend(ast.iter_child_nodes(node))


def _assignments(scope: ast.AST) -> dict[str, list[ast.expr]]:
    """Name -> every value assigned to it directly in ``scope`` (none for a parameter)."""
    found: dict[str, list[ast.expr]] = {}
    if isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        params = scope.args
        for arg in [*params.posonlyargs, *params.args, *params.kwonlyargs]:
            found[arg.arg] = []
        for arg in (params.vararg, params.kwarg):
            if arg is not None:
                found[arg.arg] = []
    for node in _own_nodes(scope):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif (
            isinstance(node, ast.AnnAssign | ast.NamedExpr)
            and node.value is not None
            and isinstance(node.target, ast.Name)
        ):
            found.setdefault(node.target.id, []).append(node.value)
    return found


class GitFinder(ast.NodeVisitor):
    """Collects ``(line, what)`` for each gitpython import and each git started."""

    def __init__(self, tree: ast.Module) -> None:
        self.found: list[tuple[int, str]] = []
        self.modules: dict[str, str] = {}  # local name -> module (import subprocess as sp)
        self.functions: dict[str, tuple[str, str]] = {}  # local name -> (module, function)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    self.modules[alias.asname or alias.name] = alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    self.functions[alias.asname or alias.name] = (node.module, alias.name)
        self.scopes: list[dict[str, list[ast.expr]]] = []
        self.visit(tree)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, SCOPES):
            self.scopes.append(_assignments(node))
            super().generic_visit(node)
            self.scopes.pop()
        else:
            super().generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if _is_gitpython(alias.name):
                self.found.append((node.lineno, f"imports gitpython (import {alias.name})"))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and not node.level and _is_gitpython(node.module):
            self.found.append((node.lineno, f"imports gitpython (from {node.module} import)"))

    def visit_Call(self, node: ast.Call) -> None:
        starter = self._starter(node.func)
        if starter is not None:
            candidates = [*node.args[:2]]
            candidates += [kw.value for kw in node.keywords if kw.arg in COMMAND_KEYWORDS]
            if any(self._is_git(arg) for arg in candidates):
                self.found.append((node.lineno, f"runs git ({starter})"))
        elif self._dynamic_import_of_gitpython(node):
            self.found.append((node.lineno, "imports gitpython (dynamically)"))
        self.generic_visit(node)

    def _starter(self, func: ast.expr) -> str | None:
        """``module.function`` when ``func`` is a function that starts a program."""
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            module = self.modules.get(func.value.id)
            if module in STARTERS and func.attr in STARTERS[module]:
                return f"{module}.{func.attr}"
        elif isinstance(func, ast.Name) and func.id in self.functions:
            module, name = self.functions[func.id]
            if name in STARTERS.get(module, ()):
                return f"{module}.{name}"
        return None

    def _dynamic_import_of_gitpython(self, node: ast.Call) -> bool:
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        return (
            name in ("import_module", "__import__")
            and bool(node.args)
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and _is_gitpython(node.args[0].value)
        )

    def _is_git(self, node: ast.expr, depth: int = 0) -> bool:
        """Whether ``node`` is a command (or program) that starts git."""
        if depth > 5:
            return False
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value.split()
            return bool(words) and PurePosixPath(words[0]).name == "git"
        if isinstance(node, ast.List | ast.Tuple) and node.elts:
            first = node.elts[0]
            return self._is_git(first.value if isinstance(first, ast.Starred) else first, depth + 1)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._is_git(node.left, depth + 1)
        if isinstance(node, ast.Name):
            for scope in reversed(self.scopes):
                if node.id in scope:
                    return any(self._is_git(value, depth + 1) for value in scope[node.id])
        return False


def find_git(source: str) -> list[tuple[int, str]]:
    """``(line, what)`` for each place in ``source`` that imports gitpython or runs git."""
    return GitFinder(ast.parse(source)).found


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_only_core_git_runs_git_or_imports_gitpython() -> None:
    found = [
        f"prosper_coop/{rel}:{line}: {what}"
        for path in _modules()
        if (rel := path.relative_to(PACKAGE).as_posix()) != GIT_LAYER
        for line, what in find_git(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "Move these git calls into prosper_coop/core/git.py:\n" + "\n".join(found)


def test_the_search_sees_core_git_itself() -> None:
    found = find_git((PACKAGE / GIT_LAYER).read_text(encoding="utf-8"))
    whats = {what for _, what in found}
    assert "imports gitpython (import git)" in whats
    assert "runs git (os.posix_spawnp)" in whats


# The ways git was run outside core/git.py before it became the one git layer.
FOUND = {
    "subprocess.run with a list": (
        """
        import subprocess
        subprocess.run(["git", "config", "core.untrackedCache", "true"], cwd=root, check=True)
        """,
        "runs git (subprocess.run)",
    ),
    "subprocess.run with args=": (
        """
        import subprocess
        done = subprocess.run(args=["git", "merge-base", a, b], capture_output=True)
        """,
        "runs git (subprocess.run)",
    ),
    "a function imported from subprocess": (
        """
        from subprocess import check_output as out
        out(("git", "log", "-1"))
        """,
        "runs git (subprocess.check_output)",
    ),
    "a command in a variable": (
        """
        import subprocess
        def tip(url):
            command = ["git", "ls-remote", "--heads", url]
            return subprocess.run(command, check=False)
        """,
        "runs git (subprocess.run)",
    ),
    "a program in a module constant": (
        """
        import subprocess
        GIT = "/usr/bin/git"
        subprocess.Popen([GIT, *args] + ["--quiet"])
        """,
        "runs git (subprocess.Popen)",
    ),
    "a shell command": (
        """
        import os
        os.system("git status --short")
        """,
        "runs git (os.system)",
    ),
    "posix_spawnp": (
        """
        import os
        def spawn(args):
            return os.posix_spawnp("git", ["git", *args], os.environ, file_actions=[])
        """,
        "runs git (os.posix_spawnp)",
    ),
    "import git": ("import git\n", "imports gitpython (import git)"),
    "from git import": ("from git import Repo\n", "imports gitpython (from git import)"),
    "from git.exc import": (
        "def f():\n    from git.exc import GitCommandError\n",
        "imports gitpython (from git.exc import)",
    ),
    "importlib": (
        "import importlib\nimportlib.import_module('git')\n",
        "imports gitpython (dynamically)",
    ),
}


@pytest.mark.parametrize("source, what", FOUND.values(), ids=list(FOUND))
def test_the_search_finds_git(source: str, what: str) -> None:
    assert [found for _, found in find_git(textwrap.dedent(source))] == [what]


NOT_GIT = {
    "the editor (cli/support.py)": """
        import shlex, shutil, subprocess
        def run_editor(path, chosen):
            command = shlex.split(chosen) if chosen else None
            if command is None:
                found = next((n for n in ("nano", "vi") if shutil.which(n)), None)
                command = [found] if found else None
            return subprocess.call([*command, str(path)])
        """,
    "git as an argument of another program": """
        import subprocess
        subprocess.run(["grep", "-r", "git", "."], check=False)
        """,
    "a git command in another function's variable": """
        import subprocess
        def one():
            command = ["git", "status"]
            return command
        def two(command):
            return subprocess.run(command)
        """,
    "a parameter that shadows a module-level git command": """
        import subprocess
        COMMAND = ["git", "status"]
        def run(COMMAND):
            return subprocess.run(COMMAND)
        """,
    "a program named like git": """
        import subprocess
        subprocess.run(["git-lfs", "install"])
        """,
    "the project's own git layer": """
        from prosper_coop.core import git
        from prosper_coop.core.git import StudyRepo
        from . import git as layer
        git.clone(url, target)
        """,
    "words about git": """
        import os
        hint = "Restore it from git (git log -- FILE) or a backup."
        head = os.path.join(".git", "HEAD")
        """,
    "a package whose name starts with git": "import gitlab\nfrom github import Github\n",
}


@pytest.mark.parametrize("source", NOT_GIT.values(), ids=list(NOT_GIT))
def test_the_search_leaves_other_code_alone(source: str) -> None:
    assert find_git(textwrap.dedent(source)) == []


def test_the_quick_sync_check_loads_nothing_but_its_git_helpers() -> None:
    loaded = sorted(modules_loaded_by("import prosper_coop.sync.quick") - modules_loaded_by(""))
    assert "prosper_coop.core.git" in loaded
    # Not gitpython, pydantic, subprocess, dataclasses or typing: the check must cost
    # little more than the git commands it runs.
    assert [name for name in loaded if not name.startswith(("prosper_coop", "__future__"))] == []
