"""One demo user per role, so the web application can be tried at once.

All share the password ``registry-demo`` (documented in the README): these are
demo accounts on a demo data set, never to be created on a real registry.
"""

from registry.demo.run import DemoRun

PASSWORD = "registry-demo"
USERS = (  # username, name, role, organisation
    ("admin", "Registry Administrator", "admin", None),
    ("regulator", "Rita Regulator (CQC)", "regulator", "CQC"),
    ("commissioner", "Colin Commissioner (Hertfordshire County Council)", "commissioner",
     "E10000015"),
    ("provider", "Priya Provider (Hertfordshire Community NHS Trust)", "provider", "RY4"),
)


def load(run: DemoRun) -> None:
    run.progress("users", 0, len(USERS))
    for done, (username, name, role, organisation) in enumerate(USERS, 1):
        run.app.add_user({"username": username, "name": name, "role": role,
                          "organisation": organisation, "password": PASSWORD}, run.admin)
        run.progress("users", done, len(USERS))
