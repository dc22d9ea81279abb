"""``python -m citekit.cli``: the ``citekit`` command."""

import sys

from citekit.cli import main

sys.exit(main())
