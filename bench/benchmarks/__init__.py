"""Benchmarks, one module each; every module registers its own with `@benchmark`."""
