"""`./run.py profile` and `./run.py profiles`: flame graphs under load, diffs, overhead, index."""
