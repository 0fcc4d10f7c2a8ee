from datetime import date

import pytest

from registry.periods import PeriodError, parse_period, period_containing


@pytest.mark.parametrize("label, frequency, start, end", [
    ("2018-12", "monthly", date(2018, 12, 1), date(2018, 12, 31)),
    ("2016-02", "monthly", date(2016, 2, 1), date(2016, 2, 29)),
    ("2018-Q3", "quarterly", date(2018, 7, 1), date(2018, 9, 30)),
    ("2018-Q4", "quarterly", date(2018, 10, 1), date(2018, 12, 31)),
    ("2018/19", "annual", date(2018, 4, 1), date(2019, 3, 31)),
    ("1999/00", "annual", date(1999, 4, 1), date(2000, 3, 31)),
])
def test_period_labels_give_their_first_and_last_days(label, frequency, start, end):
    period = parse_period(label)
    assert (period.frequency, period.start, period.end) == (frequency, start, end)


@pytest.mark.parametrize("label", ["2018-13", "2018-Q5", "2018/20", "18-12", "", "2018-1"])
def test_unreadable_period_labels_are_refused_with_the_accepted_forms(label):
    with pytest.raises(PeriodError, match="YYYY-MM"):
        parse_period(label)


def test_financial_years_start_in_april():
    assert period_containing(date(2019, 3, 31), "annual").label == "2018/19"
    assert period_containing(date(2019, 4, 1), "annual").label == "2019/20"
    assert period_containing(date(2019, 8, 15), "quarterly").label == "2019-Q3"


def test_periods_of_one_frequency_sort_chronologically():
    labels = ["2019-01", "2018-12", "2018-02"]
    assert [p.label for p in sorted(map(parse_period, labels))] == ["2018-02", "2018-12",
                                                                    "2019-01"]
    assert parse_period("2018-12").next().label == "2019-01"


@pytest.mark.parametrize("label", ["0000-01", "1899-12", "9999-12", "9999/00",
                                   "\u0662\u0660\u0661\u0668-01"])
def test_years_outside_the_calendar_and_non_ascii_digits_are_refused(label):
    with pytest.raises(PeriodError):
        parse_period(label)
