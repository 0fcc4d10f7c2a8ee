"""Deterministic aggregate ids (uuid5), so that the same real-world thing always
maps to the same event stream: a second "first submission" for one cell, or a
second registration of one ODS code, collides instead of forking history.
"""

from functools import lru_cache
from uuid import UUID, uuid5

NAMESPACE = UUID("5b8f0c1e-6a57-4c49-9a51-0f3f4b8f2a11")


@lru_cache(maxsize=1 << 16)  # pure; an import asks for each id several times
def organisation_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"organisation/{code.upper()}")


@lru_cache(maxsize=1 << 16)  # pure; an import asks for each id several times
def indicator_id(code: str) -> UUID:
    return uuid5(NAMESPACE, f"indicator/{code.upper()}")


@lru_cache(maxsize=1 << 16)  # pure; an import asks for each id several times
def submission_id(provider: str, indicator: str, service_line: str, period: str) -> UUID:
    key = f"submission/{provider.upper()}/{indicator.upper()}/{service_line}/{period}"
    return uuid5(NAMESPACE, key)


def contract_id(reference: str) -> UUID:
    return uuid5(NAMESPACE, f"contract/{reference}")


def ft_application_id(provider: str, attempt: int) -> UUID:
    return uuid5(NAMESPACE, f"ft-application/{provider.upper()}/{attempt}")


def user_id(username: str) -> UUID:
    return uuid5(NAMESPACE, f"user/{username.lower()}")


def checkpoint_id(tree_size: int) -> UUID:
    return uuid5(NAMESPACE, f"ledger-checkpoint/{tree_size}")


def notice_id(kind: str, *subject: str) -> UUID:
    """One notice per kind and subject (e.g. a provider's cell, a contract's end and lead
    time, an application's milestone and target), so a job that runs twice collides."""
    return uuid5(NAMESPACE, "notice/" + "/".join((kind, *subject)))
