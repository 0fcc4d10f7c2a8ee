"""The ledger through the API: a public key, checkpoints, proofs that verify independently."""

from tests.ledger import independent_verifier as independent
from tests.web.api.conftest import API


def test_the_verifier_key_is_public(client, registry):
    response = client.get(API + "/ledger/key")
    assert response.status_code == 200
    assert response.json["verifier_key"] == str(registry.ledger.verifier)
    assert response.json["algorithm"] == "Ed25519"


def test_other_ledger_endpoints_need_a_token(client, populated):
    assert client.get(API + "/ledger").status_code == 401
    assert client.get(API + "/ledger/proofs/inclusion?position=1").status_code == 401


def test_an_import_is_checkpointed_and_its_events_proved(client, populated, api):
    key = client.get(API + "/ledger/key").json["verifier_key"]
    state = api("regulator").get("/ledger").json
    assert state["problems"] == [] and state["checkpoints"] >= 1
    latest = state["latest_checkpoint"]
    assert latest["verified"] and "after importing wic-2018.csv" in \
        api().get("/audit", event_type="LedgerCheckpoint.Signed").json["items"][0]["reason"]
    for position in (1, latest["tree_size"] // 2, latest["tree_size"] - 1):
        proof = api("commissioner").get("/ledger/proofs/inclusion", position=position)
        assert proof.status_code == 200, proof.json
        independent.check_inclusion_document(proof.json, key)


def test_a_regulator_takes_a_checkpoint_and_proves_consistency(client, populated, api):
    key = client.get(API + "/ledger/key").json["verifier_key"]
    before = api().get("/ledger/checkpoints").json[-1]["tree_size"]
    taken = api("regulator").post("/ledger/checkpoints", {"reason": "quarterly audit"})
    assert taken.status_code == 201 and taken.json["taken"]
    again = api("regulator").post("/ledger/checkpoints", {})
    assert again.status_code == 200 and not again.json["taken"]
    after = taken.json["checkpoint"]["tree_size"]
    proof = api().get("/ledger/proofs/consistency", **{"from": before, "to": after})
    assert proof.status_code == 200, proof.json
    independent.check_consistency_document(proof.json, key)


def test_providers_cannot_sign_checkpoints(populated, api):
    assert api("provider").post("/ledger/checkpoints", {}).status_code == 403


def test_bad_proof_requests_say_what_is_wrong(populated, api):
    assert api().get("/ledger/proofs/inclusion", position=0).status_code == 422
    assert api().get("/ledger/proofs/inclusion", position=10**9).status_code == 404
    missing = api().get("/ledger/proofs/consistency", **{"from": 3, "to": 4})
    assert missing.status_code == 404 and "checkpoint" in missing.json["message"]
