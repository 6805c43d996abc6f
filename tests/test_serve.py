"""`postmortem serve` without a browser: the command's refusals, the token at the door, the name, the download.

The real browser journeys are in test_serve_browser.py; these need only
Python (an HTTP client for the server, Pilot for the app) and so run on every
machine.
"""

from __future__ import annotations

import asyncio
import time
import urllib.error
import urllib.request

import pytest

from browser import Server
from store.db import ReviewStore
from tui.app import PostmortemApp
from tui.cli import main
from tui_helpers import SIZE, active, complete_review, new_app, seed, type_text, wait_for_screen


def status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode(errors="replace")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


# The command -------------------------------------------------------------------


def test_serve_refuses_observe_without_a_review(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "a"), "serve", "--observe"]) == 2
    assert "--observe needs --review ID" in capsys.readouterr().err


def test_serve_refuses_a_review_that_does_not_exist_before_listening(tmp_path, capsys):
    db = tmp_path / "a"
    seed(db, complete_review("impact"))
    assert main(["--db", str(db), "serve", "--review", "pm-9"]) == 2
    assert "pm-9" in capsys.readouterr().err


def test_serve_on_a_port_in_use_says_so_and_prints_no_link(tmp_path):
    import socket
    import subprocess
    import sys

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(tmp_path / "a"), "serve", "--port",
                                 str(port)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr and "address already in use" in result.stderr
    assert "/join/" not in result.stdout


@pytest.mark.slow
def test_only_the_join_links_get_in_and_a_refused_request_starts_no_app(tmp_path):
    db = tmp_path / "a"
    review_id = seed(db, complete_review("impact"))
    server = Server(db, "--review", review_id)
    try:
        join, watch = server.links[f"join {review_id}"], server.links[f"watch {review_id} (read-only)"]
        assert join.startswith(f"http://127.0.0.1:{server.port}/join/") and join != watch
        token = join.rsplit("/", 1)[1]
        assert len(token) >= 20  # random: not to be guessed

        for address in ("/", "/join/", "/join/guessed", f"/join/{token[:-1]}", f"/join/{token[:-1]}/ws",
                        "/index.html", f"/{token}"):
            code, body = status(server.base + address)
            assert code == 403, address
            assert "needs the join link" in body
        refused_socket = asyncio.run(open_websocket(f"ws://127.0.0.1:{server.port}/join/guessed/ws"))
        assert refused_socket == 403
        time.sleep(1.0)  # an app process would have started by now
        assert server.app_processes() == []

        code, page = status(join)
        assert code == 200
        assert f'data-session-websocket-url="ws://127.0.0.1:{server.port}/join/{token}/ws"' in page
        assert server.app_processes() == []  # the page alone starts nothing: its websocket does

        for address in ("/static/js/textual.js", "/static/css/xterm.css", f"/join/guessed/static/js/textual.js",
                        "/download/0123456789abcdef", f"/join/guessed/download/0123456789abcdef"):
            code, body = status(server.base + address)
            assert code == 403, address  # the page's files and the downloads are behind the token too
            assert "needs the join link" in body
    finally:
        server.close()


@pytest.mark.slow
def test_the_page_asks_no_other_host_for_anything_and_its_files_come_from_under_the_token(tmp_path):
    import re

    db = tmp_path / "a"
    review_id = seed(db, complete_review("impact"))
    server = Server(db, "--review", review_id)
    try:
        join = server.links[f"join {review_id}"]
        code, page = status(join)
        assert code == 200
        assert "fonts.googleapis.com" not in page
        hosts = set(re.findall(r"(https?://[^/\"'\s]+)", page))
        assert hosts == {server.base}, hosts  # no font, script or image from another host: a closed network works
        files = re.findall(r'(?:src|href)="([^"]+)"|url\("([^"]+)"\)', page)
        files = [one or other for one, other in files if (one or other) != "data:,"]  # the empty icon: no request
        assert len(files) >= 5 and all(file.startswith(join + "/static/") for file in files), files
        for file in files:
            code, body = status(file)
            assert code == 200, file
        code, script = status(join + "/static/js/textual.js")
        assert "window.location.pathname" in script and "${window.location.origin}/download/" not in script
        assert status(join + "/static/../../../pyproject.toml")[0] in (403, 404)
    finally:
        server.close()


