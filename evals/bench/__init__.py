"""Benchmarks: latency, ingest throughput, scale and cold start (``advisor bench``)."""
