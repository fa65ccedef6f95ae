"""``python -m hbomkb``: the ``hbomkb`` command."""

import sys

from hbomkb.cli import main

# Guarded: worker processes of `hbomkb run` import this module again under another name.
if __name__ == "__main__":
    sys.exit(main())
