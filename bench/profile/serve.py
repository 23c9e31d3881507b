"""`./run.py profiles`: regenerate profiles/index.html, print its path; `--serve` serves it."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

from bench.argtypes import percent
from bench.profile.history import DEFAULT_THRESHOLD
from bench.profile.index import INDEX, write_index
from bench.runs import PROFILES

HOST = "127.0.0.1"  # never anything else: the runs may hold whatever the service stored
_TEXT = "text/plain; charset=utf-8"
# Reports and stacks are text a browser should show rather than download.
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".md": _TEXT,
    ".txt": _TEXT,
    ".log": _TEXT,
    ".csv": _TEXT,
    ".collapsed": _TEXT,
    ".pstat": "application/octet-stream",
    ".callgrind": "application/octet-stream",
}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="run.py profiles", description=__doc__)
    p.add_argument(
        "--profiles", type=Path, default=PROFILES, metavar="DIR", help="runs folder (%(default)s)"
    )
    p.add_argument("--serve", action="store_true", help=f"serve the folder on {HOST} until Ctrl-C")
    p.add_argument(
        "--port",
        type=_port,
        default=8000,
        metavar="P",
        help="port for --serve (default 8000; 0: a free one)",
    )
    p.add_argument(
        "--threshold",
        type=percent,
        default=DEFAULT_THRESHOLD,
        metavar="PCT",
        help="mark a bench run in the history when a figure is this much worse than in the run"
        " before it (default %(default)g%%, as `./run.py bench --compare`)",
    )
    return p.parse_args(argv)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, not {text!r}")
    return port


class Handler(SimpleHTTPRequestHandler):
    """Files under the profiles folder; the index is regenerated each time it is asked for."""

    def __init__(self, *args: Any, threshold: float = DEFAULT_THRESHOLD, **kwargs: Any) -> None:
        self.threshold = threshold  # percent, for the history's marks
        super().__init__(*args, **kwargs)  # which handles the request: set everything before

    def guess_type(self, path: str | os.PathLike[str]) -> str:
        return _TYPES.get(Path(path).suffix.lower()) or super().guess_type(path)

    def send_head(self) -> Any:
        if urlsplit(self.path).path in ("/", "/" + INDEX):
            try:
                write_index(Path(self.directory), self.threshold)
            except OSError as e:  # serve the last good page rather than none
                self.log_error("could not regenerate %s: %s", INDEX, e)
        return super().send_head()


def make_server(root: Path, port: int, threshold: float = DEFAULT_THRESHOLD) -> ThreadingHTTPServer:
    """A server of `root` on 127.0.0.1:`port` (0: a free port); OSError if it cannot listen."""
    handler = partial(Handler, directory=str(root), threshold=threshold)
    return ThreadingHTTPServer((HOST, port), handler)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # SIGTERM ends the server the way Ctrl-C does


def serve(root: Path, port: int, threshold: float = DEFAULT_THRESHOLD) -> int:
    """Serve `root` until Ctrl-C or SIGTERM; print the index's URL once listening."""
    try:
        server = make_server(root, port, threshold)
    except OSError as e:
        print(f"run.py profiles: cannot listen on {HOST}:{port}: {e}", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)
    with server:
        print(f"serving {root} (Ctrl-C to stop)", flush=True)
        print(f"http://{HOST}:{server.server_address[1]}/{INDEX}", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            server.serve_forever()
    print("stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Regenerate the index and print its path (last); with --serve, then serve the folder."""
    args = parse_args(argv)
    try:
        index = write_index(args.profiles.resolve(), args.threshold)
    except OSError as e:
        print(f"run.py profiles: {e}", file=sys.stderr)
        return 2
    print(index, flush=True)
    return serve(index.parent, args.port, args.threshold) if args.serve else 0


if __name__ == "__main__":
    sys.exit(main())
