"""Notices where people look: contract-expiry notices beside each contract on the register,
a provider's open overdue-submission and milestone-slippage notices on its page."""

from datetime import UTC, datetime

from registry.jobs import contract_expiry, milestone_slippage, overdue_submissions


def run_jobs(populated, day: datetime) -> None:
    registry = populated.extensions["registry"]
    for job in (contract_expiry, milestone_slippage, overdue_submissions):
        job(registry, day)
    registry.read_side.catch_up()


def register_row(page: str, reference: str) -> str:
    start = page.index(f">{reference}</a>")
    return page[start:page.index("</tr>", start)]


def test_the_register_shows_each_contract_s_open_expiry_notices(populated, signed_in):
    client = signed_in("commissioner")
    assert "-month notice" not in client.get("/contracts").get_data(as_text=True)
    before = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
    run_jobs(populated, datetime(2025, 2, 1, 5, tzinfo=UTC))
    row = register_row(client.get("/contracts").get_data(as_text=True), "QWO-CS-2022")
    assert row.index("12-month notice") < row.index("6-month notice")
    assert "3-month notice" not in row and "since 2025-02-01" in row
    assert 'title="contract QWO-CS-2022 (QWO with RY6) ends on 2025-06-30' in row
    earlier = client.get(f"/contracts?as_of={before}").get_data(as_text=True)
    assert "-month notice" not in register_row(earlier, "QWO-CS-2022")


def test_a_provider_page_lists_its_open_overdue_and_slippage_notices(populated, signed_in):
    client = signed_in("regulator")
    page = client.get("/providers/RY6").get_data(as_text=True)
    assert "No overdue submission or FT milestone slippage notice is open" in page
    run_jobs(populated, datetime(2023, 1, 1, 5, tzinfo=UTC))
    page = client.get("/providers/RY6").get_data(as_text=True)
    section = page[page.index('id="notices"'):page.index('id="position"')]
    assert "5 overdue submissions, 1 FT milestone slippage notice open" in section
    assert section.index("RY6 has not submitted WIC4H (walk_in_centres) for 2022-11, due by "
                         "2022-12-30") < section.index("for 2022-07, due by 2022-08-30")
    assert "RY6&#39;s FT milestone tfa (application 1) was due on 2013-03-31" in section
    assert "contract QWO-CS-2022" not in section  # the commissioner's notice, on the register
    other = client.get("/providers/RYX").get_data(as_text=True)
    assert "No overdue submission or FT milestone slippage notice is open" in other
