"""The llhttp transport: tornado.web served through httptools' parser on an asyncio protocol."""

from taskservice.tornado.llhttp.server import LLHTTPServer

__all__ = ["LLHTTPServer"]
