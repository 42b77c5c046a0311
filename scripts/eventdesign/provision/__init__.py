"""The plugin's private Python environment: find it, build it once, run grimoire in it.

Standard library only and Python 3.9 syntax: this runs before the dependencies exist.
"""
