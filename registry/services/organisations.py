"""Commands on organisations: registration, renaming, kind changes, lineage, closure."""

from registry.commands import load
from registry.commands import organisations as cmd
from registry.errors import AlreadyExists, NotFound
from registry.identity import organisation_id
from registry.organisation import Organisation
from registry.provenance import Provenance
from registry.services.permissions import authorise


class OrganisationCommands:
    def register_organisation(self, data: dict, provenance: Provenance):
        with self.changes() as changes:
            return self._register_organisation(changes, load(cmd.RegisterOrganisation, data),
                                               provenance)

    def rename_organisation(self, data: dict, provenance: Provenance):
        data = load(cmd.RenameOrganisation, data)
        return self._on_organisation(data, provenance, lambda org, p: org.rename(
            data["name"], data["effective"], p))

    def change_organisation_kind(self, data: dict, provenance: Provenance):
        data = load(cmd.ChangeOrganisationKind, data)
        return self._on_organisation(data, provenance, lambda org, p: org.change_kind(
            data["kind"], data["effective"], p))

    def join_system(self, data: dict, provenance: Provenance):
        data = load(cmd.JoinSystem, data)
        return self._on_organisation(data, provenance, lambda org, p: org.join_system(
            data["system"], data["effective"], p))

    def close_organisation(self, data: dict, provenance: Provenance):
        data = load(cmd.CloseOrganisation, data)
        return self._on_organisation(data, provenance, lambda org, p: org.close(
            data["effective"], p))

    def merge_organisation(self, data: dict, provenance: Provenance):
        data = load(cmd.MergeOrganisation, data)
        with self.changes() as changes:
            successor = self._organisation(changes, data["successor"], "successor")
            return self._on_organisation(data, provenance, lambda org, p: org.merge_into(
                successor, data["effective"], p), changes)

    def transfer_services(self, data: dict, provenance: Provenance):
        data = load(cmd.TransferServices, data)
        with self.changes() as changes:
            recipient = self._organisation(changes, data["recipient"], "recipient")
            return self._on_organisation(data, provenance, lambda org, p: org.transfer_services(
                recipient, data["service_lines"], data["effective"], p), changes)

    def _register_organisation(self, changes, data: dict, provenance: Provenance):
        authorise(provenance, "manage_organisations")
        if changes.get(organisation_id(data["code"])) is not None:
            raise AlreadyExists(f"organisation {data['code']} is already registered", "code")
        org = Organisation(code=data["code"], name=data["name"], kind=data["kind"],
                           region=data.get("region"), opened=data.get("opened"),
                           provenance=provenance.as_dict())
        if data.get("closed"):
            org.close(data["closed"], provenance.as_dict())
        changes.add(org)
        return org.id

    def _on_organisation(self, data, provenance, change, changes=None):
        """Load the organisation named by data['code'], apply ``change``, save."""
        authorise(provenance, "manage_organisations")
        with self.changes(changes) as changes:
            org = self._organisation(changes, data["code"], "code")
            change(org, provenance.as_dict())
            return org.id

    def _organisation(self, changes, code: str, field: str) -> Organisation:
        org = changes.get(organisation_id(code))
        if org is None:
            raise NotFound(f"no organisation with code {code} is registered", field)
        return org
