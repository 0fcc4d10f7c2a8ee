"""The audit trail shows each event's ledger leaf and hands out its inclusion proof."""

import json
import re

from markupsafe import escape

from tests.ledger import independent_verifier as independent
from tests.web.conftest import bearer


def test_the_audit_trail_shows_leaf_hashes_and_the_ledger_status(populated, signed_in):
    registry = populated.extensions["registry"]
    page = signed_in("regulator").get("/audit").get_data(as_text=True)
    assert 'id="ledger-status"' in page and "No stored event has been altered" in page
    leaf = registry.ledger.leaf(1)
    event = signed_in("regulator").get("/audit/1").get_data(as_text=True)
    assert leaf["leaf_hash"] in event and 'id="ledger-leaf"' in event


def test_an_event_in_a_checkpoint_offers_its_proof_which_verifies(populated, signed_in, client):
    registry = populated.extensions["registry"]
    browser = signed_in("commissioner")
    event = browser.get("/audit/2").get_data(as_text=True)
    link = re.search(r'href="(/audit/2/proof\.json[^"]*)"', event).group(1)
    response = browser.get(link)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    key = client.get("/api/v1/ledger/key").json["verifier_key"]
    assert key == str(registry.ledger.verifier)
    independent.check_inclusion_document(json.loads(response.get_data(as_text=True)), key)


def test_an_event_after_the_latest_checkpoint_says_so(populated, signed_in):
    registry = populated.extensions["registry"]
    newest = registry.recorder.max_notification_id()
    browser = signed_in("regulator")
    page = browser.get(f"/audit/{newest}").get_data(as_text=True)
    assert "Not yet in a signed checkpoint" in page
    assert browser.get(f"/audit/{newest}/proof.json").status_code == 404


def test_tampering_shows_on_the_audit_trail(populated, signed_in, tokens):
    registry = populated.extensions["registry"]
    store = registry.read_side.store
    with store.transaction() as cursor:
        cursor.execute(f"DELETE FROM {store.events_table} WHERE {store.events_position} = 5")
    registry.ledger.verify()
    browser = signed_in("regulator")
    page = browser.get("/audit").get_data(as_text=True)
    assert "problem(s) found, the first at position 5 (deleted)" in page
    # The index still lists the removed event, by who, when and why; its payload is gone.
    removed = browser.get("/audit/5")
    assert removed.status_code == 200
    assert "The log no longer holds this event" in removed.get_data(as_text=True)
    api = populated.test_client()
    item = api.get("/api/v1/audit/5", headers=bearer(tokens["regulator"])).get_json()
    assert (item["position"], item["in_log"], item["data"]) == (5, False, None)
    assert item["actor"]["user_id"] and item["recorded_at"]
    assert api.get("/api/v1/audit/4",
                   headers=bearer(tokens["regulator"])).get_json()["in_log"] is True


def test_an_event_altered_into_something_unreadable_is_shown_as_stored(populated, signed_in,
                                                                      tokens):
    """Behind the registry's back, a submission's stored state is made not JSON. Every
    page and API answer that reads it still answers: the audit trail shows the event as
    stored, with why it cannot be read, and the ledger names the alteration; histories
    (and so packs) leave it out, as they leave out an event removed from the log."""
    registry = populated.extensions["registry"]
    store = registry.read_side.store
    first = store.query(
        f"SELECT {store.events_position} AS p, state FROM {store.events_table} "
        f"WHERE topic LIKE '%Submission.Submitted' ORDER BY {store.events_position} LIMIT 1")[0]
    at, stored = first["p"], bytes(first["state"])[:-2] + b"{{"
    with store.transaction() as cursor:
        cursor.execute(f"UPDATE {store.events_table} SET state = ? WHERE "
                       f"{store.events_position} = ?", (stored, at))
    provider = store.query("SELECT organisation FROM audit_events WHERE position = ?",
                           (at,))[0]["organisation"]
    registry.ledger.verify()
    browser = signed_in("regulator")
    for path in ("/audit", f"/audit?organisation={provider}", f"/providers/{provider}"):
        assert browser.get(path).status_code == 200, path
    assert f"problem(s) found, the first at position {at} (edited)" in \
        browser.get("/audit").get_data(as_text=True)
    # No inclusion proof is given against the checkpoint the edit makes fail, and the
    # answer says so (not that the event is newer than every checkpoint).
    proof = browser.get(f"/audit/{at}/proof.json")
    assert proof.status_code == 404
    assert "fails verification" in proof.get_data(as_text=True)
    assert "newer than the latest" not in proof.get_data(as_text=True)
    # A pack is refused while the ledger reports an edit, and says where.
    refused = browser.get(f"/providers/{provider}/pack.pdf")
    assert refused.status_code == 422
    assert f"at position {at} (edited)" in refused.get_data(as_text=True)
    page = browser.get(f"/audit/{at}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "cannot be read as an event" in text and "JSONDecodeError" in text
    assert str(escape(stored.decode())) in text  # as stored, byte for byte
    api = populated.test_client()
    item = api.get(f"/api/v1/audit/{at}", headers=bearer(tokens["regulator"])).get_json()
    assert (item["in_log"], item["data"], item["stored_state"]) == (True, None,
                                                                   stored.decode())
    assert item["payload_error"].startswith("JSONDecodeError")
    listed = api.get(f"/api/v1/audit?organisation={provider}&limit=500",
                     headers=bearer(tokens["regulator"])).get_json()["items"]
    assert [i["payload_error"] is not None for i in listed if i["position"] == at] == [True]
    assert all(i["payload_error"] is None and i["stored_state"] is None
               for i in listed if i["position"] != at)
    history = api.get(f"/api/v1/organisations/{provider}/history",
                      headers=bearer(tokens["regulator"]))
    assert history.status_code == 200
    positions = [e["position"] for e in history.get_json()]
    assert at not in positions and positions
    good = api.get(f"/api/v1/audit/{positions[-1]}", headers=bearer(tokens["regulator"]))
    assert good.get_json()["payload_error"] is None and good.get_json()["data"]
