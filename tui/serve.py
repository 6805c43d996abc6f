"""`postmortem serve`: the same app in browsers, one app process per tab (textual-serve), behind secret links.

textual-serve runs a command per browser connection and shows its screen in
the page; it has no authentication of its own.  Here every address the server
answers sits under ``/join/<token>/`` (the page, its websocket, its scripts and
fonts, a tab's downloads): a request without a token this server made is
answered 403 before any process starts.  The page (``tui/web/join.html``) asks
no other host for anything: no fonts from Google, nothing a closed network
would stall on or a third party would log.  A token is random per server start
and says what its tabs run: the list of reviews, or one review to join or to
watch (``postmortem open ID [--observe]``).  The app asks each tab for its
participant's name (see :meth:`tui.app.PostmortemApp.asks_name`), and sends
exports to the browser as downloads.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import secrets
import shlex
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("postmortem.serve")

PAGE_DIR = Path(__file__).parent / "web"  # join.html: textual-serve's page, less its Google fonts
# textual-serve's script opens a download at the site's root (``origin/download/<key>``); ours opens it
# under the page's own address, the link's token included.
ROOT_DOWNLOAD = "${window.location.origin}/download/"
TAB_DOWNLOAD = '${window.location.origin}${window.location.pathname.replace(/\\/+$/, "")}/download/'


class PageScriptError(Exception):
    """textual-serve's page script is not the one this server knows how to keep under the token."""


@dataclass(frozen=True)
class Link:
    """One join link: its secret, the app command its tabs run, and what it is for (printed beside it)."""

    token: str
    argv: tuple[str, ...]
    purpose: str

    @property
    def command(self) -> str:
        """The shell command textual-serve starts per tab (``exec``: the app is the tab's process, no shell left)."""
        return "exec " + shlex.join([sys.executable, "-m", "tui.cli", *self.argv])


def make_links(reviews: list[str], observe_only: bool) -> list[Link]:
    """A link to the list of reviews, or per review one to join and one to watch (``--observe``: watch only)."""
    if not reviews:
        return [Link(secrets.token_urlsafe(18), (), "join (the list of reviews)")]
    links = []
    for review_id in reviews:
        if not observe_only:
            links.append(Link(secrets.token_urlsafe(18), ("open", review_id), f"join {review_id}"))
        links.append(Link(secrets.token_urlsafe(18), ("open", review_id, "--observe"),
                          f"watch {review_id} (read-only)"))
    return links


