#!/usr/bin/env python3
"""bin/grimoire's slow path: prepare the plugin's private environment, then run grimoire in it."""

import os
import sys

# Runs with any Python >= 3.9 and no third-party packages; the package is found beside this file.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from eventdesign.provision.launcher import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
