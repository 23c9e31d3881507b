"""README.md and docs/*.md hold to the tree: links resolve, commands parse, config keys exist.

Conventions the checks rely on:
- a link is Markdown's `[text](target)` or `![alt](target)` outside code; a target with a scheme
  (`https:`) is external and not checked;
- a command is a line of a fenced block, or an inline code span, that starts with `./run.py`
  (after a `$ ` prompt or `NAME=value` settings); a synopsis (with `[`, `|`,
  `<`, `...` or an upper-case metavar such as `N` or `URL`) shows a shape, not a command, and is
  not run;
- a config key is an inline code span `section.key`, optionally followed by `: value`, whose section
  is a top-level section of the config file (`server.max_body_bytes`, `server.log_queue: true`);
  `server.py` and `server.log` are files, by their suffix.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from taskservice import config

REPO = Path(__file__).resolve().parents[2]
README = REPO / "README.md"
DOCS = [README, *sorted((REPO / "docs").glob("*.md"))]
LINKED = [*DOCS, REPO / "profiles" / "README.md"]  # the README links it: its links count too
MAX_README_LINES = 200

FENCE = re.compile(r"^\s*(```|~~~)")
HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)
METAVAR = re.compile(r"^[A-Z][A-Z_]*$")
CONFIG_KEY = re.compile(r"^([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)(?:\s*:\s.*)?$")
COMMAND = re.compile(r"^(?:\$\s+)?(?:[A-Z_][A-Z0-9_]*=\S*\s+)*(\./run\.py(?:\s.*)?)$")
FILE_SUFFIXES = frozenset({"py", "log", "md", "json", "yaml", "yml", "svg", "csv", "txt", "html"})

# The tutorial's session, as /work/shared/seed/tutorial.md gives it and tests/e2e replays it.
TUTORIAL_ID = "019ac8a1e3f2c0d54e1b7a9f3c2d8e61"
TUTORIAL_CURLS = [
    """$ curl -i -X POST http://localhost:8080/tasks -d '{"title": "Task1"}'""",
    f"$ curl -i -X GET http://localhost:8080/tasks/{TUTORIAL_ID}",
    f"""$ curl -i -X PUT http://localhost:8080/tasks/{TUTORIAL_ID} -d '{{"title": "Task2"}}'""",
    "$ curl -i -X GET http://localhost:8080/tasks",
    f"$ curl -i -X DELETE http://localhost:8080/tasks/{TUTORIAL_ID}",
    "$ curl -i -X GET http://localhost:8080/tasks",
    f"$ curl -i -X GET http://localhost:8080/tasks/{TUTORIAL_ID}",
]


@dataclass(frozen=True)
class Parts:
    """A Markdown file split into its prose paragraphs and its fenced code blocks' lines."""

    paragraphs: list[str]
    code_lines: list[str]


def split(text: str) -> Parts:
    """The paragraphs outside fenced code, and the lines inside it."""
    paragraphs: list[str] = []
    code_lines: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in text.splitlines():
        mark = FENCE.match(line)
        if fence is not None:
            if mark and mark.group(1) == fence:
                fence = None
            else:
                code_lines.append(line)
        elif mark:
            fence = mark.group(1)
            paragraphs.append("\n".join(current))
            current = []
        elif line.strip():
            current.append(line)
        else:
            paragraphs.append("\n".join(current))
            current = []
    paragraphs.append("\n".join(current))
    return Parts([p for p in paragraphs if p], code_lines)


def slug(heading: str) -> str:
    """GitHub's anchor for a heading's text: lower case, punctuation dropped, spaces to `-`."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link reads as its text
    text = text.replace("`", "").strip().lower()
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading's anchor in a Markdown text; a repeated one gets `-1`, `-2`, as on GitHub."""
    seen: dict[str, int] = {}
    result: set[str] = set()
    for paragraph in split(text).paragraphs:
        for line in paragraph.splitlines():
            match = HEADING.match(line)
            if not match:
                continue
            base = slug(match.group(2))
            count = seen.get(base, 0)
            seen[base] = count + 1
            result.add(base if count == 0 else f"{base}-{count}")
    return result


def without_code_spans(paragraph: str) -> str:
    """The paragraph with its inline code spans emptied, so code is never read as a link."""
    return CODE_SPAN.sub("``", paragraph)


def code_spans(paragraph: str) -> Iterator[str]:
    """The text of each inline code span, whitespace (line breaks included) collapsed."""
    for match in CODE_SPAN.finditer(paragraph):
        yield " ".join(match.group(2).split())


def links(text: str) -> Iterator[str]:
    """Every link target in the prose of a Markdown text."""
    for paragraph in split(text).paragraphs:
        for match in LINK.finditer(without_code_spans(paragraph)):
            yield match.group(1)


