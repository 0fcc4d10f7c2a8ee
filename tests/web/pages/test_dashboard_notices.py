"""The dashboard counts and lists the notices the scheduler's jobs recorded."""

from datetime import UTC, datetime

from registry.jobs import contract_expiry, milestone_slippage


def notices_section(page: str) -> str:
    return page[page.index('id="notices"'):page.index("<h2>Contracts ending soon")]


def test_the_dashboard_lists_open_notices_newest_due_first(populated, signed_in):
    client = signed_in("regulator")
    assert "No notice is open." in notices_section(client.get("/").get_data(as_text=True))
    registry = populated.extensions["registry"]
    now = datetime(2024, 8, 1, 6, tzinfo=UTC)
    milestone_slippage(registry, now)
    contract_expiry(registry, now)
    registry.read_side.catch_up()
    section = notices_section(client.get("/").get_data(as_text=True))
    assert "0 overdue submissions, 1 contract expiry, 1 FT milestone slippage notice open" \
        in section
    assert section.index("contract QWO-CS-2022 (QWO with RY6) ends on 2025-06-30") < \
        section.index("RY6&#39;s FT milestone tfa (application 1) was due on 2013-03-31")
    earlier = notices_section(client.get("/?as_of=2020-01-01").get_data(as_text=True))
    assert "No notice is open." in earlier
