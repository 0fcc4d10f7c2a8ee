import pytest

from registry.imports import ImportOptions, import_csv
from registry.imports.reader import ImportRejected
from tests.builders import ADMIN, event_count, seed

HEADER = "provider,indicator,service_line,period,numerator,denominator,value,sd,n,note\n"


def submissions_csv(rows: int, bad_row: int | None = None, numerator=90) -> bytes:
    lines = [HEADER]
    for i in range(rows):
        provider, i = ("RY6", i) if i < 150 else ("RYX", i - 150)
        year, month = 2012 + i // 12, i % 12 + 1
        num = 120 if len(lines) + 1 == bad_row else numerator
        lines.append(f"{provider},WIC4H,walk_in_centres,{year}-{month:02d},{num},100,,,,\n")
    return "".join(lines).encode()


@pytest.fixture
def seeded(app):
    seed(app)
    return app


def rejected_lines(app, data: bytes, kind="submissions", **options) -> list[str]:
    with pytest.raises(ImportRejected) as rejected:
        import_csv(app, kind, data, "file.csv", ADMIN, ImportOptions(**options))
    return [str(e) for e in rejected.value.errors]


def test_one_bad_row_in_a_large_file_is_named_and_nothing_is_stored(seeded):
    before = event_count(seeded)
    lines = rejected_lines(seeded, submissions_csv(300, bad_row=200))
    assert lines == ["row 200: numerator: must not exceed the denominator (120 > 100)"]
    assert event_count(seeded) == before


def test_a_good_file_is_stored_once_with_its_source(seeded):
    data = submissions_csv(30)
    report = import_csv(seeded, "submissions", data, "wic.csv", ADMIN)
    assert (report.rows, report.events, report.outcomes["submitted"]) == (30, 30, 30)
    again = import_csv(seeded, "submissions", data, "wic.csv", ADMIN)
    assert (again.events, again.outcomes["unchanged"]) == (0, 30)
    from projections.eventlog import read_events
    *stored, checkpoint = list(read_events(seeded))
    assert stored[-1].provenance["channel"] == "import"
    assert stored[-1].provenance["source"] == {"file": "wic.csv", "sha256": report.sha256,
                                               "row": 31}
    # The ledger is signed after the import, over every event the file stored.
    assert checkpoint.topic.endswith("LedgerCheckpoint.Signed")
    assert checkpoint.provenance["reason"] == "after importing wic.csv"
    assert report.checkpoint["tree_size"] == checkpoint.position - 1 == stored[-1].position


def test_a_changed_value_is_refused_unless_restated_with_a_reason(seeded):
    import_csv(seeded, "submissions", submissions_csv(3), "a.csv", ADMIN)
    changed = submissions_csv(3, numerator=85)
    lines = rejected_lines(seeded, changed)
    assert lines[0].startswith("row 2: numerator: differs from the stored submission (90 -> 85)")
    assert rejected_lines(seeded, changed, restate=True) == [
        "file: reason: --restate needs --reason '...'"]
    report = import_csv(seeded, "submissions", changed, "b.csv", ADMIN,
                        ImportOptions(restate=True, reason="validation removed duplicates"))
    assert report.outcomes["restated"] == 3
    stored = seeded.get_submission("RY6", "WIC4H", "walk_in_centres", "2012-01")
    assert stored["values"]["numerator"] == 85 and stored["restatements"] == 1


@pytest.mark.parametrize("data, expected", [
    (b"provider,indicator\nRY6,WIC4H\n", "row 1: header: missing column(s): service_line"),
    (HEADER.strip().encode() + b",colour\n", "row 1: header: unexpected column(s): colour"),
    (HEADER.strip().encode() + b",note\nRY6,WIC4H,walk_in_centres,2018-12,9,10,,,,\n",
     "row 1: header: column(s) named more than once: note"),  # was an IndexError
    (b"", "file: file: the file is empty"),
    (b"\xff\xfe" + "provider".encode("utf-16-le"), "file: encoding: the file is not UTF-8"),
    (HEADER.encode() + b"RY6,WIC4H\n", "row 2: row: has 2 cells but the header has 10"),
    (HEADER.encode() + b"RY6,WIC4H,walk_in_centres,2018-12,\"90,100,,,,\n",
     "not valid CSV"),
])
def test_unreadable_files_are_refused_with_a_reason(seeded, data, expected):
    lines = rejected_lines(seeded, data)
    assert lines[0].startswith(expected) or expected in lines[0]


def test_a_byte_order_mark_and_reordered_columns_are_accepted(seeded):
    data = ("\ufeffperiod,provider,indicator,service_line,numerator,denominator,value,sd,n,"
            "note\n2018-12,RY6,WIC4H,walk_in_centres,9,10,,,,\n").encode()
    assert import_csv(seeded, "submissions", data, "bom.csv", ADMIN).events == 1


def test_every_bad_row_is_listed_with_its_field(seeded):
    data = (HEADER + "RY6,WIC4H,walk_in_centres,2018-13,9,10,,,,\n"
            "RY6,WIC4H,walk_in_centres,2018-12,x,10,,,,\n"
            "RY6,WIC4H,walk_in_centres,2018-11,9,10,,,,\n"
            "ZZZ,WIC4H,walk_in_centres,2018-11,9,10,,,,\n").encode()
    lines = rejected_lines(seeded, data)
    assert [line.split(":")[0:2] for line in lines] == [
        ["row 2", " period"], ["row 3", " numerator"], ["row 5", " provider"]]


