"""``registry bench``: the registry measured at national scale beside floors taken in the same run.

- ``scale``: how big a run is (named sizes and fractions of the full national set);
- ``data``: the seeded data set, written as the CSV files ``registry import`` takes;
- ``floors``: what the same work costs without the registry (raw eventsourcing append,
  raw ``executemany``, raw notification reads, raw SHA-256);
- ``steps``: the measured steps, a registry of them by name, each run in its own process;
- ``http``: the load generator for the API under gunicorn;
- ``machine``: the machine and the versions a run was taken on;
- ``report``: ``docs/performance.md``;
- ``runner``: one run over the engines, with its progress lines.
"""
