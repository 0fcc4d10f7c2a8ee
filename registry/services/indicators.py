"""Commands on the indicator catalogue: define, revise from a period, retire."""

from registry.commands import indicators as cmd
from registry.commands import load
from registry.errors import AlreadyExists, NotFound
from registry.identity import indicator_id
from registry.indicator import Indicator
from registry.provenance import Provenance, require_reason
from registry.services.permissions import authorise


class IndicatorCommands:
    def define_indicator(self, data: dict, provenance: Provenance):
        with self.changes() as changes:
            return self._define_indicator(changes, load(cmd.DefineIndicator, data), provenance)

    def revise_indicator(self, data: dict, provenance: Provenance):
        data = load(cmd.ReviseIndicator, data)
        require_reason(provenance, "revise an indicator")
        authorise(provenance, "manage_indicators")
        changes_to = {k: v for k, v in data.items()
                      if k not in ("code", "effective_period") and v is not None}
        with self.changes() as changes:
            indicator = self._indicator(changes, data["code"])
            indicator.revise(changes_to, data["effective_period"], provenance.as_dict())
            return indicator.id

    def retire_indicator(self, data: dict, provenance: Provenance):
        data = load(cmd.RetireIndicator, data)
        require_reason(provenance, "retire an indicator")
        authorise(provenance, "manage_indicators")
        with self.changes() as changes:
            indicator = self._indicator(changes, data["code"])
            indicator.retire(data.get("last_period"), provenance.as_dict())
            return indicator.id

    def _define_indicator(self, changes, data: dict, provenance: Provenance):
        authorise(provenance, "manage_indicators")
        if changes.get(indicator_id(data["code"])) is not None:
            raise AlreadyExists(f"indicator {data['code']} is already defined", "code")
        target = data.get("target")
        indicator = Indicator(
            code=data["code"], name=data["name"], domain=data["domain"],
            subdomain=data.get("subdomain"), service_lines=data["service_lines"],
            measure=data["measure"], unit=data["unit"], multiplier=data.get("multiplier"),
            polarity=data["polarity"], frequency=data["frequency"],
            target=None if target is None else str(target), provenance=provenance.as_dict())
        changes.add(indicator)
        return indicator.id

    def _indicator(self, changes, code: str, field: str = "code") -> Indicator:
        indicator = changes.get(indicator_id(code))
        if indicator is None:
            raise NotFound(f"no indicator with code {code} is defined", field)
        return indicator
