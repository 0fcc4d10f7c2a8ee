"""Evidence packs as downloads: the FT application pack from a provider's page, the
renewal pack from a contract's page, the audit extract from the audit trail.

Each is built as known at the page's "as known at" time (now by default), attributed
to the signed-in user, and returned as a PDF/A file carrying its data (``packs``).
"""

from datetime import UTC, datetime

from flask import Response, g, request

import packs
from packs.pdf import render_pdf
from registry.errors import InvalidInput
from web.context import parse_as_of, registry
from web.downloads import SAFE_NAME
from web.pages import bp


@bp.get("/providers/<code>/pack.pdf", endpoint="ft_pack")
def ft_pack(code):
    return _download("ft", {"provider": code.upper()}, f"ft-evidence-pack-{code.upper()}")


@bp.get("/contracts/<reference>/pack.pdf", endpoint="renewal_pack")
def renewal_pack(reference):
    return _download("renewal", {"contract": reference}, f"renewal-pack-{reference}")


@bp.get("/audit/pack.pdf", endpoint="audit_pack")
def audit_pack():
    organisation = (request.args.get("organisation") or "").strip().upper()
    if not organisation:
        raise InvalidInput({"organisation": ["choose the organisation the extract is for"]})
    recorded_from = parse_as_of(request.args.get("recorded_from"), "recorded_from") \
        or datetime(2000, 1, 1, tzinfo=UTC)
    recorded_to = parse_as_of(request.args.get("recorded_to"), "recorded_to") \
        or g.as_of or datetime.now(UTC)
    subject = {"organisation": organisation, "from": recorded_from.isoformat(),
               "to": recorded_to.isoformat()}
    return _download("audit", subject, f"audit-extract-{organisation}")


def _download(kind: str, subject: dict, name: str) -> Response:
    document = packs.build(registry(), kind, subject, g.as_of,
                           requested_by=g.user["username"], channel="web")
    filename = SAFE_NAME.sub("-", f"{name}-{document['as_of'][:10]}").strip("-.")
    return Response(render_pdf(document), mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{filename}.pdf"'})
