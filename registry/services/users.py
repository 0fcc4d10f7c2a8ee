"""User accounts: creation, passwords, API tokens, and checking credentials.

Passwords are hashed with Werkzeug (salted scrypt). An API token is
``<username>.<token id>.<secret>``; only the SHA-256 digest of the secret is
stored, so a leaked event store yields no usable token. Checking a password for
an unknown user costs the same as for a known one, so timing does not reveal
which usernames exist.
"""

import functools
import hashlib
import hmac
import os
import secrets

from werkzeug.security import check_password_hash, generate_password_hash

from registry.commands import load
from registry.commands import users as cmd
from registry.errors import AlreadyExists, NotFound, RuleViolation
from registry.identity import user_id
from registry.provenance import Provenance
from registry.services.permissions import authorise
from registry.user import User


# Werkzeug's method string; scrypt unless REGISTRY_PASSWORD_METHOD says otherwise (the test
# suite uses a cheap pbkdf2 so that creating hundreds of users stays fast).
def hash_password(password: str) -> str:
    method = os.environ.get("REGISTRY_PASSWORD_METHOD", "scrypt")
    return generate_password_hash(password, method=method)


@functools.cache
def _unknown_user_hash() -> str:
    """A real hash to check against when the user does not exist (same cost, no timing leak)."""
    return hash_password("no such user: compare against something")


class UserCommands:
    def add_user(self, data: dict, provenance: Provenance):
        data = load(cmd.AddUser, data)
        authorise(provenance, "manage_users")
        with self.changes() as changes:
            if changes.get(user_id(data["username"])) is not None:
                raise AlreadyExists(f"user {data['username']} already exists", "username")
            if data["organisation"]:
                self._organisation(changes, data["organisation"], "organisation")
            user = User(username=data["username"], name=data["name"], role=data["role"],
                        organisation=data["organisation"],
                        password_hash=hash_password(data["password"]),
                        provenance=provenance.as_dict())
            changes.add(user)
            return user.id

    def change_password(self, data: dict, provenance: Provenance):
        data = load(cmd.ChangePassword, data)
        if provenance.actor.user_id != data["username"]:
            authorise(provenance, "manage_users")
        with self.changes() as changes:
            user = self._user(changes, data["username"])
            user.change_password(hash_password(data["password"]), provenance.as_dict())
            return user.id

    def issue_token(self, data: dict, provenance: Provenance) -> dict:
        """A new API token; the plain token is returned here once and never stored."""
        data = load(cmd.IssueToken, data)
        if provenance.actor.user_id != data["username"]:
            authorise(provenance, "manage_users")
        token_id, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
        with self.changes() as changes:
            user = self._user(changes, data["username"])
            user.issue_token(token_id, _digest(secret), data.get("label") or "",
                             provenance.as_dict())
        return {"username": data["username"], "token_id": token_id,
                "token": f"{data['username']}.{token_id}.{secret}"}

    def revoke_token(self, data: dict, provenance: Provenance):
        data = load(cmd.RevokeToken, data)
        if provenance.actor.user_id != data["username"]:
            authorise(provenance, "manage_users")
        with self.changes() as changes:
            user = self._user(changes, data["username"])
            user.revoke_token(data["token_id"], provenance.as_dict())
            return user.id

    def disable_user(self, username: str, provenance: Provenance):
        authorise(provenance, "manage_users")
        with self.changes() as changes:
            user = self._user(changes, username.strip().lower())
            user.disable(provenance.as_dict())
            return user.id

    def authenticate(self, username: str, password: str) -> dict | None:
        """The user's public details if the password is right and the account enabled."""
        user = self.changes_for_reading().get(user_id(username.strip().lower())) \
            if username else None
        if user is None:
            check_password_hash(_unknown_user_hash(), password or "")
            return None
        if not check_password_hash(user.password_hash, password or "") or user.disabled:
            return None
        return _public(user)

    def user_for_token(self, token: str) -> dict | None:
        parts = (token or "").rsplit(".", 2)
        if len(parts) != 3 or not all(parts):
            return None
        username, token_id, secret = parts
        user = self.changes_for_reading().get(user_id(username))
        issued = user.tokens.get(token_id) if user is not None else None
        if issued is None or issued["revoked"] or user.disabled:
            return None
        if not hmac.compare_digest(issued["digest"], _digest(secret)):
            return None
        return _public(user)

    def get_user(self, username: str) -> dict | None:
        user = self.changes_for_reading().get(user_id(username.strip().lower()))
        return None if user is None else _public(user)

    def _user(self, changes, username: str) -> User:
        user = changes.get(user_id(username))
        if user is None:
            raise NotFound(f"no user {username}", "username")
        if not isinstance(user, User):
            raise RuleViolation(f"{username} is not a user account", "username")
        return user


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _public(user: User) -> dict:
    return {"username": user.username, "name": user.name, "role": user.role,
            "organisation": user.organisation, "disabled": user.disabled,
            "tokens": [{"token_id": k, "label": v["label"], "revoked": v["revoked"]}
                       for k, v in user.tokens.items()]}
