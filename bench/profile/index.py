"""profiles/index.html: one self-contained page listing every run folder, newest first."""

from __future__ import annotations

import os
import tempfile
import time
from html import escape
from pathlib import Path
from urllib.parse import quote

from bench.profile import history_svg
from bench.profile.catalog import Entry, LayerRow, Link, Picture, scan
from bench.profile.history import DEFAULT_THRESHOLD, History, read_history

INDEX = "index.html"
COLUMNS = (
    "time", "kind", "scenario", "tool", "mode", "rps", "p99 ms", "commit", "pictures", "files",
)  # fmt: skip

# Inline on purpose: the page must work offline, from file:// as well as served.
_STYLE = """
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; width: 100%; }
th, td { border-bottom: 1px solid #ddd; padding: .35em .5em; text-align: left; }
td { vertical-align: top; }
th { position: sticky; top: 0; background: #f4f4f4; }
td:nth-child(-n+8) { white-space: nowrap; }
.problem { white-space: normal; max-width: 40em; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.run.profiling { background: #fffaf0; }
tr.preview td { border-bottom: 1px solid #ccc; padding-top: 0; }
tr.preview img { max-width: 100%; border: 1px solid #ddd; }
.folder, .dl, .missing { color: #777; font-size: 90%; }
.problem, .bad { color: #b00; }
.missing { text-decoration: line-through; }
table.layers { width: auto; margin: .3em 0 .6em; }
table.layers td, table.layers th { padding: .15em .6em; position: static; }
body:has(#only-profiling:checked) tr.other { display: none; }
"""


def write_index(profiles_root: Path, threshold: float = DEFAULT_THRESHOLD) -> Path:
    """Regenerate `profiles_root/index.html` from the run folders under it; return its path.

    `threshold` (percent) is how much worse than the run before a bench run's figure must be
    to be marked in the history.
    """
    if not profiles_root.is_dir():
        raise FileNotFoundError(f"no profiles folder at {profiles_root}")
    history = read_history(profiles_root, threshold)
    page = render(scan(profiles_root), time.strftime("%Y-%m-%d %H:%M:%S"), history)
    target = profiles_root / INDEX
    # A browser reloading mid-write must see the old page or the new one, never half of one.
    fd, tmp = tempfile.mkstemp(prefix=".index-", suffix=".html", dir=profiles_root)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(page)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def render(entries: list[Entry], generated: str, history: History | None = None) -> str:
    """The whole page; every string that came from disk is escaped, every link is relative."""
    profiling = sum(e.profiling for e in entries)
    head = "".join(f"<th>{escape(c)}</th>" for c in COLUMNS)
    rows = "\n".join(_rows(e) for e in entries) or (
        f'<tr><td colspan="{len(COLUMNS)}">No runs yet: <code>./run.py profile</code>, '
        "<code>./run.py load --headless</code> and <code>./run.py bench</code> write them here."
        "</td></tr>"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>profiles: {len(entries)} runs</title>
<style>{_STYLE}{history_svg.STYLE}</style>
</head>
<body>
<h1>Runs under profiles/</h1>
<p>{len(entries)} runs ({profiling} profile, diff or overhead), newest first; generated {generated}.
A flame graph opens as an interactive SVG: click a frame to zoom, Ctrl-F to search.
How to read each picture: <a href="README.md">README.md</a>.</p>{_history_link(history)}
<p><label><input type="checkbox" id="only-profiling">
only profile, diff and overhead runs</label></p>
<table id="runs">
<thead><tr>{head}</tr></thead>
<tbody>
{rows}
</tbody>
</table>
{"" if history is None else history_svg.render(history)}
</body>
</html>
"""


def _history_link(history: History | None) -> str:
    if history is None or not history.series:
        return ""
    return (
        f'\n<p>The bench runs\' figures across time: <a href="#history">history</a>'
        f" ({len(history.series)} figures).</p>"
    )


def _rows(e: Entry) -> str:
    group = "profiling" if e.profiling else "other"
    problems = "".join(f'<div class="problem">{escape(p)}</div>' for p in e.problems)
    folder = f'<div class="folder">{_a(Link(e.folder, e.folder + "/"))}</div>'
    failures = f' <span class="bad">{e.failures} failed</span>' if e.failures else ""
    cells = [
        f'<time datetime="{e.when.isoformat()}">{e.when:%Y-%m-%d %H:%M:%S}</time>'
        + folder
        + problems,
        _text(e.kind),
        _text(e.scenario),
        _text(e.tool),
        _text(e.mode),
        ("—" if e.rps is None else f"{e.rps:.1f}") + failures,
        _num(e.p99_ms),
        _text(e.commit),
        "<br>".join(_picture(p) for p in e.pictures),
        " · ".join(_a(r) for r in e.reports),
    ]
    numeric = {COLUMNS.index("rps"), COLUMNS.index("p99 ms")}
    tds = "".join(
        f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
        for i, c in enumerate(cells)
    )
    row = f'<tr class="run {group}" data-run="{escape(e.folder)}">{tds}</tr>'
    if e.layers:
        row += f'\n<tr class="preview {group}"><td colspan="{len(COLUMNS)}">'
        row += f"{_layers(e.layers)}</td></tr>"
    previewed = e.profiling or e.kind == "capacity"  # a bench run's histograms are many
    first = e.pictures[0] if e.pictures and previewed else None
    if first is None or first.svg.href is None:
        return row
    src = escape(quote(first.svg.href))
    preview = (
        f"<details><summary>preview: {escape(first.title)}</summary>"
        f'<a href="{src}"><img src="{src}" alt="{escape(first.title)}" loading="lazy"></a>'
        "</details>"
    )
    return f'{row}\n<tr class="preview {group}"><td colspan="{len(COLUMNS)}">{preview}</td></tr>'


def _layers(rows: list[LayerRow]) -> str:
    """A run's layer table: share and CPU µs per request, or, for a diff, B's µs and the change."""
    is_diff = any(r.change is not None for r in rows)
    head = ("layer", "B µs/request", "change") if is_diff else ("layer", "share", "µs/request")
    cells = []
    for r in rows:
        middle = _num(r.us) if is_diff else ("—" if r.share is None else f"{r.share:.1%}")
        last = ("—" if r.change is None else f"{r.change:+.0f}") if is_diff else _num(r.us)
        cells.append(
            f'<tr><td>{escape(r.layer)}</td><td class="num">{middle}</td>'
            f'<td class="num">{last}</td></tr>'
        )
    ths = "".join(f"<th>{escape(h)}</th>" for h in head)
    return (
        '<details open><summary>where the time goes, by layer</summary><table class="layers">'
        f"<thead><tr>{ths}</tr></thead><tbody>{''.join(cells)}</tbody></table></details>"
    )


def _picture(p: Picture) -> str:
    svg = _a(Link(p.title, p.svg.href, p.svg.note), css="svg")
    if not p.downloads:
        return svg
    return f'{svg} <span class="dl">({", ".join(_a(d, download=True) for d in p.downloads)})</span>'


def _a(link: Link, css: str = "", download: bool = False) -> str:
    """A relative link, or the label struck through with the reason it has none."""
    label = escape(link.label)
    if link.href is None:
        return f'<span class="missing" title="{escape(link.note)}">{label}</span>'
    attrs = f' class="{css}"' if css else ""
    attrs += " download" if download else ""
    return f'<a href="{escape(quote(link.href))}"{attrs}>{label}</a>'


def _text(value: str | None) -> str:
    return escape(value) if value else "—"


def _num(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"
