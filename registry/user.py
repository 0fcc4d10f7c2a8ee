"""User: someone who signs in to the web application or calls the API.

Users are event-sourced like everything else, so who created an account, who
changed its role and when a token was issued are on the record. Only salted
password hashes (Werkzeug) and SHA-256 digests of API tokens are stored: the
plain secrets are shown once and never kept.
"""

from eventsourcing.domain import Aggregate, event

from registry.errors import RuleViolation
from registry.identity import user_id


class UserError(RuleViolation):
    """A rule about user accounts was broken."""


class User(Aggregate):
    @staticmethod
    def create_id(username: str):
        return user_id(username)

    @event("Registered")
    def __init__(self, username: str, name: str, role: str, organisation: str | None,
                 password_hash: str, provenance: dict):
        self.username = username
        self.name = name
        self.role = role
        self.organisation = organisation
        self.password_hash = password_hash
        self.tokens: dict[str, dict] = {}
        self.disabled = False

    @event("PasswordChanged")
    def change_password(self, password_hash: str, provenance: dict) -> None:
        self.password_hash = password_hash

    def issue_token(self, token_id: str, digest: str, label: str, provenance: dict) -> None:
        self._require_enabled("be issued a token")
        if token_id in self.tokens:
            raise UserError(f"token {token_id} already exists", "token_id")
        self._token_issued(token_id=token_id, digest=digest, label=label, provenance=provenance)

    @event("TokenIssued")
    def _token_issued(self, token_id: str, digest: str, label: str, provenance: dict) -> None:
        self.tokens[token_id] = {"digest": digest, "label": label, "revoked": False}

    def revoke_token(self, token_id: str, provenance: dict) -> None:
        if token_id not in self.tokens or self.tokens[token_id]["revoked"]:
            raise UserError(f"{self.username} has no live token {token_id}", "token_id")
        self._token_revoked(token_id=token_id, provenance=provenance)

    @event("TokenRevoked")
    def _token_revoked(self, token_id: str, provenance: dict) -> None:
        self.tokens[token_id]["revoked"] = True

    def disable(self, provenance: dict) -> None:
        self._require_enabled("be disabled")
        self._disabled(provenance=provenance)

    @event("Disabled")
    def _disabled(self, provenance: dict) -> None:
        self.disabled = True

    def _require_enabled(self, what: str) -> None:
        if self.disabled:
            raise UserError(f"{self.username} is disabled and cannot {what}", "username")
