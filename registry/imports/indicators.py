"""indicators: code,name,domain,subdomain,service_lines,measure,unit,multiplier,polarity,
frequency,target."""

from registry.commands import load
from registry.commands.indicators import DefineIndicator
from registry.identity import indicator_id
from registry.imports.differences import differences, refuse_unless_restating
from registry.services.permissions import authorise

COLUMNS = ("code", "name", "domain", "subdomain", "service_lines", "measure", "unit",
           "multiplier", "polarity", "frequency", "target")
_COMPARED = COLUMNS[1:]


def apply(app, changes, record: dict, provenance, options) -> str:
    data = load(DefineIndicator, record)
    if data.get("target") is not None:
        data["target"] = str(data["target"])
    indicator = changes.get(indicator_id(data["code"]))
    if indicator is None:
        app._define_indicator(changes, data, provenance)
        return "defined"
    changed = differences(indicator, data, _COMPARED)
    refuse_unless_restating(options, changed, indicator, "indicator")
    if not changed:
        return "unchanged"
    authorise(provenance, "manage_indicators")
    indicator.correct(changed, provenance.as_dict())
    return "corrected"
