"""``python -m referral``: the same as the ``referral`` command."""

import sys

from .cli import main

sys.exit(main())
