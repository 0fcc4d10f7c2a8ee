"""FT applications through the API: the board, one application, milestones and decisions."""

from registry.pipelines import FT_2011
from tests.web.api.conftest import csv_rows

ONE = "/ft-applications/RY6"


def scheduled(api, milestone="tfa", target="2013-01-31"):
    response = api("provider").post(ONE + "/milestones", {"milestone": milestone,
                                                          "target_date": target})
    assert response.status_code == 201, response.json
    return response


def achieve_all(api, upto="monitor_assessment"):
    for month, code in enumerate(FT_2011.codes[: FT_2011.position(upto) + 1], start=1):
        response = api("provider").post(f"{ONE}/milestones/{code}/achievement",
                                        {"achieved_on": f"2013-{month:02d}-15"})
        assert response.status_code == 200, response.json


def test_scheduling_the_first_milestone_starts_an_application(api):
    response = scheduled(api)
    assert response.json["status"] == "open" and response.json["pipeline"] == "ft2011"
    first = response.json["stages"][0]
    assert first == {"code": "tfa", "label": FT_2011.label("tfa"), "target": "2013-01-31",
                     "achieved": None, "slips": 0}
    assert [s["code"] for s in response.json["stages"]] == FT_2011.codes
    assert api("regulator").get(ONE).json == response.json


def test_a_slip_needs_a_reason_and_counts(api):
    scheduled(api)
    path = ONE + "/milestones/tfa/slips"
    refused = api("provider").post(path, {"new_target": "2013-06-30"})
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    slipped = api("provider").post(path, {"new_target": "2013-06-30", "reason": "sign-off"})
    assert slipped.status_code == 200
    assert slipped.json["stages"][0]["target"] == "2013-06-30"
    assert slipped.json["stages"][0]["slips"] == 1


def test_milestones_are_achieved_in_order(api):
    out_of_order = api("provider").post(ONE + "/milestones/ibp_ltfm/achievement",
                                        {"achieved_on": "2013-02-01"})
    assert out_of_order.status_code == 422 and "milestone" in out_of_order.json["errors"]
    unknown = api("provider").post(ONE + "/milestones/nope/achievement",
                                   {"achieved_on": "2013-02-01"})
    assert unknown.status_code == 422


def test_authorisation_makes_the_trust_a_foundation_trust(api):
    achieve_all(api)
    decided = api("regulator").post(ONE + "/decision", {"decision": "authorised",
                                                        "effective": "2014-04-01"})
    assert decided.status_code == 200 and decided.json["status"] == "authorised"
    assert api().get("/organisations/RY6").json["kind"] == "foundation_trust"


def test_a_deferral_needs_a_reason_and_a_resumption_reopens(api):
    achieve_all(api, "monitor_submission")
    decide = api("regulator").post
    refused = decide(ONE + "/decision", {"decision": "deferred", "effective": "2014-01-01"})
    assert refused.status_code == 422 and "reason" in refused.json["errors"]
    deferred = decide(ONE + "/decision", {"decision": "deferred", "effective": "2014-01-01",
                                          "until": "2014-06-30", "reason": "finances"})
    assert deferred.json["status"] == "deferred"
    resumed = decide(ONE + "/decision", {"decision": "resumed", "effective": "2014-07-01",
                                         "reason": "plan agreed"})
    assert resumed.json["status"] == "open"


def test_a_new_attempt_starts_after_a_withdrawal(api):
    scheduled(api)
    closed = api("regulator").post(ONE + "/decision", {"decision": "withdrawn",
                                                       "effective": "2014-01-01",
                                                       "reason": "trust request"})
    assert closed.json["status"] == "withdrawn"
    started = api("provider").post("/ft-applications", {"provider": "ry6", "pipeline": "aftp"})
    assert started.status_code == 201, started.json
    assert started.json["attempt"] == 2 and started.json["pipeline"] == "aftp"
    again = api("provider").post("/ft-applications", {"provider": "RY6"})
    assert again.status_code == 422 and "provider" in again.json["errors"]


def test_only_open_nhs_trusts_apply_and_unknown_ones_are_404(api):
    foundation = api().post("/ft-applications/RY2/milestones",
                            {"milestone": "tfa", "target_date": "2013-01-31"})
    assert foundation.status_code == 422 and "provider" in foundation.json["errors"]
    assert api().get("/ft-applications/RY2").status_code == 404
    assert api().get("/ft-applications/ZZZ9").status_code == 404
    bad = api().get("/ft-applications/R!")
    assert bad.status_code == 422 and "provider" in bad.json["errors"]
    nobody = api().post("/ft-applications/ZZZ9/milestones",
                        {"milestone": "tfa", "target_date": "2013-01-31"})
    assert nobody.status_code == 404


def test_the_board_lists_and_downloads(api):
    scheduled(api, target="2099-01-31")
    rows = api().get("/ft-applications").json
    assert [(r["provider"], r["status"], r["stage"]) for r in rows] == [
        ("RY6", "in_progress", "tfa")]
    assert rows[0]["milestones"][0]["first_target"] == "2099-01-31"
    table = csv_rows(api().get("/ft-applications", format="csv"))
    assert table[0]["provider"] == "RY6" and "milestones" not in table[0]


def test_as_of_shows_the_application_known_then(api):
    first = scheduled(api).json
    api("provider").post(ONE + "/milestones/tfa/slips", {"new_target": "2013-06-30",
                                                         "reason": "late"})
    then = api().get(ONE, as_of=first["modified_on"]).json
    assert then["stages"][0]["target"] == "2013-01-31"
    board = api().get("/ft-applications", as_of=first["modified_on"]).json
    assert board[0]["milestones"][0]["target"] == "2013-01-31"
    assert api().get(ONE, as_of="2000-01-01").status_code == 404
