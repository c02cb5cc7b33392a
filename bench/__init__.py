"""Benchmarks and tuning scripts (importable as bench.*; the sets they read live in eval/)."""
