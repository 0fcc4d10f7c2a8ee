"""Every form on the pages, filled with hostile values (hypothesis), on both engines.

The forms are read from the pages themselves (each ``<form method="post">``, its inputs, buttons,
selects with their options, and textareas), so a new form is attacked without this
test changing. Each example posts one form, signed in as the administrator (who may use
every form) with a valid CSRF token, each field given a value the page offers, a
plausible one, a hostile one or random text, or dropped. Every answer must be a page the registry meant to give: never a server
error, never a traceback; and afterwards no read model has stopped.
"""

from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.conftest import csrf_token

PAGES = ["/submissions/RY6/WIC4H/walk_in_centres/2018-03", "/contracts/QWO-CS-2022",
         "/contracts", "/pipeline/RY6", "/admin/users", "/account"]
GOOD = {"numerator": "90", "denominator": "100", "reason": "fuzzing", "question": "Why?",
        "due_by": "2025-01-01", "reference": "QWO-FZ-1", "annual_value": "1000",
        "total_value": "3000", "start": "2022-07-01", "end": "2025-06-30",
        "achieved_on": "2013-05-01", "new_target": "2013-06-30", "effective": "2014-01-01",
        "username": "fuzz.user", "name": "Fuzz", "password": "a long enough password",
        "label": "fuzz", "note": "noted", "evidence": "minutes", "until": "2015-01-01",
        "service_lines": "district_nursing", "commissioner": "QWO", "provider": "RY6"}
HOSTILE = ["", " ", "=1+1", "-1", "0", "1e309", "NaN", "9" * 40, "2018-02-30", "2018-13",
           "<script>alert(1)</script>", "'; DROP TABLE registry_events; --", "\u202e",
           "😀", "\x00", "x" * 5000, "../../etc/passwd", "null", "[]", "{}", "%s%n"]


class Forms(HTMLParser):
    """The post forms of a page: [(action, {field: [values seen]})]."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select = [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = (attrs.get("action") or "", {})
            self.forms.append(self.current)
        elif self.current is None or not attrs.get("name"):
            if tag == "option" and self.select is not None:
                self.select.append(attrs.get("value") or "")
        elif tag in ("input", "textarea", "button"):
            self.current[1].setdefault(attrs["name"], []).append(attrs.get("value") or "")
        elif tag == "select":
            self.select = self.current[1].setdefault(attrs["name"], [])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def _forms(client) -> list[tuple[str, str, dict]]:
    found = []
    for page in PAGES:
        parser = Forms()
        parser.feed(client.get(page).get_data(as_text=True))
        found += [(page, action or page, fields) for action, fields in parser.forms
                  if action != "/logout"]
    return found


def test_no_form_answers_hostile_values_with_a_server_error(populated, signed_in):
    client = signed_in("admin")
    forms = _forms(client)
    assert len(forms) >= 8, [f[1] for f in forms]
    statuses = []

    @st.composite
    def filled(draw):
        page, action, fields = draw(st.sampled_from(forms))
        names = [n for n in fields if n != "csrf_token"]
        mode = draw(st.sampled_from(["clean", "one bad", "one bad", "any"]))
        bad = draw(st.sampled_from(names)) if names else None
        data = {}
        for name, seen in fields.items():
            if name == "csrf_token":
                continue
            if mode == "clean" or (mode == "one bad" and name != bad):
                choice = "good"
            elif mode == "one bad":
                choice = draw(st.sampled_from(["hostile", "text", "drop"]))
            else:
                choice = draw(st.sampled_from(["seen", "good", "hostile", "text", "drop"]))
            if choice == "good" and name in GOOD:
                data[name] = GOOD[name]
            elif choice in ("seen", "good"):
                data[name] = draw(st.sampled_from(seen or [""]))
            elif choice == "hostile":
                data[name] = draw(st.sampled_from(HOSTILE))
            elif choice == "text":
                data[name] = draw(st.text(max_size=30))
        return page, action, data

    @settings(max_examples=120, derandomize=True, database=None, deadline=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture,
                                     HealthCheck.too_slow])
    @given(filled())
    def attack(form):
        page, action, data = form
        data["csrf_token"] = csrf_token(client, page)
        response = client.post(action, data=data)
        body = response.get_data(as_text=True)
        statuses.append(response.status_code)
        assert response.status_code < 500, (action, data, body[:500])
        assert "Traceback" not in body, (action, data)

    attack()
    assert any(s < 400 for s in statuses) and any(s >= 400 for s in statuses), statuses
    registry = populated.extensions["registry"]
    registry.read_side.catch_up()
    assert [(s["name"], s["error"]) for s in registry.read_side.status() if s["error"]] == []
