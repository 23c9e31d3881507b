"""`./run.py profile`: flame graphs of the service under load, diffs, profiler overhead."""