def test_the_ods_extract_is_recognised_without_a_header(app):
    data = (b'RY6,LEEDS COMMUNITY HEALTHCARE NHS TRUST,Y54,Q72,STOCKDALE HOUSE,,,LEEDS,,'
            b'LS6 1PF,20110401,,,,,,,,,,,0,,B\n'
            b'RA9,TORBAY AND SOUTH DEVON NHS FOUNDATION TRUST,Y57,Q80,,,,,,,20051001,'
            b'20150930,,,,\n')
    report = import_csv(app, "organisations", data, "etr.csv", ADMIN)
    assert report.outcomes["registered"] == 2
    assert app.get_organisation("RY6")["name"] == "Leeds Community Healthcare NHS Trust"
    assert app.get_organisation("RY6")["kind"] == "nhs_trust"
    assert app.get_organisation("RA9")["kind"] == "acute_trust"
    assert str(app.get_organisation("RA9")["closed"]) == "2015-09-30"


def test_indicators_and_contracts_import_and_reimport_idempotently(app):
    orgs = (b"code,name,kind,region,opened,closed\nRY6,Leeds,nhs_trust,Y54,2011-04-01,\n"
            b"QWO,NHS West Yorkshire ICB,icb,Y54,2022-07-01,\n")
    indicators = (b"code,name,domain,subdomain,service_lines,measure,unit,multiplier,polarity,"
                  b"frequency,target\nPU,Pressure ulcers,quality,patient_safety,"
                  b"district_nursing,rate,per 1000,1000,lower,quarterly,\n")
    contracts = (b"reference,commissioner,provider,service_lines,annual_value,total_value,"
                 b"start,end,route\nC1,QWO,RY6,district_nursing;podiatry,100.50,301.50,"
                 b"2022-07-01,2025-06-30,direct_award\n")
    for kind, data in (("organisations", orgs), ("indicators", indicators),
                       ("contracts", contracts)):
        assert import_csv(app, kind, data, f"{kind}.csv", ADMIN).events >= 1
        assert import_csv(app, kind, data, f"{kind}.csv", ADMIN).events == 0
    extended = contracts.replace(b"2025-06-30", b"2026-06-30")
    assert rejected_lines(app, extended, "contracts")[0].startswith("row 2: end: differs")
    import_csv(app, "contracts", extended, "c2.csv", ADMIN,
               ImportOptions(restate=True, reason="extension agreed"))
    assert str(app.get_contract("C1")["end"]) == "2026-06-30"


def test_milestones_are_applied_in_pipeline_order_and_slips_need_a_note(app):
    app.register_organisation({"code": "RY6", "name": "Leeds", "kind": "nhs_trust"}, ADMIN)
    header = "provider,milestone,target_date,achieved_date,note\n"
    first = (header + "RY6,ibp_ltfm,2013-06-30,2013-07-01,\n"
             "RY6,tfa,2013-01-31,2013-02-10,\nRY6,public_consultation,2013-10-31,,\n")
    report = import_csv(app, "milestones", first.encode(), "m1.csv", ADMIN)
    assert report.outcomes == {"achieved": 2, "scheduled": 1}
    slipped = header + "RY6,public_consultation,2014-01-31,,\n"
    assert rejected_lines(app, slipped.encode(), "milestones") == [
        "row 2: note: a moved target date is a slip: give its reason"]
    slipped = header + "RY6,public_consultation,2014-01-31,,purdah before local elections\n"
    assert import_csv(app, "milestones", slipped.encode(), "m2.csv", ADMIN).outcomes == \
        {"slipped": 1}
    twice = header + "RY6,tfa,2013-01-31,2013-03-01,\n"
    assert rejected_lines(app, twice.encode(), "milestones") == [
        "row 2: achieved_date: tfa was already achieved on 2013-02-10"]


def test_imports_obey_the_same_roles_as_commands(seeded):
    from tests.builders import provider_of
    orgs = b"code,name,kind,region,opened,closed\nRYX,Hacked,nhs_trust,Y56,2010-11-01,\n"
    with pytest.raises(ImportRejected) as refused:
        import_csv(seeded, "organisations", orgs, "o.csv", provider_of("RY6"),
                   ImportOptions(restate=True, reason="mine now"))
    assert "may not manage organisations" in str(refused.value.errors[0])
    milestones = b"provider,milestone,target_date,achieved_date,note\nRYX,tfa,2013-01-01,,\n"
    with pytest.raises(ImportRejected) as refused:
        import_csv(seeded, "milestones", milestones, "m.csv", provider_of("RY6"))
    assert "only for its own organisation" in str(refused.value.errors[0])
    assert seeded.get_organisation("RYX")["name"].startswith("Central London")


def test_a_historical_contract_can_be_awarded_to_a_provider_since_closed(seeded):
    seeded.close_organisation({"code": "RYX", "effective": "2020-04-01"}, ADMIN)
    contract = (b"reference,commissioner,provider,service_lines,annual_value,total_value,"
                b"start,end,route\nOLD,QWO,RYX,district_nursing,1,3,2016-04-01,2019-03-31,"
                b"competitive_tender\n")
    assert import_csv(seeded, "contracts", contract, "c.csv", ADMIN).events == 1
    later = contract.replace(b"OLD,", b"NEW,").replace(b"2016-04-01,2019-03-31",
                                                       b"2021-04-01,2024-03-31")
    with pytest.raises(ImportRejected, match="1 error"):
        import_csv(seeded, "contracts", later, "c.csv", ADMIN)
