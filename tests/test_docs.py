"""README.md and docs/: every code block that claims to run is run (or compiled) by a test, and
every command they name exists. No JVM, no server: this reads files and the CLI's argparse.

A block is one of:
- ```scala/```java/```python: a whole file of tests/examples/ (the README's round trips, run by
  test_examples.py and ExamplesSuite), or the region between `docs:start NAME` and `docs:end NAME`
  of one (ApiTour.scala, run by ExamplesSuite; api_tour.py, run by tests/jvm/test_tracing.py);
- ```bash: commands that are `make` targets of the Makefile or `mlflow-bridge` command lines that
  the CLI's parser accepts;
- ```text: shown, not run (a command line for a cluster or a bare JVM, with placeholders).
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
import textwrap
from pathlib import Path

import pytest

from bridge.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "tests" / "examples"
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
CLI = ("mlflow-bridge", ".venv/bin/mlflow-bridge")


def _blocks() -> list[tuple[str, str, str]]:
    """(page:line, fence info, body) of every fenced block."""
    out = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for m in FENCE.finditer(text):
            out.append((f"{page.relative_to(REPO)}:{text.count(chr(10), 0, m.start()) + 1}", m.group(1).strip(), m.group(2)))
    return out


def _examples() -> set[str]:
    """Every example file, whole, and every `docs:start` region of one, dedented."""
    shown: set[str] = set()
    for path in EXAMPLES.iterdir():
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        shown.add(text)
        for m in re.finditer(r"^[ \t]*(?://|#) docs:start (\S+)\n(.*?)^[ \t]*(?://|#) docs:end \1\n", text, flags=re.M | re.S):
            shown.add(textwrap.dedent(m.group(2)))
    return shown


def _commands(body: str) -> list[list[str]]:
    """The shell commands of a block: continuation lines joined, comments dropped."""
    joined = re.sub(r"\\\n\s*", " ", body)
    return [shlex.split(line, comments=True) for line in joined.splitlines() if shlex.split(line, comments=True)]


def _make_targets() -> set[str]:
    return set(re.findall(r"^([A-Za-z0-9_.-]+):(?!=)", (REPO / "Makefile").read_text(encoding="utf-8"), flags=re.M))


def _cli_accepts(argv: list[str]) -> str | None:
    """None when `mlflow-bridge argv` parses, else argparse's complaint."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            build_parser().parse_args(argv)
    except SystemExit:
        return err.getvalue().strip().splitlines()[-1]
    return None


BLOCKS = _blocks()


def test_there_are_docs_pages_and_blocks():
    assert {p.name for p in PAGES} >= {"README.md", "api.md", "scoring.md", "benchmarks.md", "parity.md", "contributing.md"}
    assert len(BLOCKS) >= 8


@pytest.mark.parametrize(("where", "info", "body"), BLOCKS, ids=[b[0] for b in BLOCKS])
def test_every_block_is_run_checked_or_marked_not_run(where, info, body):
    lang = info.split()[0] if info else ""
    if lang == "text":
        return
    if lang in ("scala", "java", "python"):
        assert body in _examples(), f"{where}: this ```{lang} block is no file of tests/examples/ and no docs:start region of one, as it is"
    elif lang == "bash":
        targets = _make_targets()
        for cmd in _commands(body):
            if cmd[0] == "make":
                unknown = [t for t in cmd[1:] if "=" not in t and t not in targets]
                assert not unknown, f"{where}: the Makefile has no target {unknown}"
            else:
                assert cmd[0] in CLI, f"{where}: `{cmd[0]}` is neither make nor mlflow-bridge: mark the block ```text if it is not run"
                complaint = _cli_accepts(cmd[1:])
                assert complaint is None, f"{where}: `{shlex.join(cmd)}`: {complaint}"
    else:
        pytest.fail(f"{where}: a ```{info} block: make it an example file (```scala/java/python), ```bash of make/mlflow-bridge, or ```text")


def test_the_readme_shows_the_round_trips_as_they_are():
    """The README's round trips are the example files, byte for byte, so they cannot rot."""
    readme = {body for where, _, body in BLOCKS if where.startswith("README.md:")}
    for name in ("ScalaRoundTrip.scala", "JavaRoundTrip.java", "round_trip.py"):
        assert (EXAMPLES / name).read_text(encoding="utf-8") in readme, f"README.md has no block equal to tests/examples/{name}"


def test_the_readme_command_table_is_the_cli():
    """Each row's subcommand and flags exist, and every subcommand has a row."""
    parser = build_parser()
    [subs] = [a for a in parser._actions if a.dest == "cmd"]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| `mlflow-bridge ([a-z-]+)([^`]*)` \|", readme, flags=re.M)
    assert sorted(name for name, _ in rows) == sorted(subs.choices), "README.md's command table and the CLI's subcommands differ"
    for name, rest in rows:
        known = set(subs.choices[name]._option_string_actions) | set(parser._option_string_actions)
        flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest))
        assert flags <= known, f"README.md: `mlflow-bridge {name}` has no {sorted(flags - known)}"


def _slug(heading: str) -> str:
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_links_between_pages_resolve():
    for page in PAGES:
        text = FENCE.sub("", page.read_text(encoding="utf-8"))
        for target in re.findall(r"\]\(([^)\s]+)\)", text):
            if re.match(r"[a-z]+:", target):
                continue
            file, _, anchor = target.partition("#")
            dest = (page.parent / file).resolve() if file else page
            assert dest.exists(), f"{page.relative_to(REPO)}: link to {target}: no such file"
            if anchor:
                headings = re.findall(r"^#+ (.+)$", FENCE.sub("", dest.read_text(encoding="utf-8")), flags=re.M)
                assert anchor in {_slug(h) for h in headings}, f"{page.relative_to(REPO)}: link to {target}: no such heading"


def test_the_readme_stays_short():
    """The README says what it is, how to start and where to read on; the rest lives in docs/."""
    assert len((REPO / "README.md").read_text(encoding="utf-8").splitlines()) <= 200
