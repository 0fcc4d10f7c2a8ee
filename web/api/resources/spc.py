"""SPC charts: a provider's XmR chart for one indicator, continuing across mergers."""

from flask import g

from projections.spc_charts import spc_chart
from web.api import api, dump, query
from web.api import inputs as i
from web.api import report_schemas as r
from web.api.spec import operation
from web.context import not_found, store


@api.get("/spc/<provider>/<indicator>")
@operation("SPC chart of one provider and indicator", tag="spc", path=i.SpcPath,
           query=i.SpcQuery,
           response=r.SpcChart, errors=(404,))
def chart(**raw):
    """Points, mean, process limits, special causes and the Making Data Count icons;
    limits restart at a merger or a revision of the indicator's definition."""
    args = query(i.SpcQuery)
    key = i.path(i.SpcPath, **raw)
    document = spc_chart(store(), key["provider"], key["indicator"],
                         args.get("service_line"), g.as_of)
    if document is None:
        raise not_found(f"no figures of {key['provider']} for {key['indicator']}", "indicator")
    return dump(r.SpcChart, document)
