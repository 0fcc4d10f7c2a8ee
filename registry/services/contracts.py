"""Commands on contracts: award, vary, extend, novate, terminate, renewal review."""

from registry.commands import contracts as cmd
from registry.commands import load
from registry.contract import Contract
from registry.errors import AlreadyExists, NotFound, RuleViolation
from registry.identity import contract_id
from registry.provenance import Provenance, require_reason
from registry.services.permissions import authorise


class ContractCommands:
    def award_contract(self, data: dict, provenance: Provenance):
        with self.changes() as changes:
            return self._award_contract(changes, load(cmd.AwardContract, data), provenance)

    def vary_contract(self, data: dict, provenance: Provenance):
        data = load(cmd.VaryContract, data)
        require_reason(provenance, "vary a contract")
        varied = {k: data[k] for k in ("service_lines", "annual_value", "total_value")
                  if data.get(k) is not None}
        return self._on_contract(data, provenance, lambda c, p: c.vary(
            varied, data["effective"], p))

    def extend_contract(self, data: dict, provenance: Provenance):
        data = load(cmd.ExtendContract, data)
        return self._on_contract(data, provenance, lambda c, p: c.extend(
            data["new_end"], data["additional_value"], p))

    def novate_contract(self, data: dict, provenance: Provenance):
        data = load(cmd.NovateContract, data)
        require_reason(provenance, "novate a contract")
        with self.changes() as changes:
            self._require_provider(changes, data["new_provider"], "new_provider",
                                   data["effective"])
            return self._on_contract(data, provenance, lambda c, p: c.novate(
                data["new_provider"], data["effective"], p), changes)

    def terminate_contract(self, data: dict, provenance: Provenance):
        data = load(cmd.TerminateContract, data)
        require_reason(provenance, "terminate a contract")
        return self._on_contract(data, provenance, lambda c, p: c.terminate(
            data["effective"], p))

    def open_renewal_review(self, data: dict, provenance: Provenance):
        data = load(cmd.OpenRenewalReview, data)
        return self._on_contract(data, provenance, lambda c, p: c.open_renewal_review(
            data.get("due_by"), p))

    def decide_renewal(self, data: dict, provenance: Provenance):
        data = load(cmd.DecideRenewal, data)
        require_reason(provenance, "decide a renewal")
        return self._on_contract(data, provenance, lambda c, p: c.decide_renewal(
            data["decision"], p))

    def _award_contract(self, changes, data: dict, provenance: Provenance):
        authorise(provenance, "manage_contracts", data["commissioner"])
        commissioner = self._organisation(changes, data["commissioner"], "commissioner")
        if not commissioner.is_commissioner:
            raise RuleViolation(
                f"{commissioner.code} is a {commissioner.kind}, not a commissioner, "
                "and cannot award contracts", "commissioner")
        self._require_provider(changes, data["provider"], "provider", data["start"])
        if changes.get(contract_id(data["reference"])) is not None:
            raise AlreadyExists(f"contract {data['reference']} was already awarded",
                                "reference")
        Contract.check_term(data["start"], data["end"])
        contract = Contract(
            reference=data["reference"], commissioner=data["commissioner"],
            provider=data["provider"], service_lines=data["service_lines"],
            annual_value=data["annual_value"], total_value=data["total_value"],
            start=data["start"], end=data["end"], route=data["route"],
            provenance=provenance.as_dict())
        changes.add(contract)
        return contract.id

    def _on_contract(self, data, provenance, change, changes=None):
        with self.changes(changes) as changes:
            contract = self._contract(changes, data["reference"])
            authorise(provenance, "manage_contracts", contract.commissioner)
            change(contract, provenance.as_dict())
            return contract.id

    def _contract(self, changes, reference: str) -> Contract:
        contract = changes.get(contract_id(reference))
        if contract is None:
            raise NotFound(f"no contract with reference {reference}", "reference")
        return contract

    def _require_provider(self, changes, code: str, field: str, on=None) -> None:
        """The provider must exist and be open (on ``on``, e.g. a contract's start)."""
        org = self._organisation(changes, code, field)
        open_then = org.is_open_during(on, on) if on else org.closed is None
        if not org.is_provider or not open_then:
            when = f" on {on}" if on else ""
            raise RuleViolation(f"{code} is not an open provider{when}", field)
