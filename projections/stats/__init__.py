"""Pure statistics for benchmarking providers: plain functions over numbers.

No Flask, no eventsourcing, nothing from ``registry`` or ``web``: read models
call these with numbers and store the results.

- ``intervals``: Wilson, Byar / exact Poisson and t confidence intervals;
- ``comparison``: Fingertips comparison of a value with a benchmark;
- ``quantiles``: PERCENTILE.INC quartiles and quintiles of a peer group;
- ``funnel``, ``overdispersion``, ``funnel_assessment``: funnel-plot limits,
  Spiegelhalter's over-dispersion adjustment and each provider's position;
- ``spc``, ``spc_rules``, ``spc_icons``: XmR charts in the "Making Data
  Count" style;
- ``polarity``: the higher / lower / none codes every judgement turns on.
"""
