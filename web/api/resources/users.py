"""The token's own user: who the API thinks is calling, with which role and organisation."""

from flask import g

from web.api import api, dump
from web.api import schemas as s
from web.api.spec import operation


@api.get("/me")
@operation("The calling user", tag="users", response=s.User)
def me():
    """Lets a client check, before writing, which organisation its token acts for."""
    return dump(s.User, g.user)
