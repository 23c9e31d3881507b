"""The ratios benchmark: the service against bare Tornado, measured with wrk in the same run."""
