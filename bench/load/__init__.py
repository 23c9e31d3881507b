"""The load harness: locust scenarios (bench/locustfile.py) and the runner of `./run.py load`."""
