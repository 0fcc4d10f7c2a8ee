"""Funnel significance published by PHEindicatormethods, shared by the funnel tests.

Source: ukhsa-collaboration/PHEindicatormethods tests/testthat/
testdata_funnel_rate_dsr_inputs.csv (count, pop, crude_per_100000_with_0,
crude_per_100000_without_0). PHE's labels map to our position codes below.
"""

PHE_LABELS = {
    "High (0.001)": "above_998",
    "High (0.025)": "above_95",
    "Low (0.025)": "below_95",
    "Low (0.001)": "below_998",
    "Not significant": "inside",
}


CRUDE_RATES = [
    # count, population, PHE label with the zero-event area, PHE label without it
    (2419, 264102, "High (0.001)", "High (0.001)"),
    (2337, 259711, "High (0.001)", "High (0.001)"),
    (2291, 289247, "High (0.001)", "High (0.001)"),
    (2242, 265029, "High (0.001)", "High (0.001)"),
    (2218, 284649, "High (0.001)", "High (0.001)"),
    (2159, 293578, "High (0.001)", "High (0.001)"),
    (2130, 286718, "High (0.001)", "High (0.001)"),
    (2111, 307381, "Not significant", "Not significant"),
    (2105, 274145, "High (0.001)", "High (0.001)"),
    (2083, 297424, "High (0.025)", "Not significant"),
    (2078, 272628, "High (0.001)", "High (0.001)"),
    (2062, 269656, "High (0.001)", "High (0.001)"),
    (2061, 294692, "High (0.025)", "Not significant"),
    (2033, 277710, "High (0.001)", "High (0.025)"),
    (2033, 259213, "High (0.001)", "High (0.001)"),
    (2010, 285516, "High (0.025)", "Not significant"),
    (2004, 269449, "High (0.001)", "High (0.001)"),
    (2002, 290888, "Not significant", "Not significant"),
    (1977, 287112, "Not significant", "Not significant"),
    (1944, 286492, "Not significant", "Not significant"),
    (1932, 287012, "Not significant", "Not significant"),
    (1922, 291277, "Not significant", "Not significant"),
    (1912, 289859, "Not significant", "Not significant"),
    (1881, 289653, "Not significant", "Low (0.025)"),
    (1844, 282519, "Not significant", "Low (0.025)"),
    (1835, 274220, "Not significant", "Not significant"),
    (1833, 280271, "Not significant", "Low (0.025)"),
    (1825, 284206, "Not significant", "Low (0.025)"),
    (1816, 274508, "Not significant", "Not significant"),
    (1809, 288384, "Low (0.025)", "Low (0.001)"),
    (1798, 287072, "Low (0.025)", "Low (0.001)"),
    (1754, 282744, "Low (0.001)", "Low (0.001)"),
    (1746, 289208, "Low (0.001)", "Low (0.001)"),
    (1709, 287736, "Low (0.001)", "Low (0.001)"),
    (1694, 296175, "Low (0.001)", "Low (0.001)"),
    (1688, 303255, "Low (0.001)", "Low (0.001)"),
    (1649, 285959, "Low (0.001)", "Low (0.001)"),
    (1553, 274661, "Low (0.001)", "Low (0.001)"),
    (1332, 281425, "Low (0.001)", "Low (0.001)"),
    (0, 297820, "Low (0.001)", "Not significant"),
]
