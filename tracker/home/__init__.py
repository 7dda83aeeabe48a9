"""Each role's home page at ``/``: what a grantee, an M&E officer, a donor or an administrator looks at first.

The figures are counted in SQL within the viewer's scope (donors through the donor rules only), cached per
audience and invalidated by the data version (:mod:`tracker.home.models`), so a home costs a few queries however
large the portfolio grows.
"""
