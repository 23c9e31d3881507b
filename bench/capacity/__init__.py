"""Capacity: step the open-model rate until the SLO breaks, then bisect to the highest rate that
meets it (`./run.py load --find-capacity`, `./run.py bench capacity`)."""
