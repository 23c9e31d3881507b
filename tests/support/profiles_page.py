"""Read profiles/index.html back (as written, or as a browser dumped it), and serve it in tests."""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from bench.load.service import free_port, stop_process
from tests.support.server import REPO


@dataclass
class Row:
    """A run row of the index: its folder, its cells' text, and its links by class."""

    folder: str
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (class, href)

    def hrefs(self, css: str) -> list[str]:
        return [href for cls, href in self.links if cls == css]


@dataclass
class Figure:
    """A history figure: its metric, its points' runs in order, those marked, its axis labels."""

    name: str
    runs: list[str] = field(default_factory=list)
    marked: list[str] = field(default_factory=list)
    text: str = ""


class IndexPage(HTMLParser):
    """The run rows of the runs table, in page order, the history's figures, and every URL the
    page refers to."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.rows: list[Row] = []
        self.urls: list[str] = []
        self.tables: list[str] = []
        self.figures: dict[str, Figure] = {}
        self._row: Row | None = None
        self._figure: Figure | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.urls += [a[k] for k in ("href", "src", "action", "data") if k in a]
        if tag == "table":
            self.tables.append(a.get("id", ""))
        elif tag == "tr":
            self._row = Row(a["data-run"]) if "run" in a.get("class", "").split() else None
            if self._row:
                self.rows.append(self._row)
        elif tag == "a" and self._row is not None:
            self._row.links.append((a.get("class", ""), a.get("href", "")))
        elif tag == "svg" and "history" in a.get("class", "").split():
            self._figure = self.figures.setdefault(a["data-figure"], Figure(a["data-figure"]))
        elif tag == "circle" and self._figure is not None:
            self._figure.runs.append(a["data-run"])
            if "regression" in a.get("class", "").split():
                self._figure.marked.append(a["data-run"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "tr":
            self._row = None
        elif tag == "svg":
            self._figure = None

    def handle_data(self, data: str) -> None:
        if self._row is not None:
            self._row.text += data
        if self._figure is not None:
            self._figure.text += data + " "

    def row(self, folder: str) -> Row:
        return next(r for r in self.rows if r.folder == folder)


@dataclass
class Served:
    """`./run.py profiles --serve` running: its process and the index's URL."""

    proc: subprocess.Popen[bytes]
    url: str
    stdout: Path


def serve_profiles(root: Path, logs: Path, *extra: str, timeout: float = 30.0) -> Served:
    """Start `./run.py profiles --serve` (and `extra` flags) on a free port and wait until it
    prints its URL."""
    stdout, stderr = logs / "serve.stdout", logs / "serve.stderr"
    cmd = [sys.executable, str(REPO / "run.py"), "profiles", "--serve"]
    cmd += ["--port", str(free_port()), "--profiles", str(root), *extra]
    with stdout.open("wb") as out, stderr.open("wb") as err:
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=out, stderr=err)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        urls = [line for line in stdout.read_text().splitlines() if line.startswith("http://")]
        if urls:
            return Served(proc, urls[0], stdout)
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    stop_process(proc, wait=5)
    raise RuntimeError(f"no URL from {' '.join(cmd)}: {stderr.read_text()}")
