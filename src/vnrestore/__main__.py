"""``python -m vnrestore``: the same command line as the ``vnrestore`` script."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
