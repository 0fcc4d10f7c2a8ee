"""The scheduler: runs the registry's jobs (``registry.jobs``) on their schedules, in the
registry's own database (``service``: APScheduler; ``jobstore``: its persistent store;
``locks``: one database lock per job; ``runs``: the record of every run;
``schedules``: when each job runs)."""
