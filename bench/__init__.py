"""The harness: microbenchmarks (`bench/micro`), locust load scenarios and their runners."""
