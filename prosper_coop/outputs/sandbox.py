"""Running the study's templates where they can do no harm: limits, and a process of their own.

Templates are files anyone in the team can edit and sync, so a mistake in one (or
a hostile edit) must not hang the tool, fill its memory or the disk, or read a
file. Three things keep it so:

1. **The template files come from git, not the folder.** The caller reads the
   study's committed ``templates/`` files (never following a link) and hands over
   their texts; ``{% include %}``, ``{% import %}`` and ``{% extends %}`` can reach
   only those (:class:`StudyTemplates`).
2. **Limits checked while the template runs** (:class:`RenderLimits`), inside
   Jinja2's immutable sandbox: ``range()`` and repetition (``"word " * 300000000``)
   are capped, numbers grown by ``*`` and ``**`` too, text built with ``~`` and
   ``+``, padding such as ``"x".ljust(N)`` and filters such as ``center``; the
   output is counted as it streams out of ``template.generate()``; and the clock is
   read at every output chunk, every ``range()`` step, operator and call. Each
   error names the template file, the line and the limit.
3. **A process of its own** (:func:`render_templates`): the templates run in a
   fresh ``python -P`` that is given only the template texts and plain data,
   reads no file, holds no lock, sets its own memory and CPU limits
   (``resource.setrlimit``), and is ended by the tool when the wall-clock limit
   has passed. Whatever the checks in 2 do not foresee (a ``str.format`` width,
   a loop over a long text with no output) still stops there, and the tool's own
   process is untouched. Starting it costs about a tenth of a second per render.

The child answers in JSON (never pickle): the rendered Markdown, the HTML page,
which template files it used, or the error to report.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from prosper_coop.core.errors import NotFoundError, UserError, ValidationError

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Iterator

TEMPLATES_DIR = "templates"
LIMIT_HINT = (
    "Nothing was written. The limits keep a mistake in a template from running for ever "
    "or filling the disk; change the template so it does less (see templates/README.md, "
    "'Limits')."
)
FIX_HINT = (
    "Fix the line shown in the template, then render again. Nothing was written. "
    "The names a template can use are listed in templates/README.md."
)
# String methods that make text as long as a number they are given.
_PADDING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})
# Filters whose number arguments set how much they make.
_SIZED_FILTERS = frozenset({"center", "indent", "batch", "slice", "wordwrap"})
_PERCENT_WIDTH = re.compile(r"%(?:\([^)]*\))?[#0 +-]*(\*|\d+)?(?:\.(\*|\d+))?")
NUMBER_WORDS = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
)


@dataclass(frozen=True)
class RenderLimits:
    """How much one render may do. Real outputs are a few thousand words."""

    seconds: float = 10.0  # wall clock for all the templates of one render
    output_chars: int = 1_000_000  # characters of Markdown or HTML, and of any text built
    sequence: int = 100_000  # items of one range(), repetition or padded text
    loop_steps: int = 100_000  # range() steps taken in all, however nested
    int_bits: int = 10_000  # size of a number made by * or ** (about 3,000 digits)
    memory_mb: int = 512  # memory the render process may add to what it starts with
    kill_after: float = 5.0  # seconds past `seconds` before the process is ended


@dataclass
class TemplateFiles:
    """The study's committed template files: name (inside ``templates/``) -> text.

    ``refused`` names files that exist but may not be used, and why (not UTF-8
    text, too large).
    """

    texts: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)


@dataclass
class Rendered:
    """What the templates made: tidy Markdown, the HTML page, and the files used."""

    markdown: str
    html: str | None
    used: list[str]


class TemplateLimitError(Exception):
    """A template went past one of the :class:`RenderLimits`."""


class TemplateRefused(Exception):
    """A template file that exists but may not be used."""

    def __init__(self, message: str, file: str) -> None:
        super().__init__(message)
        self.file = file


# -- in the tool's process -----------------------------------------------------------------
def render_templates(
    files: TemplateFiles,
    template: str,
    context: dict[str, Any],
    *,
    wording: dict[str, str],
    page: str | None,
    page_fields: dict[str, str],
    limits: RenderLimits,
    preface: str = "",
) -> Rendered:
    """Render ``template`` (and the HTML ``page`` around it) in a process of its own.

    ``context`` is plain data (JSON); ``wording`` is the study's own Markdown, not
    escaped; ``preface`` is the tool's own Markdown put before the template's (the
    draft mark), and ``page_fields["title_prefix"]`` goes before the page's title.
    Raises :class:`ValidationError` (a template problem or a limit) or
    :class:`NotFoundError` (a template file that is not there), naming the file.
    """
    import subprocess

    request = {
        "texts": files.texts,
        "refused": files.refused,
        "template": template,
        "page": page,
        "page_fields": page_fields,
        "context": context,
        "wording": wording,
        "limits": asdict(limits),
        "preface": preface,
    }
    where = f"{TEMPLATES_DIR}/{template}"
    # -P: the folder it runs in is not searched for modules (a study file named
    # jinja2.py must not run). The child reads no file: everything is on stdin.
    # The child imports this same copy of prosper-coop, wherever it was loaded from
    # (added to its path only if Python would not look there anyway).
    home = str(Path(__file__).resolve().parents[2])
    code = (
        f"import sys; home = {home!r}\n"
        "if home not in sys.path: sys.path.insert(0, home)\n"
        "from prosper_coop.outputs.sandbox import main; main()"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-P", "-c", code],
            input=json.dumps(request).encode("utf-8", "surrogatepass"),
            capture_output=True,
            timeout=limits.seconds + limits.kill_after,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ValidationError(
            f"the template took longer than the {limits.seconds:g} seconds a render may take",
            LIMIT_HINT,
            file=where,
        ) from None
    except OSError as exc:
        raise UserError(
            f"could not start the renderer: {exc.strerror}",
            "Check that Python can be run, then try again. Nothing was written.",
        ) from None
    try:
        answer = json.loads(done.stdout.decode("utf-8", "surrogatepass"))
    except ValueError:
        answer = None
    if not isinstance(answer, dict):
        raise ValidationError(_why_it_stopped(done, limits), LIMIT_HINT, file=where)
    problem = answer.get("error")
    if problem:
        kind = NotFoundError if problem.get("kind") == "not_found" else ValidationError
        raise kind(
            problem["message"],
            problem.get("hint"),
            file=problem.get("file"),
            line=problem.get("line"),
        )
    return Rendered(answer["markdown"], answer.get("html"), list(answer["used"]))


def _why_it_stopped(done: subprocess.CompletedProcess[bytes], limits: RenderLimits) -> str:
    """Why the render process ended without an answer, in words."""
    import signal

    timed_out = {getattr(signal, name, None) for name in ("SIGXCPU", "SIGKILL")} - {None}
    if -done.returncode in timed_out:
        return f"the template took longer than the {limits.seconds:g} seconds a render may take"
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    last = lines[-1] if lines else f"exit code {done.returncode}"
    return (
        f"the renderer stopped ({last}); the template may need more than the "
        f"{limits.memory_mb} MB of memory a render may use"
    )


# -- in the render process ----------------------------------------------------------------
def main() -> None:
    """The render process: read a request on stdin, answer in JSON on stdout."""
    raw = sys.stdin.buffer.read()
    request = json.loads(raw.decode("utf-8", "surrogatepass"))
    del raw
    limits = RenderLimits(**request["limits"])
    _limit_process(limits)
    try:
        answer: dict[str, Any] = _render_request(request, limits)
    except MemoryError:
        answer = {
            "error": {
                "kind": "validation",
                "message": f"the template needed more than the {limits.memory_mb} MB of memory "
                "a render may use",
                "hint": LIMIT_HINT,
                "file": f"{TEMPLATES_DIR}/{request['template']}",
            }
        }
    except _Failed as failed:
        answer = {"error": failed.report}
    sys.stdout.buffer.write(json.dumps(answer).encode("utf-8", "surrogatepass"))
    sys.stdout.flush()


def _limit_process(limits: RenderLimits) -> None:
    """Cap this process's memory and CPU time (where the system allows it)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - not on Windows; the wall clock still holds
        return
    seconds = int(limits.seconds + limits.kill_after / 2) + 1
    # A lower hard limit already set stays as it is.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
    try:
        pages = Path("/proc/self/statm").read_text(encoding="ascii").split()[0]
        in_use = int(pages) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):  # pragma: no cover - not Linux
        return  # without knowing what is in use, a limit could stop Python itself
    budget = in_use + limits.memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (budget, budget))


