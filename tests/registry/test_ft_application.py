from datetime import date

import pytest

from registry.ft_application import FTApplication, FTApplicationError
from registry.pipelines import FT_2011

P = {"actor": {"user_id": "u", "organisation": "MONITOR", "role": "regulator"},
     "channel": "web"}


def application():
    return FTApplication(provider="RY6", attempt=1, pipeline="ft2011", provenance=P)


def achieve_up_to(app, last: str):
    day = date(2013, 1, 1)
    for code in FT_2011.codes[: FT_2011.position(last) + 1]:
        app.achieve(code, day, None, P)
        day = day.replace(month=day.month % 12 + 1)


def test_milestones_are_achieved_in_order():
    app = application()
    with pytest.raises(FTApplicationError, match="before tfa"):
        app.achieve("public_consultation", date(2013, 1, 1), None, P)


def test_a_milestone_is_achieved_only_once():
    app = application()
    app.achieve("tfa", date(2013, 1, 1), None, P)
    with pytest.raises(FTApplicationError, match="already achieved on 2013-01-01"):
        app.achieve("tfa", date(2013, 2, 1), None, P)


def test_a_milestone_cannot_be_achieved_before_the_previous_one():
    app = application()
    app.achieve("tfa", date(2013, 5, 1), None, P)
    with pytest.raises(FTApplicationError, match="before tfa"):
        app.achieve("ibp_ltfm", date(2013, 4, 1), None, P)


def test_a_slip_moves_the_target_and_is_counted():
    app = application()
    app.schedule("tfa", date(2013, 1, 1), None, P)
    app.slip("tfa", date(2013, 6, 1), P)
    assert app.milestones["tfa"] == {"target": date(2013, 6, 1), "achieved": None, "slips": 1}
    with pytest.raises(FTApplicationError, match="already due"):
        app.slip("tfa", date(2013, 6, 1), P)
    with pytest.raises(FTApplicationError, match="already scheduled"):
        app.schedule("tfa", date(2014, 1, 1), None, P)


def test_an_unknown_milestone_is_refused_with_the_valid_ones():
    with pytest.raises(FTApplicationError, match="one of tfa, ibp_ltfm"):
        application().schedule("board_to_board", date(2013, 1, 1), None, P)


def test_authorisation_needs_the_assessment_passed():
    app = application()
    achieve_up_to(app, "monitor_submission")
    with pytest.raises(FTApplicationError, match="not passed its assessment"):
        app.authorise(date(2014, 1, 1), P)
    app.achieve("monitor_assessment", date(2014, 1, 1), None, P)
    app.authorise(date(2014, 2, 1), P)
    assert app.status == "authorised" and app.is_closed


def test_a_deferred_application_must_be_resumed_before_it_moves_on():
    app = application()
    with pytest.raises(FTApplicationError, match="before monitor_submission"):
        app.defer(None, P)
    achieve_up_to(app, "monitor_submission")
    app.defer(date(2015, 1, 1), P)
    with pytest.raises(FTApplicationError, match="resume it first"):
        app.achieve("monitor_assessment", date(2014, 6, 1), None, P)
    app.resume(P)
    app.achieve("monitor_assessment", date(2014, 6, 1), None, P)


def test_a_withdrawn_application_is_closed_for_good():
    app = application()
    app.withdraw(P)
    with pytest.raises(FTApplicationError, match="withdrawn"):
        app.schedule("tfa", date(2013, 1, 1), None, P)
    with pytest.raises(FTApplicationError, match="already withdrawn"):
        app.withdraw(P)
