from datetime import date

import pytest

from registry.notice import CONTRACT_EXPIRY, OVERDUE_SUBMISSION, Notice, NoticeError, Subject

OVERDUE = Subject(OVERDUE_SUBMISSION, "RY6", "RY6", date(2019, 1, 30), indicator="WIC4H",
                  service_line="walk_in_centres", period="2018-12")


def test_a_notice_id_is_derived_from_its_subject_so_a_second_raise_collides():
    assert Notice.raise_for(OVERDUE, date(2019, 2, 1), {}).id == OVERDUE.id
    assert Notice.raise_for(OVERDUE, date(2019, 3, 1), {}).id == OVERDUE.id
    later = Subject(OVERDUE_SUBMISSION, "RY6", "RY6", date(2019, 1, 30), indicator="WIC4H",
                    service_line="walk_in_centres", period="2019-01")
    assert later.id != OVERDUE.id


def test_each_lead_time_and_end_date_of_a_contract_is_its_own_notice():
    def expiry(end, months):
        return Subject(CONTRACT_EXPIRY, "QWO", "RY6", end, contract="C1", months_before=months)
    ids = {expiry(end, m).id for end in (date(2025, 6, 30), date(2026, 6, 30))
           for m in (12, 6, 3)}
    assert len(ids) == 6


def test_a_subject_names_what_its_kind_needs():
    with pytest.raises(ValueError, match="contract, months_before"):
        Subject(CONTRACT_EXPIRY, "QWO", "RY6", date(2025, 6, 30))
    with pytest.raises(ValueError, match="kind"):
        Subject("reminder", "QWO", "RY6", date(2025, 6, 30))


def test_a_notice_is_withdrawn_and_reopened_in_turn_never_twice():
    notice = Notice.raise_for(OVERDUE, date(2019, 2, 1), {})
    with pytest.raises(NoticeError, match="already open"):
        notice.reopen(date(2019, 2, 2), {})
    notice.withdraw("submitted", date(2019, 2, 3), {})
    with pytest.raises(NoticeError, match="already withdrawn"):
        notice.withdraw("submitted", date(2019, 2, 4), {})
    notice.reopen(date(2019, 2, 5), {})
    assert (notice.is_open, notice.version) == (True, 3)
    assert [type(e).__name__ for e in notice.collect_events()] == [
        "Raised", "Withdrawn", "Reopened"]