class _Failed(Exception):
    """A template problem, as the error the tool will show."""

    def __init__(self, report: dict[str, Any]) -> None:
        super().__init__(report["message"])
        self.report = report


class _Budget:
    """The clock and step count shared by every template of one render."""

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.seconds
        self.steps = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(
                f"it took longer than the {self.limits.seconds:g} seconds a render may take"
            )

    def step(self) -> None:
        self.steps += 1
        if self.steps > self.limits.loop_steps:
            raise TemplateLimitError(
                f"its range() loops took more than {self.limits.loop_steps:,} steps in all"
            )
        if not self.steps % 256:
            self.tick()

    def sized(self, size: int, what: str) -> None:
        if size > self.limits.sequence:
            raise TemplateLimitError(
                f"{what} would make {size:,} items or characters; "
                f"the limit is {self.limits.sequence:,}"
            )

    def text(self, size: int) -> None:
        if size > self.limits.output_chars:
            raise TemplateLimitError(
                f"it would make a text of over {self.limits.output_chars:,} characters"
            )


class BoundedRange:
    """``range()`` for templates: at most ``sequence`` items, each step counted and timed."""

    def __init__(self, budget: _Budget, numbers: range) -> None:
        budget.sized(len(numbers), "range()")
        self._budget = budget
        self._numbers = numbers

    def __iter__(self) -> Iterator[int]:
        for number in self._numbers:
            self._budget.step()
            yield number

    def __len__(self) -> int:
        return len(self._numbers)

    def __getitem__(self, index: Any) -> Any:
        item = self._numbers[index]
        return BoundedRange(self._budget, item) if isinstance(item, range) else item

    def __contains__(self, value: object) -> bool:
        return value in self._numbers

    def __repr__(self) -> str:
        return repr(self._numbers)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _environment_class() -> type[Any]:
    """The sandboxed environment with the limits (made on first use: jinja2 is imported here)."""
    from jinja2.compiler import CodeGenerator
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class CheckedConcat(CodeGenerator):
        """Code in which every ``a ~ b`` is measured before it is used."""

        def visit_Concat(self, node: Any, frame: Any) -> None:
            self.write("environment.checked_text(")
            super().visit_Concat(node, frame)
            self.write(")")

    class LimitedSandbox(ImmutableSandboxedEnvironment):
        """Jinja2's immutable sandbox, with :class:`RenderLimits` checked as it runs."""

        code_generator_class = CheckedConcat
        intercepted_binops = frozenset({"*", "**", "+", "%"})

        def __init__(self, budget: _Budget, **options: Any) -> None:
            super().__init__(**options)
            self.budget = budget
            self.globals["range"] = lambda *args: BoundedRange(budget, range(*args))
            self.globals.pop("lipsum", None)  # makes as much text as it is asked for
            for name in list(self.filters):
                self.filters[name] = self._checked_filter(name, self.filters[name])

        def checked_text(self, text: Any) -> Any:
            self.budget.tick()
            self.budget.text(len(text))
            return text

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            budget = self.budget
            budget.tick()
            if operator == "*":
                if _is_int(right) and hasattr(left, "__len__"):
                    budget.sized(len(left) * right, "a repetition with *")
                elif _is_int(left) and hasattr(right, "__len__"):
                    budget.sized(len(right) * left, "a repetition with *")
                elif _is_int(left) and _is_int(right):
                    self._bits(left.bit_length() + right.bit_length())
            elif operator == "**" and _is_int(left) and _is_int(right) and abs(left) > 1:
                self._bits(left.bit_length() * max(right, 0))
            elif operator == "+" and hasattr(left, "__len__") and hasattr(right, "__len__"):
                budget.text(len(left) + len(right))
            elif operator == "%" and isinstance(left, str):
                self._format_widths(left)
            return super().call_binop(context, operator, left, right)

        def call(self, context: Any, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
            self.budget.tick()
            owner = getattr(obj, "__self__", None)
            if isinstance(owner, str):
                name = getattr(obj, "__name__", "")
                if name in _PADDING_METHODS:
                    self._numbers(f'"...".{name}()', args, kwargs)
                elif name == "replace" and len(args) >= 2:
                    self._replacing(owner, args[0], args[1])
            return self._measured(super().call(context, obj, *args, **kwargs))

        def _checked_filter(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
            from functools import wraps

            sized = name in _SIZED_FILTERS

            @wraps(function)
            def checked(*args: Any, **kwargs: Any) -> Any:
                self.budget.tick()
                if sized:
                    self._numbers(f"the {name} filter", args[1:], kwargs)
                values = [a for a in args if isinstance(a, str)]
                if name == "replace" and len(values) >= 3:
                    self._replacing(values[-3], values[-2], values[-1])
                elif name == "format" and values:
                    self._format_widths(values[0])
                return self._measured(function(*args, **kwargs))

            return checked

        def _numbers(self, what: str, args: Any, kwargs: dict[str, Any]) -> None:
            for value in [*args, *kwargs.values()]:
                if _is_int(value):
                    self.budget.sized(abs(value), what)

        def _replacing(self, text: Any, old: Any, new: Any) -> None:
            if isinstance(text, str) and isinstance(old, str) and isinstance(new, str):
                count = text.count(old) if old else len(text) + 1
                self.budget.text(len(text) + count * max(len(new) - len(old), 0))

        def _format_widths(self, text: str) -> None:
            for match in _PERCENT_WIDTH.finditer(text):
                for width in match.groups():
                    if width == "*":
                        raise TemplateLimitError("a % format takes its width from a value")
                    if width:
                        self.budget.sized(int(width), "a % format width")

        def _bits(self, bits: int) -> None:
            if bits > self.budget.limits.int_bits:
                raise TemplateLimitError(
                    f"a number would have over {self.budget.limits.int_bits:,} binary digits"
                )

        def _measured(self, value: Any) -> Any:
            if isinstance(value, str | list | tuple):
                self.budget.text(len(value))
            return value

    return LimitedSandbox


def _loader(files: TemplateFiles, used: list[str]) -> Any:
    """A Jinja2 loader that knows only the committed template texts."""
    from jinja2 import BaseLoader, TemplateNotFound
    from jinja2.loaders import split_template_path

    class StudyTemplates(BaseLoader):
        def get_source(
            self,
            environment: Any,  # noqa: ARG002 - Jinja2's signature
            template: str,
        ) -> tuple[str, str, Callable[[], bool]]:
            name = "/".join(split_template_path(template))  # refuses '..'
            where = f"{TEMPLATES_DIR}/{name}"
            if name in files.refused:
                raise TemplateRefused(f"{where} {files.refused[name]}", where)
            if name not in files.texts:
                raise TemplateNotFound(template)
            if name not in used:
                used.append(name)
            return files.texts[name], where, lambda: True

        def list_templates(self) -> list[str]:
            return sorted(files.texts)

    return StudyTemplates()


def _render_request(request: dict[str, Any], limits: RenderLimits) -> dict[str, Any]:
    from jinja2 import StrictUndefined
    from markupsafe import Markup

    from prosper_coop.outputs import markdown

    files = TemplateFiles(request["texts"], request["refused"])
    used: list[str] = []
    loader = _loader(files, used)
    budget = _Budget(limits)
    environment = _environment_class()
    options = {
        "loader": loader,
        "undefined": StrictUndefined,
        "keep_trailing_newline": True,
        "trim_blocks": True,
        "lstrip_blocks": True,
    }
    context = dict(request["context"])
    context["wording"] = {key: markdown.Trusted(text) for key, text in request["wording"].items()}
    md_env = environment(budget, autoescape=False, finalize=_markdown_text, **options)
    _add_filters(md_env)
    text = markdown.tidy(
        request.get("preface", "") + _render_one(md_env, request["template"], context, budget)
    )
    page_html = None
    if request["page"]:
        blocks = markdown.parse(text)
        html_env = environment(budget, autoescape=True, **options)
        _add_filters(html_env)
        page_context = {
            **request["context"],
            "wording": request["wording"],
            **request["page_fields"],
            "title": request["page_fields"].get("title_prefix", "")
            + markdown.title_of(blocks, request["page_fields"].get("title", "")),
            "body": Markup(markdown.to_html(blocks)),
        }
        page_html = _render_one(html_env, request["page"], page_context, budget)
    return {"markdown": text, "html": page_html, "used": used}


def _markdown_text(value: Any) -> str:
    """Every ``{{ value }}`` in a Markdown template: record text shown as text."""
    from markupsafe import Markup

    from prosper_coop.outputs.markdown import escape

    if isinstance(value, Markup):  # the template said so: {{ value | safe }}
        return str(value)
    return escape(value)


def and_list(items: Any) -> str:
    """``["A", "B", "C"]`` -> ``"A, B and C"`` (the ``and_list`` filter)."""
    words = [str(item) for item in items]
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def number_word(value: Any) -> str:
    """Numbers up to ten as words (``6`` -> ``six``), larger ones as digits (``number_word``)."""
    if isinstance(value, int) and 0 <= value < len(NUMBER_WORDS):
        return NUMBER_WORDS[value]
    return str(value)


def _add_filters(env: Any) -> None:
    env.filters["and_list"] = env._checked_filter("and_list", and_list)
    env.filters["number_word"] = env._checked_filter("number_word", number_word)


def _render_one(env: Any, name: str, context: dict[str, Any], budget: _Budget) -> str:
    """Render one template, streaming and counting its output; problems become reports."""
    from jinja2 import TemplateNotFound, TemplateSyntaxError

    where = f"{TEMPLATES_DIR}/{name}"
    chunks: list[str] = []
    size = 0
    try:
        for chunk in env.get_template(name).generate(context):
            size += len(chunk)
            budget.text(size)
            budget.tick()
            chunks.append(chunk)
    except TemplateNotFound as exc:
        raise _Failed(
            {
                "kind": "not_found",
                "message": f"template file {TEMPLATES_DIR}/{exc.name} not found (needed by {name})",
                "hint": f"Check the file name in {TEMPLATES_DIR}/ (it must be saved), "
                "or restore the shipped templates.",
            }
        ) from None
    except TemplateSyntaxError as exc:
        raise _Failed(
            {
                "kind": "validation",
                "message": f"template syntax error: {exc.message}",
                "hint": "Fix the line shown in the template (Jinja2 syntax), then render "
                "again. Nothing was written.",
                "file": f"{TEMPLATES_DIR}/{exc.name or name}",
                "line": exc.lineno,
            }
        ) from None
    except TemplateRefused as exc:
        raise _Failed(
            {
                "kind": "validation",
                "message": str(exc),
                "hint": "Templates are read only from ordinary files saved in the study's "
                f"{TEMPLATES_DIR}/ folder. Nothing was written.",
                "file": exc.file,
            }
        ) from None
    except (MemoryError, _Failed):
        raise
    except Exception as exc:
        file, line = _template_location(exc, where, env)
        limited = isinstance(exc, TemplateLimitError)
        raise _Failed(
            {
                "kind": "validation",
                "message": f"the template went past a limit: {exc}" if limited else _describe(exc),
                "hint": LIMIT_HINT if limited else FIX_HINT,
                "file": file,
                "line": line,
            }
        ) from None
    return "".join(chunks)


def _describe(exc: Exception) -> str:
    from jinja2 import UndefinedError
    from jinja2.exceptions import SecurityError

    if isinstance(exc, SecurityError):
        return f"the template tried something templates may not do ({exc})"
    if isinstance(exc, UndefinedError):
        return f"the template uses something that does not exist: {exc}"
    if isinstance(exc, RecursionError):
        return "the template calls itself too deeply (a macro or include without an end)"
    return f"the template failed: {exc} ({type(exc).__name__})"


def _template_location(exc: BaseException, where: str, env: Any) -> tuple[str, int | None]:
    """The template file and line where ``exc`` was raised (Jinja rewrites tracebacks)."""
    known = {f"{TEMPLATES_DIR}/{name}" for name in env.loader.list_templates()}
    found: tuple[str, int | None] = (where, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in known:
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found
