"""Concurrent writers that POST tasks as fast as they can and remember what was acknowledged."""

from __future__ import annotations

import http.client
import json
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tests.support.server import ServerProcess

PRIORITIES = ("urgent", "high", "normal", "low", "none")


def make_task(client: int, n: int) -> dict[str, Any]:
    """A task that uses every field, distinct from every other client's and number's."""
    return {
        "title": f"client {client} task {n} ✓",
        "description": f"line one\nline two, é, {'x' * (n % 97)}",
        "priority": PRIORITIES[n % len(PRIORITIES)],
        "completed": n % 2 == 0,
        "due_date": client * 1_000_000_000 + n if n % 3 else n + 0.5,
    }


@dataclass
class PostLoad:
    """`clients` threads, each on its own keep-alive connection, POSTing until stopped or cut off.

    A request whose connection fails after it was sent is "in doubt": the client cannot know
    whether the server stored it. A client stops at its first connection failure.
    """

    host: str
    port: int
    clients: int = 8
    acked: dict[str, dict[str, Any]] = field(default_factory=dict)  # Location -> task sent
    in_doubt: int = 0
    failures: list[str] = field(default_factory=list)  # why each in-doubt request failed
    unexpected: list[str] = field(default_factory=list)  # answers other than 201
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> PostLoad:
        """Start every client."""
        for n in range(self.clients):
            thread = threading.Thread(target=self._client, args=(n,), daemon=True)
            self._threads.append(thread)
            thread.start()
        return self

    def wait_for_acks(self, count: int, timeout: float) -> None:
        """Return once `count` writes were acknowledged; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(self.acked) < count:
            assert time.monotonic() < deadline, f"only {len(self.acked)} acks in {timeout}s"
            assert any(t.is_alive() for t in self._threads), f"clients gave up: {self.unexpected}"
            time.sleep(0.01)

    def stop(self, timeout: float = 30.0) -> None:
        """Tell every client to stop, and wait until they have."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout)
            assert not thread.is_alive(), "a client did not stop"

    def _client(self, client: int) -> None:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        n = 0
        try:
            while not self._stop.is_set():
                if conn.sock is None:
                    try:
                        conn.connect()
                    except OSError:
                        return  # nothing was sent: the server is gone
                task = make_task(client, n)
                n += 1
                try:
                    conn.request("POST", "/tasks", json.dumps(task))
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException) as e:
                    with self._lock:
                        self.in_doubt += 1
                        self.failures.append(repr(e))
                    return
                with self._lock:
                    if response.status == 201:
                        self.acked[response.headers["Location"]] = task
                    else:
                        self.unexpected.append(f"{response.status} {response.reason}")
                if response.will_close:
                    conn.close()  # the server said Connection: close; open a new one
        finally:
            conn.close()


def lost_tasks(server: ServerProcess, acked: dict[str, dict[str, Any]]) -> list[str]:
    """The acknowledged tasks that the server no longer returns exactly as they were sent."""
    lost = []
    conn = http.client.HTTPConnection(server.host, server.port, timeout=30)
    try:
        for location, task in acked.items():
            conn.request("GET", location)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or json.loads(body) != task:
                lost.append(f"{location}: {response.status} {body[:200]!r}")
    finally:
        conn.close()
    return lost
