"""The test suite (a package, so `tests.support` is this folder even when an installed distribution ships a top-level `tests` package, as label-studio-converter does)."""
