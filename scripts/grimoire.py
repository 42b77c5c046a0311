#!/usr/bin/env python3
# /// script
# requires-python = ">=3.9"
# dependencies = ["pyyaml>=5.4", "jsonschema>=4.18", "jinja2>=3.0", "avro>=1.11"]
# ///
"""grimoire: check, verify, draw and export event-driven designs. Run with --help."""

import os
import sys

# The package lives beside this file; find it from __file__, never from the working directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eventdesign.cli import console_main

if __name__ == "__main__":
    console_main()
