"""Microbenchmarks of the hot paths, without HTTP noise: `./run.py bench micro`."""
