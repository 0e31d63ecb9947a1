"""Shared test helpers and cases (not test modules)."""
