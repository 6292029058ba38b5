from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from storage.verdeelsleutel import percentage_of, split_by_inhabitants

MIDDEN_HOLLAND = {
    "Bodegraven-Reeuwijk": 33_451,
    "Gouda": 71_189,
    "Krimpenerwaard": 54_653,
    "Waddinxveen": 26_072,
    "Zuidplas": 40_937,
}


def test_it_splits_the_regional_budget_exactly():
    shares = split_by_inhabitants(Decimal("40000"), MIDDEN_HOLLAND)
    assert sum(shares.values()) == Decimal("40000.00")
    # From the inhabitant counts, not the document's rounded percentages (31% would be 12400).
    assert shares["Gouda"] == Decimal("12583.01")
    assert all(share.as_tuple().exponent == -2 for share in shares.values())


def test_it_gives_the_percentages_the_document_rounds():
    assert percentage_of(MIDDEN_HOLLAND, "Gouda") == Decimal("31.5")


@given(
    cents=st.integers(min_value=-10**12, max_value=10**12),
    counts=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=8).filter(
        lambda c: sum(c) > 0
    ),
)
def test_it_always_adds_up_to_the_amount_and_never_strays_a_cent(cents, counts):
    amount = Decimal(cents) / 100
    inhabitants = {f"m{i}": n for i, n in enumerate(counts)}
    shares = split_by_inhabitants(amount, inhabitants)
    assert sum(shares.values()) == amount
    total = sum(counts)
    for name, n in inhabitants.items():
        exact = amount * n / total
        assert abs(shares[name] - exact) < Decimal("0.01")


@pytest.mark.parametrize(
    ("amount", "inhabitants"),
    [(Decimal("1.001"), MIDDEN_HOLLAND), (Decimal("10"), {}), (Decimal("10"), {"a": 0})],
)
def test_it_refuses_what_cannot_be_split(amount, inhabitants):
    with pytest.raises(ValueError):
        split_by_inhabitants(amount, inhabitants)
