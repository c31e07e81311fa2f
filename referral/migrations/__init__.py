"""The Alembic migration history of the referral records database (see :mod:`referral.records`).

The script location is this folder, inside the package, so an installed ``referral`` upgrades
a plaza's database without an ``alembic.ini``: :func:`referral.records.upgrade`.
"""