def broken_links(doc: Path) -> list[str]:
    """Each relative link in `doc` whose file or `#anchor` does not exist, with why."""
    broken: list[str] = []
    for target in links(doc.read_text(encoding="utf-8")):
        if SCHEME.match(target):
            continue
        path, _, anchor = target.partition("#")
        resolved = (doc.parent / path).resolve() if path else doc
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix != ".md":
            broken.append(f"{target}: an anchor into a file that is not Markdown")
        elif anchor and anchor not in anchors(resolved.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading with that anchor in {resolved.name}")
    return broken


def commands(text: str) -> Iterator[str]:
    """Every `./run.py ...` command a Markdown text shows, in code blocks and inline code."""
    parts = split(text)
    joined = "\n".join(parts.code_lines).replace("\\\n", " ")
    candidates = list(joined.splitlines())
    for paragraph in parts.paragraphs:
        candidates.extend(code_spans(paragraph))
    for candidate in candidates:
        match = COMMAND.match(candidate.strip())
        if match:
            command = re.sub(r"\s#.*$", "", match.group(1)).strip().removesuffix("&")
            yield " ".join(command.split())


def is_synopsis(command: str) -> bool:
    """Whether a command shows a shape (optional parts, choices, metavars) rather than a command."""
    if any(mark in command for mark in ("[", "]", "|", "<", ">", "...")):
        return True
    return any(METAVAR.match(word) for word in command.split()[1:])


def shown_commands() -> list[str]:
    """Every runnable `./run.py` command the README and docs show, each once."""
    found = {c for doc in DOCS for c in commands(doc.read_text(encoding="utf-8"))}
    return sorted(c for c in found if not is_synopsis(c))


def named_config_keys(text: str) -> Iterator[str]:
    """Each `section.key` in inline code whose section is one of the config file's sections."""
    for paragraph in split(text).paragraphs:
        for span in code_spans(paragraph):
            match = CONFIG_KEY.match(span)
            if match and match.group(2) not in FILE_SUFFIXES and is_section(match.group(1)):
                yield f"{match.group(1)}.{match.group(2)}"


def is_section(name: str) -> bool:
    """Whether config.parse takes `name` as a top-level section of a config file."""
    try:
        config.parse({name: {}})
    except config.ConfigError as e:
        return not str(e).startswith(f"{name}: unknown key")
    return True


def key_exists(key: str) -> bool:
    """Whether config.parse knows `section.key`: it calls a bad value bad, not the key unknown."""
    section, name = key.split(".")
    try:
        config.parse({section: {name: object()}})  # no key takes an object(): the value is refused
    except config.ConfigError as e:
        return not str(e).startswith(f"{key}: unknown key")
    return True  # a section parse does not check key by key (logging: a dictConfig mapping)


def test_heading_anchors_follow_githubs_rules() -> None:
    text = "# The API\n## Open model: `--rate R`\n```\n# not a heading\n```\n## Notes\n## Notes\n"
    assert anchors(text) == {"the-api", "open-model---rate-r", "notes", "notes-1"}


def test_links_in_code_are_not_links() -> None:
    text = "See [a](a.md) and `[b](b.md)`.\n\n```\n[c](c.md)\n```\n"
    assert list(links(text)) == ["a.md"]


def test_readme_is_at_most_200_lines() -> None:
    assert len(README.read_text(encoding="utf-8").splitlines()) <= MAX_README_LINES


def test_readme_links_every_doc_in_docs() -> None:
    linked = {(README.parent / t.partition("#")[0]).resolve() for t in links(README.read_text())}
    assert [d.name for d in DOCS[1:] if d.resolve() not in linked] == []


@pytest.mark.parametrize("doc", LINKED, ids=lambda d: d.relative_to(REPO).as_posix())
def test_every_relative_link_in_readme_and_docs_resolves(doc: Path) -> None:
    assert broken_links(doc) == []


def test_readme_shows_the_tutorials_curl_session() -> None:
    lines = README.read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith("$ curl")] == TUTORIAL_CURLS


def test_the_docs_show_run_py_commands_to_check() -> None:
    targets = {c.split()[1] for c in shown_commands() if len(c.split()) > 1}
    assert {"bench", "load", "profile", "profiles", "soak", "serve", "test"} <= targets


def run_with_help(command: str) -> subprocess.CompletedProcess[str]:
    """`command --help`, run with this Python from the repository's root."""
    argv = [sys.executable, str(REPO / "run.py"), *command.split()[1:], "--help"]
    return subprocess.run(argv, cwd=REPO, capture_output=True, text=True, timeout=60, check=False)


@pytest.fixture(scope="module")
def help_runs() -> dict[str, subprocess.CompletedProcess[str]]:
    """Every shown command run with `--help`, a few at a time: each is a Python start-up."""
    commands = shown_commands()
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(commands, pool.map(run_with_help, commands), strict=True))


@pytest.mark.parametrize("command", shown_commands())
def test_every_run_py_command_the_docs_show_parses_with_help(
    command: str, help_runs: dict[str, subprocess.CompletedProcess[str]]
) -> None:
    done = help_runs[command]
    assert done.returncode == 0, done.stderr


def test_every_config_key_the_docs_name_exists_in_config() -> None:
    named = {key for doc in DOCS for key in named_config_keys(doc.read_text(encoding="utf-8"))}
    assert len(named) >= 15  # the configuration table alone names more: the check sees keys
    assert sorted(key for key in named if not key_exists(key)) == []
