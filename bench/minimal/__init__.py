"""The least a correct answer takes: bare Tornado plus the store and the log line, nothing else.

`python -m bench.minimal --port P --store FILE` serves GET /tasks/{id}, GET /tasks?limit=N&after=ID
and POST /tasks from a sqlite file with the service's schema (on Tornado's own HTTP server, or with
`--http llhttp` on the service's llhttp transport and uvloop), doing only the work that no
implementation of the service can skip:
- every answer reads or writes the file; a 201 comes after its COMMIT has been fsynced
  (WAL, synchronous=FULL), with the writes that arrive together committed as one group;
- every request gets an id and one canonical logfmt line in a log file.

It also trims what the service trims from Tornado's defaults: no SHA-1 ETag of every body, the
Date header formatted once a second, no Server header, no access log besides the canonical line;
ids are time-ordered like the service's, and each write is in a savepoint of its own, so one row
SQLite refuses fails alone. Everything else the service does is left out: checking more than that
the title is a string, JSON errors, versions and ETags from the store, If-Match, a drain with
deadlines (a SIGTERM only lets the writes taken commit and answers new ones 503), connection
limits, log writes kept off the event loop. So this app's ratio to bare
Tornado is about the most a service built the same way (tornado.web's RequestHandler, sqlite3 and
a log line) can reach for the same requests on the same transport; `./run.py bench ratios` measures
it next to the service (the minimal-* scenarios; minimal-llhttp-* on the service's transport).
"""
