"""``python -m dashboard``: the same CLI as the ``databloom`` console script."""

import sys

from dashboard.cli import main

sys.exit(main())
