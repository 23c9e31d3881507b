"""Known waits: the innermost frames of a thread that is waiting, not working."""

from __future__ import annotations

from bench.profile import waits

# The leaves of a py-spy run without --gil on this machine (read-heavy, 15 s), where py-spy's
# idle detection fails: the service's threads show as if they ran (samples per stack).
NO_GIL = {
    "Thread.run (threading.py);LogListener._monitor (taskservice/utils/logqueue.py)": 282,
    "Thread.run (threading.py);SqliteWriter._serve (taskservice/store/sqlite_writer.py)": 263,
    "Thread.wait (x.py);Event.wait (threading.py);Condition.wait (threading.py)": 252,
    "Thread.run (threading.py);_worker (concurrent/futures/thread.py)": 230,
    "main (taskservice/tornado/server.py);Runner.run (asyncio/runners.py)": 142,
    "RequestHandler.flush (tornado/web.py);Exchange.write_headers (x/exchange.py)": 673,
}


def test_the_service_threads_waits_are_known() -> None:
    assert waits.waiting_share(NO_GIL) == (282 + 263 + 252 + 230) / sum(NO_GIL.values())


def test_only_the_innermost_frame_counts() -> None:
    # A wait on the way to work is not waiting: the thread is running what it called.
    assert not waits.is_waiting("Condition.wait (threading.py);SqliteStore.get (x/sqlite.py)")
    assert waits.is_waiting("a (b.py);Condition.wait (threading.py)")


def test_an_empty_picture_has_no_waiting() -> None:
    assert waits.waiting_share({}) == 0.0
