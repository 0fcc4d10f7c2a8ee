"""Pack downloads from the web pages: the links are there, the files are packs that verify,
as known at the page's time, attributed to the signed-in user."""

import io

import pytest
from pypdf import PdfReader

from packs.pdf import read_document
from packs.verify import verify_pack
from tests.builders import ADMIN
from tests.web.conftest import PASSWORD, sign_in
from web import create_app


@pytest.fixture
def browser(world, settings):
    world.register_organisation({"code": "CQC", "name": "Care Quality Commission",
                                 "kind": "regulator"}, ADMIN)
    world.add_user({"username": "inspector", "name": "Inspector", "role": "regulator",
                    "organisation": "CQC", "password": PASSWORD}, ADMIN)
    client = create_app(settings, registry=world, config={"TESTING": True}).test_client()
    assert sign_in(client, "inspector").status_code == 302
    return client


def download(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert len(PdfReader(io.BytesIO(response.data)).pages) >= 3
    return read_document(response.data)


def test_each_page_links_to_its_pack_and_the_pack_verifies(world, browser):
    pages = {"/providers/RY6": "/providers/RY6/pack.pdf",
             "/contracts/QWO-WIC-2018": "/contracts/QWO-WIC-2018/pack.pdf",
             "/audit?organisation=RY6": "/audit/pack.pdf?organisation=RY6"}
    for page, link in pages.items():
        html = browser.get(page).get_data(as_text=True)
        assert f'href="{link}' in html.replace("&amp;", "&"), page
    for path, kind in (("/providers/RY6/pack.pdf", "ft"),
                       ("/contracts/QWO-WIC-2018/pack.pdf", "renewal"),
                       ("/audit/pack.pdf?organisation=RY6", "audit")):
        document = download(browser, path)
        assert document["kind"] == kind and document["generated_by"] == "inspector"
        assert verify_pack(world, document).problems == []


def test_a_pack_downloaded_as_known_at_an_earlier_time_has_its_figures(world, browser):
    early = download(browser, "/providers/RY6/pack.pdf")
    again = download(browser, f"/providers/RY6/pack.pdf?as_of={early['as_of'][:26]}")
    assert again["figures"] == early["figures"]


def test_bad_requests_get_pages_not_tracebacks(browser):
    assert browser.get("/providers/ZZZ/pack.pdf").status_code == 404
    assert browser.get("/contracts/NOPE/pack.pdf").status_code == 404
    assert browser.get("/audit/pack.pdf").status_code == 422
    assert browser.get("/audit/pack.pdf?organisation=RY6&recorded_from=yesterday"
                       ).status_code == 422
    assert browser.get("/providers/RY6/pack.pdf?as_of=never").status_code == 422


def test_packs_need_a_signed_in_user(world, settings):
    client = create_app(settings, registry=world, config={"TESTING": True}).test_client()
    response = client.get("/providers/RY6/pack.pdf")
    assert response.status_code in (302, 401)
