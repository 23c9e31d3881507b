"""Domain errors: the service and the stores raise these; the web layer maps them to statuses."""

from __future__ import annotations


class TaskServiceError(Exception):
    """Base class of every error the service raises on purpose."""


class ValidationError(TaskServiceError):
    """A request body or task field is not acceptable; the message names the field."""


class TaskNotFound(TaskServiceError):
    """No task has the given id."""

    def __init__(self, task_id: str) -> None:
        super().__init__(f"task {task_id!r} not found")
        self.task_id = task_id


class StoreError(TaskServiceError):
    """The store cannot serve a request right now (unreadable, locked, corrupt or full)."""


class VersionMismatch(TaskServiceError):
    """The task exists, but not in a version the client's precondition (If-Match) names."""

    def __init__(self, task_id: str) -> None:
        super().__init__(f"task {task_id!r} has changed since the version you named (If-Match)")
        self.task_id = task_id
