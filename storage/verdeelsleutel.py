"""The verdeelsleutel (docs/architecture.md §3): a cost shared by inhabitants, exact to the cent.

Shares come from the inhabitant counts, not the rounded percentages, with the
largest-remainder method so that they add up to the amount exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

CENT = Decimal("0.01")


def split_by_inhabitants(amount: Decimal, inhabitants: Mapping[str, int]) -> dict[str, Decimal]:
    """Split `amount` over the keys of `inhabitants`, in cents, summing exactly to `amount`.

    Ties in the remainders go to the larger municipality, then by name, so the result
    never depends on dictionary order.
    """
    if not inhabitants:
        raise ValueError("no municipalities to share between")
    if any(count < 0 for count in inhabitants.values()):
        raise ValueError("inhabitants cannot be negative")
    total = sum(inhabitants.values())
    if total == 0:
        raise ValueError("no inhabitants to share by")
    cents = int((Decimal(amount) / CENT).to_integral_value())
    if Decimal(cents) * CENT != Decimal(amount):
        raise ValueError("amount has more than two decimals")
    sign = -1 if cents < 0 else 1
    cents = abs(cents)

    floors: dict[str, int] = {}
    remainders: dict[str, int] = {}
    for name, count in inhabitants.items():
        floors[name], remainders[name] = divmod(cents * count, total)
    left = cents - sum(floors.values())
    order = sorted(inhabitants, key=lambda n: (-remainders[n], -inhabitants[n], n))
    for name in order[:left]:
        floors[name] += 1
    return {name: sign * Decimal(floors[name]) * CENT for name in inhabitants}


def percentage_of(inhabitants: Mapping[str, int], name: str) -> Decimal:
    """The municipality's share of all inhabitants in percent, to one decimal."""
    return (Decimal(inhabitants[name]) * 100 / sum(inhabitants.values())).quantize(Decimal("0.1"))
