from datetime import date, timedelta

import pytest

from storage.workdays import add_working_days, holiday_name, is_working_day, working_days_between

# Written out by hand from the Algemene termijnenwet (docs/architecture.md §4), not from
# the package.
FEESTDAGEN_ON_WEEKDAYS = {
    2020: ["01-01", "04-10", "04-13", "04-27", "05-05", "05-21", "06-01", "12-25"],
    2021: ["01-01", "04-02", "04-05", "04-27", "05-05", "05-13", "05-24"],
    2025: ["01-01", "04-18", "04-21", "05-05", "05-29", "06-09", "12-25", "12-26"],
    2026: ["01-01", "04-03", "04-06", "04-27", "05-05", "05-14", "05-25", "12-25"],
}


@pytest.mark.parametrize("year", sorted(FEESTDAGEN_ON_WEEKDAYS))
def test_it_knows_exactly_the_feestdagen_that_fall_on_weekdays(year):
    found = sorted(
        day.strftime("%m-%d")
        for day in (date(year, 1, 1) + timedelta(days=n) for n in range(366))
        if day.year == year and day.weekday() < 5 and not is_working_day(day)
    )
    assert found == FEESTDAGEN_ON_WEEKDAYS[year]


def test_it_counts_five_working_days_after_30_april_2020_to_8_may():
    assert add_working_days(date(2020, 4, 30), 5) == date(2020, 5, 8)


def test_it_treats_bevrijdingsdag_as_a_holiday_every_year_not_only_lustrum_years():
    assert holiday_name(date(2021, 5, 5)) == "Bevrijdingsdag"
    assert not is_working_day(date(2023, 5, 5))


def test_it_skips_easter_going_forward_and_backward():
    # Thursday before Good Friday 2020 → 2 working days later is the Wednesday after Easter.
    assert add_working_days(date(2020, 4, 9), 2) == date(2020, 4, 15)
    assert add_working_days(date(2020, 4, 15), -2) == date(2020, 4, 9)


def test_it_does_not_count_the_start_day_and_counts_between_days_consistently():
    assert add_working_days(date(2020, 3, 2), 0) == date(2020, 3, 2)
    assert working_days_between(date(2020, 4, 30), date(2020, 5, 8)) == 5
    assert working_days_between(date(2020, 5, 8), date(2020, 4, 30)) == -5
    assert not is_working_day(date(2020, 12, 26))  # a Saturday and Tweede Kerstdag
