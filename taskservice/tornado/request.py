"""ServiceRequest: Tornado's HTTPServerRequest, made without two costs it has on every request.

- Tornado parses the query string into `arguments`, then deep-copies that into
  `query_arguments`; copy.deepcopy walks the dict in Python. The values are lists of bytes, so
  copying each list makes the same copy.
- Before a handler runs, Tornado parses a body read whole as a form, looking its Content-Type
  up with a KeyError raised and caught when there is none; with no type there is no form.

ServiceRouting is Tornado's routing delegate, making a ServiceRequest for each request.
"""

from __future__ import annotations

from collections.abc import Awaitable

from tornado import httputil
from tornado.escape import parse_qs_bytes
from tornado.routing import _RoutingDelegate

from taskservice.tornado.headers import has_field


class ServiceRequest(httputil.HTTPServerRequest):
    """An HTTPServerRequest holding what Tornado's would, made with less work."""

    @classmethod
    def make(
        cls,
        start_line: httputil.RequestStartLine,
        headers: httputil.HTTPHeaders,
        connection: httputil.HTTPConnection | None,
        server_connection: object | None,
    ) -> ServiceRequest:
        """The request Tornado's routing delegate would make for this head."""
        path, _, query = start_line.path.partition("?")
        if not query:
            return cls(
                connection=connection,
                server_connection=server_connection,
                start_line=start_line,
                headers=headers,
            )
        # Made from the path alone, so that Tornado has no query to parse and copy; its checks
        # of the head (Host) still come first, as they do when it parses the query itself.
        request = cls(
            connection=connection,
            server_connection=server_connection,
            start_line=start_line._replace(path=path),
            headers=headers,
        )
        request.uri = start_line.path
        request.query = query
        try:
            request.arguments = parse_qs_bytes(
                query,
                keep_blank_values=True,
                # Read at each request, as Tornado does: set_parse_body_config may change it.
                max_num_fields=httputil._DEFAULT_PARSE_BODY_CONFIG.urlencoded.max_arguments,
            )
        except Exception as e:
            raise httputil.HTTPInputError(f"Invalid query string: {e}") from e
        request.query_arguments = {name: list(values) for name, values in request.arguments.items()}
        return request

    def _parse_body(self) -> None:
        if has_field(self.headers, "Content-Type"):
            super()._parse_body()
        # else: no type, no form (parse_body_arguments would add nothing to the arguments)


class ServiceRouting(_RoutingDelegate):
    """Tornado's routing delegate, making a ServiceRequest."""

    def headers_received(
        self,
        start_line: httputil.RequestStartLine | httputil.ResponseStartLine,
        headers: httputil.HTTPHeaders,
    ) -> Awaitable[None] | None:
        if not isinstance(start_line, httputil.RequestStartLine):
            return super().headers_received(start_line, headers)
        request = ServiceRequest.make(start_line, headers, self.request_conn, self.server_conn)
        delegate = self.router.find_handler(request)
        if delegate is None:  # not from our applications, which always find one
            return super().headers_received(start_line, headers)
        self.delegate = delegate
        return delegate.headers_received(start_line, headers)
