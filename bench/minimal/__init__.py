"""The least a correct answer takes: bare Tornado plus the store and the log line, nothing else.

`python -m bench.minimal --port P --store FILE` serves GET /tasks/{id}, GET /tasks?limit=N&after=ID
and POST /tasks from a sqlite file with the service's schema, doing only the work that no
implementation of the service can skip:
- every answer reads or writes the file; a 201 comes after its COMMIT has been fsynced
  (WAL, synchronous=FULL), with the writes that arrive together committed as one group;
- every request gets an id and one canonical logfmt line in a log file.

Everything else the service does is left out: checking every field, JSON errors, versions and
ETags from the store, If-Match, draining at shutdown, logging that survives a slow disk. Tornado
keeps its defaults, as in bench/baseline.py. So this app's ratio to bare Tornado is the most that
any service on this stack can reach for the same requests, and `./run.py bench ratios` measures it
next to the service (the minimal-* scenarios).
"""
