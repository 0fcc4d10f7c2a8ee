"""The demo data set, loaded once into a fresh SQLite store.

Facts are checked against the committed source files and against the simulated rows
regenerated from the same seed, so the test also proves the demo is reproducible.
Inline projections are off: the read models are tested on their own, and catching up
24,000 events would only slow this test down.
"""

import csv
import random
from datetime import date, timedelta
from pathlib import Path

import pytest

import registry.demo
from config.settings import Settings
from config.storage import open_registry
from registry.demo import DemoSummary, generated, load_demo
from registry.demo.run import SEED
from registry.periods import parse_period
from registry.provenance import Actor

pytestmark = pytest.mark.slow
DATA = Path(registry.demo.__file__).parent / "data"
STEPS = ("indicators", "organisations", "users", "contracts", "lineage", "contract changes",
         "walk-in centres", "submissions", "late submissions", "restatements",
         "withdrawals", "data queries", "FT pipeline")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    home = tmp_path_factory.mktemp("demo")
    app = open_registry(Settings.from_env({"REGISTRY_HOME": str(home),
                                           "REGISTRY_INLINE_PROJECTIONS": "off"}))
    steps: list[tuple[str, int, int]] = []
    summary = load_demo(app, Actor("test.admin", "X24", "admin"),
                        progress=lambda step, done, total: steps.append((step, done, total)))
    yield app, summary, steps
    app.close()


@pytest.fixture(scope="module")
def simulated(demo):
    """Every simulated cell (regenerated from the seed) with what the registry holds."""
    app = demo[0]
    rows = generated.generate(random.Random(SEED))
    return [(row, app.get_submission(row["provider"], row["indicator"], row["service_line"],
                                     row["period"])) for row in rows]


