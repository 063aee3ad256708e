"""Benchmarks for teamtui: ``python bench/run.py`` (table) or ``python bench/run.py --json``."""
