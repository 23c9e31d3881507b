"""`python -m bench.minimal`: serve the minimal app (see bench/minimal/__init__.py)."""

from bench.minimal.app import main

raise SystemExit(main())
