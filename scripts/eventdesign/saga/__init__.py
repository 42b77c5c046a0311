"""Sagas: the typed saga model, failure-path exploration and counterexample traces."""