def read_csv(name: str) -> list[dict]:
    with open(DATA / name, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_ry6_is_a_community_nhs_trust(demo):
    app = demo[0]
    ry6 = app.get_organisation("RY6")
    assert (ry6["name"], ry6["kind"]) == ("Leeds Community Healthcare NHS Trust", "nhs_trust")
    assert app.get_submission("RY6", "PU1000", "district_nursing", "2016-04") is not None
    assert app.get_submission("RY6", "HVNBV", "health_visiting", "2018-Q4") is not None


def test_every_walk_in_row_is_stored_as_published(demo):
    app = demo[0]
    rows = read_csv("ae_walk_in_centres.csv")
    assert len(rows) == 6698 and {r["type"] for r in rows} == {"other"}
    for row in rows:
        stored = app.get_submission(row["org_code"], "WIC4H", "walk_in_centres",
                                    row["period"][:7])
        attendances, breaches = int(row["attendances"]), int(row["breaches"])
        assert stored["values"] == {"numerator": attendances - breaches,
                                    "denominator": attendances}, row
        assert stored["restatements"] == 0 and not stored["withdrawn"]


def test_a_known_walk_in_month(demo):
    app = demo[0]
    row = next(r for r in read_csv("ae_walk_in_centres.csv")
               if (r["org_code"], r["period"]) == ("RW3", "2017-09-01"))
    stored = app.get_submission("RW3", "WIC4H", "walk_in_centres", "2017-09")
    assert stored["values"]["numerator"] == int(row["attendances"]) - int(row["breaches"])
    placeholder = app.get_organisation("NR3")
    assert placeholder["kind"] == "independent" and placeholder["region"] is None
    assert "name not in the ODS extract" in placeholder["name"]


def test_manchester_and_sunderland_mergers(demo):
    app = demo[0]
    r0a = app.get_organisation("R0A")
    assert r0a["opened"] == date(2017, 10, 1) and r0a["closed"] is None
    for code in ("RW3", "RM2"):
        merged = app.get_organisation(code)
        assert (merged["merged_into"], merged["closed"]) == ("R0A", date(2017, 10, 1))
    assert app.get_submission("RW3", "WIC4H", "walk_in_centres", "2017-10") is None
    assert app.get_submission("R0A", "WIC4H", "walk_in_centres", "2017-10") is not None
    assert app.get_organisation("R0B")["opened"] == date(2019, 4, 1)
    assert app.get_organisation("RLN")["merged_into"] == "R0B"
    assert app.get_contract("MANC-WIC-2017")["provider"] == "R0A"


def test_liverpool_transfers_and_closure(demo):
    app = demo[0]
    ry1 = app.get_organisation("RY1")
    assert ry1["closed"] == date(2018, 8, 1)
    assert {line for t in ry1["transfers"] for line in t["service_lines"]} == {
        "district_nursing", "community_therapies", "walk_in_centres"}
    assert app.get_organisation("RW4")["kind"] == "mental_health_trust"
    assert app.get_submission("RY1", "WIC4H", "walk_in_centres", "2018-07") is not None
    assert app.get_submission("RW4", "WIC4H", "walk_in_centres", "2018-08") is not None
    assert app.get_submission("RY1", "PU1000", "district_nursing", "2018-04") is None
    assert app.get_submission("RW4", "PU1000", "district_nursing", "2018-04") is not None


def test_no_simulated_cell_outside_its_provider_s_life(demo, simulated):
    app = demo[0]
    closed = {}
    for row, _ in simulated:
        code = row["provider"]
        if code not in closed:
            closed[code] = app.get_organisation(code)["closed"]
        if closed[code] is not None:
            assert parse_period(row["period"]).end < closed[code], row


def test_ft_pipeline(demo):
    app, summary, _ = demo
    codes = sorted({r["provider"] for r in read_csv("ft_milestones_2014.csv")})
    applications = {code: app.get_ft_application(code) for code in codes}
    assert len(applications) >= 10 and None not in applications.values()
    assert summary.ft_applications == len(applications)
    statuses = sorted(a["status"] for a in applications.values())
    assert statuses.count("authorised") == 1 and statuses.count("deferred") == 1
    authorised = next(c for c, a in applications.items() if a["status"] == "authorised")
    trust = app.get_organisation(authorised)
    assert trust["kind"] == "foundation_trust"
    assert trust["name"].endswith("NHS Foundation Trust")
    slips = sum(s.get("slips", 0) for a in applications.values() for s in a["stages"])
    assert slips >= 10


def test_restatements_withdrawals_late_returns_and_queries(demo, simulated):
    summary = demo[1]
    stored = [s for _, s in simulated if s is not None]
    assert len(stored) == len(simulated)
    restated = [s for s in stored if s["restatements"]]
    assert sum(s["restatements"] for s in stored) == summary.restatements >= 100
    assert any(s["restatements"] == 2 for s in restated)
    assert sum(s["withdrawn"] for s in stored) == summary.withdrawals >= 30
    late = [s for s in stored
            if s["received_on"] > parse_period(s["period"]).end + timedelta(days=31)
            and s["received_on"].year < 2020]
    assert len(late) >= 30
    queries = [q for s in stored for q in s["queries"].values()]
    assert len(queries) == summary.data_queries == 2
    assert sorted(q["answer"] is None for q in queries) == [False, True]
    batch = [s for s in stored if (s["provider"], s["indicator"]) == ("RY6", "WAITD")
             and s["period"] in ("2017-10", "2017-11", "2017-12")
             and s["service_line"] == "community_therapies"]
    assert len(batch) == 3 and all(s["restatements"] for s in batch)


def test_contracts(demo):
    app, summary, _ = demo
    references = [r["reference"] for r in read_csv("contracts.csv")]
    contracts = [app.get_contract(ref) for ref in references]
    assert summary.contracts == len(contracts) >= 15
    decisions = sorted(c["renewal_decision"] for c in contracts if c["renewal_decision"])
    assert set(decisions) == {"renew", "re_tender", "decommission"}
    assert sum(c["terminated"] is not None for c in contracts) == 1
    assert any(c["route"] == "competitive_tender" and
               app.get_organisation(c["provider"])["kind"] in ("independent", "cic")
               for c in contracts)


def test_summary_events_and_progress(demo):
    app, summary, steps = demo
    assert isinstance(summary, DemoSummary)
    assert summary.events == app.recorder.max_notification_id()
    assert 23_000 <= summary.events <= 26_000
    assert summary.organisations == 241 + 31 + 104 and summary.indicators == 21
    assert summary.submissions == 6698 + len(generated.generate(random.Random(SEED)))
    lines = summary.lines()
    assert lines[0].startswith(f"Demo data loaded: {summary.events:,} events")
    reported = {}
    for step, done, total in steps:
        assert 0 <= done <= total
        reported[step] = (done, total)
    assert tuple(reported) == STEPS
    assert all(done == total for done, total in reported.values())