async def open_websocket(url: str) -> int:
    """Open a websocket as the page does; the HTTP status it was answered with (101 when it opened)."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(url) as socket:
                await socket.close()
                return 101
        except aiohttp.WSServerHandshakeError as error:
            return error.status


def test_the_server_listens_on_this_host_only_unless_told():
    from tui.cli import build_parser

    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port) == ("127.0.0.1", 8000)


# The app in a browser tab ----------------------------------------------------------


async def test_a_browser_participant_is_asked_for_a_name_and_joins_by_it(tmp_path):
    db = tmp_path / "a"
    review_id = seed(db, complete_review("impact"))
    app = new_app(db, start="open", review_id=review_id, ask_name=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "NameDialog")
        await pilot.press("enter")  # no name: refused, and said at the field
        assert active(pilot) == "NameDialog"
        assert "Name: give the name" in str(pilot.app.screen.query_one("#name-problem").content)
        await type_text(pilot, "Sam")
        await pilot.press("enter")
        await wait_for_screen(pilot, "ImpactScreen")
        assert pilot.app.live.me.name == "Sam"
        members = ReviewStore(db).present(review_id)
        assert [member.name for member in members] == ["Sam"]


async def test_a_terminal_participant_is_not_asked_for_a_name(tmp_path):
    db = tmp_path / "a"
    review_id = seed(db, complete_review("impact"))
    async with new_app(db, start="open", review_id=review_id).run_test(size=SIZE) as pilot:
        await wait_for_screen(pilot, "ImpactScreen")


async def test_in_a_browser_the_export_is_a_download_and_nothing_is_written_on_the_server(tmp_path, monkeypatch):
    db = tmp_path / "a"
    review_id = seed(db, complete_review("summary"))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(PostmortemApp, "is_web", property(lambda app: True))
    delivered = []
    monkeypatch.setattr(PostmortemApp, "deliver_text",
                        lambda app, file, **options: delivered.append((file.read(), options)) or "key")
    app = new_app(db, start="open", review_id=review_id, name="Sam")  # named: no name asked
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for_screen(pilot, "SummaryScreen")
        await pilot.press("f4")
        await pilot.pause()
        assert active(pilot) == "SummaryScreen"  # no path asked: the server's disk is not the reader's
        await pilot.press("f3", "f4")  # the client summary too
        await pilot.pause()
    (written, options), (client, client_options) = delivered
    assert options["save_filename"] == f"{review_id}-summary.md" and "# " in written and "Search was slow" in written
    assert client_options["save_filename"] == f"{review_id}-client.md" and "Lee" not in client
    assert not list(tmp_path.glob("*.md"))


# Downloads ---------------------------------------------------------------------------


class FakeTab:
    """An app service as the download manager sees one: it answers a chunk request with the export, then nothing."""

    def __init__(self, server, service_id: str, text: str) -> None:
        self.app_service_id = service_id
        self.server = server
        self.chunks = [text.encode(), b""]

    async def send_meta(self, meta: dict) -> bool:
        await self.server.download_manager.chunk_received(meta["key"], self.chunks.pop(0))
        return True


async def test_a_download_answers_only_under_the_token_of_the_tab_that_made_it():
    from aiohttp.test_utils import TestClient, TestServer

    from tui.serve import JoinServer, make_links

    links = make_links(["pm-1"], observe_only=False)
    join, watch = links
    server = JoinServer(links, "127.0.0.1", 0)
    sam = FakeTab(server, "sam-tab", "# Checkout outage\n")
    server.tab_links["sam-tab"] = join
    await server.download_manager.create_download(app_service=sam, delivery_key="k3y", file_name="pm-1-summary.md",
                                                  open_method="download", mime_type="text/markdown",
                                                  encoding="utf-8")
    async with TestClient(TestServer(await server._make_app())) as client:
        for address, refused in (("/download/k3y", 403), ("/join/guessed/download/k3y", 403),
                                 (f"/join/{watch.token}/download/k3y", 404),  # another link: not its download
                                 (f"/join/{join.token}/download/other", 404)):
            response = await client.get(address)
            assert response.status == refused, address
        assert sam.chunks == [b"# Checkout outage\n", b""]  # nothing was asked of the tab yet
        response = await client.get(f"/join/{join.token}/download/k3y")
        assert response.status == 200
        assert await response.text() == "# Checkout outage\n"
        assert "attachment" in response.headers["Content-Disposition"]
        assert "pm-1-summary.md" in response.headers["Content-Disposition"]
        response = await client.get(f"/join/{join.token}/download/k3y")
        assert response.status == 404  # single use: once delivered, the key is gone


def test_another_textual_serve_whose_page_opens_downloads_elsewhere_is_refused_before_listening(tmp_path, monkeypatch,
                                                                                                 capsys):
    from textual_serve.server import Server as TextualServer

    static = tmp_path / "static"
    (static / "js").mkdir(parents=True)
    (static / "js" / "textual.js").write_text('window.open(`${location.origin}/files/${key}`)', encoding="utf-8")
    original = TextualServer.__init__

    def with_other_statics(server, *args, **kwargs):
        original(server, *args, **kwargs)
        server.statics_path = static

    monkeypatch.setattr(TextualServer, "__init__", with_other_statics)
    monkeypatch.setattr("tui.serve.JoinServer.serve", lambda server, debug=False: pytest.fail("it listened"))
    db = tmp_path / "a"
    seed(db, complete_review("impact"))
    assert main(["--db", str(db), "serve"]) == 2
    error = capsys.readouterr().err
    assert "downloads would not be behind the join link" in error and "Traceback" not in error
