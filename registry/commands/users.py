"""Inputs for user accounts."""

import re

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from registry.commands.fields import Code, one_of, text

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,62}$")
PEOPLE_ROLES = ("regulator", "commissioner", "provider", "admin")
BOUND_ROLES = ("commissioner", "provider")


class Username(fields.String):
    def _deserialize(self, value, attr, data, **kwargs):
        name = super()._deserialize(value, attr, data, **kwargs).strip().lower()
        if not USERNAME.match(name):
            raise ValidationError("must be 2-63 characters: letters, digits, '.', '_', '@' "
                                  "or '-', starting with a letter or digit")
        return name


def password(required: bool = True) -> fields.String:
    rules = [validate.Length(min=10, max=200,
                             error="must be between {min} and {max} characters long")]
    return fields.String(required=required, validate=rules, load_only=True)


class AddUser(Schema):
    username = Username(required=True)
    name = text(max_length=200)
    role = one_of(PEOPLE_ROLES)
    organisation = Code(load_default=None, allow_none=True)
    password = password()

    @validates_schema
    def bound_roles_name_their_organisation(self, data, **_):
        if data.get("role") in BOUND_ROLES and not data.get("organisation"):
            raise ValidationError(f"a {data['role']} user acts for one organisation: "
                                  "give its ODS code", "organisation")


class ChangePassword(Schema):
    username = Username(required=True)
    password = password()


class IssueToken(Schema):
    username = Username(required=True)
    label = text(required=False, max_length=100)


class RevokeToken(Schema):
    username = Username(required=True)
    token_id = fields.String(required=True, validate=validate.Length(min=1, max=40))