class JoinServer(Server):
    """textual-serve's server with every page and websocket behind a link's token."""

    def __init__(self, links: list[Link], host: str, port: int, public_url: str | None = None) -> None:
        super().__init__(command="postmortem", host=host, port=port, title="postmortem", public_url=public_url)
        self.links = links
        self.tabs_started = 0
        self.open_sockets: set[web.WebSocketResponse] = set()
        self.tab_links: dict[str, Link] = {}  # app service id -> the link its tab came in by
        self.script = ""

    def link_url(self, link: Link) -> str:
        return f"{self.public_url}/join/{link.token}"

    def link_for(self, request: web.Request) -> Link:
        """The link the request's token belongs to; 403 (and nothing started) for any other."""
        given = request.match_info.get("token", "")
        for link in self.links:
            if hmac.compare_digest(given.encode(), link.token.encode()):
                return link
        log.warning("refused a request from %s: not a join link (403)", request.remote)
        raise web.HTTPForbidden(text="postmortem: this address needs the join link the facilitator gave you.\n")

    async def _make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(PAGE_DIR))
        self.script = self.script or tab_script(self.statics_path / "js" / "textual.js")
        app.add_routes([
            web.get("/", self.refuse, name="index"),
            web.get("/join/{token}", self.handle_join, name="join"),
            web.get("/join/{token}/ws", self.handle_websocket, name="websocket"),
            web.get("/join/{token}/download/{key}", self.handle_tab_download, name="download"),
            web.get("/join/{token}/static/{path:.+}", self.handle_static, name="static"),
            web.get("/{anything:.*}", self.refuse),  # any other address: the same 403 as a wrong token
        ])
        app.on_shutdown.append(self.close_tabs)
        return app

    async def close_tabs(self, app: web.Application) -> None:
        """Stopping: close every tab's websocket, so each app is asked to quit (and saves) as on a closed tab."""
        for websocket in list(self.open_sockets):
            await websocket.close(code=WSCloseCode.GOING_AWAY, message=b"the server is stopping")

    async def refuse(self, request: web.Request) -> web.Response:
        """Any address but a join link's: these routes carry no token, so this answers 403."""
        return self.link_for(request)

    async def handle_join(self, request: web.Request) -> web.Response:
        """The page for a tab: textual-serve's own, with the websocket under the same token."""
        link = self.link_for(request)
        websocket_url = self.public_url + str(request.app.router["websocket"].url_for(token=link.token))
        websocket_url = ("wss:" if websocket_url.startswith("https:") else "ws:") + websocket_url.split(":", 1)[1]
        context = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": websocket_url,
            "config": {"static": {"url": f"{self.public_url}/join/{link.token}/static/"}},
            "application": {"name": f"postmortem: {link.purpose}"},
        }
        response = aiohttp_jinja2.render_template("join.html", request, context)
        response.headers["Referrer-Policy"] = "no-referrer"  # the token must not leak to other sites
        response.headers["Cache-Control"] = "no-store"
        return response

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One tab: start its own app process and relay it (as textual-serve does), once the token is right."""
        link = self.link_for(request)
        websocket = web.WebSocketResponse(heartbeat=15)
        await websocket.prepare(request)
        self.open_sockets.add(websocket)
        service = AppService(link.command, write_bytes=websocket.send_bytes, write_str=websocket.send_str,
                             close=websocket.close, download_manager=self.download_manager, debug=self.debug)
        self.tab_links[service.app_service_id] = link
        self.tabs_started += 1
        log.info("tab %d opened: %s", self.tabs_started, link.purpose)
        try:
            await service.start(to_int(request.query.get("width", "80"), 80),
                                to_int(request.query.get("height", "24"), 24))
            await self._process_messages(websocket, service)
        except Exception as error:  # one tab's failure is logged; the server and the other tabs go on
            log.warning("a tab ended with an error: %s", error)
        finally:
            self.open_sockets.discard(websocket)
            await service.stop()
            self.tab_links.pop(service.app_service_id, None)
        return websocket

    async def handle_tab_download(self, request: web.Request) -> web.StreamResponse:
        """An export a tab's app delivers: only through the link that tab came in by (404 for another's key)."""
        link = self.link_for(request)
        try:
            download = await self.download_manager.get_download_metadata(request.match_info["key"])
        except KeyError:
            download = None
        if download is None or self.tab_links.get(download.app_service.app_service_id) is not link:
            raise web.HTTPNotFound(text="postmortem: this download is over, or was never made here.\n")
        return await self.handle_download(request)

    async def handle_static(self, request: web.Request) -> web.StreamResponse:
        """The page's script, style and fonts (textual-serve's static files), under the link's token too."""
        self.link_for(request)
        name = request.match_info["path"]
        if name == "js/textual.js":
            return web.Response(text=self.script, content_type="application/javascript")
        root = self.statics_path.resolve()
        path = (root / name).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            raise web.HTTPNotFound(text=f"postmortem: no file {name!r} here.\n")
        return web.FileResponse(path)

    def initialize_logging(self) -> None:
        """textual-serve's log, less the access log: it is noise, and it would print every token."""
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)

    def serve(self, debug: bool = False) -> None:
        """Listen until ctrl+c or SIGTERM; the links are printed once the port is taken (a port in use prints none).

        Stopping ends every tab's app the way closing the tab does, so each saves what was typed first.
        """
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        for number in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(number, self.request_exit)
        try:
            web.run_app(self._make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                        print=lambda *_: self.print_links())
        finally:
            for number in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(number)

    def print_links(self) -> None:
        """The links to share (plain lines: a terminal must not wrap them)."""
        print(f"postmortem serve: listening on {self.host}:{self.port}. Share these links (anyone with one gets in):",
              flush=True)
        for link in self.links:
            print(f"  {link.purpose}: {self.link_url(link)}", flush=True)
        print("Every browser tab is one participant, asked for their name. ctrl+c stops the server.", flush=True)


def tab_script(path: Path) -> str:
    """textual-serve's page script, opening downloads under the page's address (its token) instead of the root."""
    script = path.read_text(encoding="utf-8")
    if script.count(ROOT_DOWNLOAD) != 1:  # another textual-serve: downloads would leave the token behind
        raise PageScriptError(f"{path}: cannot find where the page opens a download, so downloads would not be "
                              "behind the join link (postmortem serve needs textual-serve 1.1.3)")
    return script.replace(ROOT_DOWNLOAD, TAB_DOWNLOAD)


def serve(location: Path | str, reviews: list[str], observe_only: bool, host: str, port: int,
          public_url: str | None) -> int:
    """Run the server until ctrl+c or SIGTERM; the archive reaches each tab's app through ``POSTMORTEM_DB``.

    (An environment variable, not ``--db`` on the tab's command line, where
    every user of the host could read a database URL's password.)
    """
    os.environ["POSTMORTEM_DB"] = str(location)
    server = JoinServer(make_links(reviews, observe_only), host, port, public_url and public_url.rstrip("/"))
    server.script = tab_script(server.statics_path / "js" / "textual.js")  # refused before anything listens
    server.serve()
    return 0
