"""Profiling under load (issue 5): run folders of flame graphs, and the index that lists them."""
