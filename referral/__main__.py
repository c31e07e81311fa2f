"""``python -m referral``: the same as the ``referral`` command."""

from .cli import run

run()
