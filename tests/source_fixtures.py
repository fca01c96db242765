"""The small customer data set every database source is tested on (PostgreSQL, SQL engines).

Chosen to hold the corners counting must get right: one email in two spellings, an empty
and a missing email, a profile in no segment, markup in a name, and an empty segment.
"""

from __future__ import annotations

CUSTOMERS = [
    # customer_id, email, first_name, country, segments
    ("c01", "ana@example.com", "Ana", "Spain", ["newsletter", "vip"]),
    ("c02", "ben@example.com", "Ben", "Germany", ["newsletter"]),
    ("c03", "BEN@example.com ", "Benjamin", "Germany", ["vip"]),
    ("c04", "", "Carla", "France", ["newsletter"]),
    ("c05", None, "Dev", "India", ["vip"]),
    ("c06", "eve@example.com", "Eve", "Canada", []),
    ("c07", "fay@example.com", "[b]Fay[/b]", "Japan", ["newsletter", "churn"]),
]
SEGMENTS = [
    ("newsletter", "Newsletter opt-in", "People who ticked the box."),
    ("vip", "VIP", None),
    ("churn", "Churn risk", "No purchase in a year."),
    ("empty", "Empty segment", ""),
]
MEMBERS = [(segment, c) for c, _, _, _, segments in CUSTOMERS for segment in segments]
"""(segment_id, profile_id) of every membership in CUSTOMERS."""
