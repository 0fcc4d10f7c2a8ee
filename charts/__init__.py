"""Server-side SVG charts of the read models' documents, for web pages and PDF packs.

Each function takes the plain dict a projection returns (``benchmark``,
``spc_chart``) - never a store - and returns an SVG string ready to inline in
HTML: no XML prolog, fluid width, text kept as text, a <title> and <desc>
for screen readers. Missing data give a short notice in place of a chart,
so a page never breaks on a provider that has not reported.
"""

from charts.caterpillar import caterpillar_chart
from charts.funnel import funnel_plot
from charts.icons import assurance_icon, variation_icon
from charts.spc import spc_chart_svg
from charts.timeline import milestone_timeline

__all__ = ["assurance_icon", "caterpillar_chart", "funnel_plot", "milestone_timeline",
           "spc_chart_svg", "variation_icon"]
