"""taskservice: a todo-list service whose core knows nothing of the web framework on top."""

from taskservice.config import Config, ConfigError
from taskservice.datamodel import PRIORITIES, Task
from taskservice.errors import StoreError, TaskNotFound, TaskServiceError, ValidationError
from taskservice.service import TodoListService
from taskservice.store import Store, make_store

__all__ = [
    "PRIORITIES",
    "Config",
    "ConfigError",
    "Store",
    "StoreError",
    "Task",
    "TaskNotFound",
    "TaskServiceError",
    "TodoListService",
    "ValidationError",
    "make_store",
]
__version__ = "0.1.0"
