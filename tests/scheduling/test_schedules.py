import pytest

from config.settings import ConfigurationError
from registry.jobs import JOBS
from scheduling.schedules import parse, schedules


def test_each_job_has_a_sensible_default():
    plan = schedules(JOBS, environ={})
    assert {job: s.text for job, s in plan.items()} == {
        "projection_catch_up": "every 1m", "ledger_checkpoint": "every 1h",
        "overdue_submissions": "0 5 * * *", "contract_expiry": "5 5 * * *",
        "milestone_slippage": "10 5 * * *", "pack_charts": "every 30m"}
    assert plan["ledger_checkpoint"].misfire_grace == 3600
    assert plan["contract_expiry"].misfire_grace == 86400


def test_a_job_s_schedule_comes_from_its_variable():
    plan = schedules(JOBS, environ={"REGISTRY_SCHEDULE_LEDGER_CHECKPOINT": "every 30m",
                                    "REGISTRY_SCHEDULE_CONTRACT_EXPIRY": "0 7 * * 1",
                                    "REGISTRY_SCHEDULE_MILESTONE_SLIPPAGE": "off"})
    assert plan["ledger_checkpoint"].misfire_grace == 1800
    assert plan["contract_expiry"].misfire_grace == 7 * 86400
    assert plan["milestone_slippage"].trigger is None
    assert parse("x", "every 2s").misfire_grace == 2


@pytest.mark.parametrize("text", ["every 0s", "hourly", "61 * * * *", "every 5 fortnights"])
def test_a_schedule_that_cannot_be_read_names_its_variable_and_the_forms(text):
    with pytest.raises(ConfigurationError, match="REGISTRY_SCHEDULE_CONTRACT_EXPIRY") as error:
        schedules(["contract_expiry"], environ={"REGISTRY_SCHEDULE_CONTRACT_EXPIRY": text})
    assert "every 30s" in str(error.value) or "at least 1s" in str(error.value)
