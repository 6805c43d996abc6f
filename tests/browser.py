"""A real headless Chromium (Debian's chromium and chromium-driver, driven by selenium), and `postmortem serve`.

For the browser tests and the serve benchmark.  The page draws the app on a
canvas, so what the app sent is read where it arrives: a script added before
the page loads keeps every websocket frame, and :attr:`Browser.text` is that
output with the escape sequences removed, as a pty test reads a terminal.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots of the latest run (ignored by git)
ESCAPES = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_=>])")
# Without the background-networking flags Chromium dials out, and a closed network refuses it.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1000,700")
RECORD_OUTPUT = """
window.__shown = [];
window.__size = null;
const Native = window.WebSocket;
window.WebSocket = function (...args) {
  const socket = new Native(...args);
  const asked = new URL(args[0]).searchParams;
  window.__size = [Number(asked.get("width")), Number(asked.get("height"))];
  const decoder = new TextDecoder();
  socket.addEventListener("message", (event) => {
    if (typeof event.data !== "string") window.__shown.push(decoder.decode(event.data, {stream: true}));
  });
  return socket;
};
window.WebSocket.prototype = Native.prototype;
Object.assign(window.WebSocket, {OPEN: 1, CLOSED: 3, CONNECTING: 0, CLOSING: 2});
"""


def why_no_browser() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed (pip install -e '.[test]')"
    missing = [name for name in ("chromium", "chromedriver") if not shutil.which(name)]
    if missing:
        return (f"no {' or '.join(missing)} on PATH (Debian: apt-get install chromium chromium-driver; "
                ".ci/run installs them)")
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """``postmortem serve`` in a process of its own; its join links as it printed them."""

    def __init__(self, db: Path | str, *flags: str) -> None:
        self.port = free_port()
        env = {key: value for key, value in os.environ.items() if not key.startswith(("TEXTUAL", "PYTEST"))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tui.cli", "--db", str(db), "serve", "--port", str(self.port), *flags],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.links: dict[str, str] = {}
        self.output = ""
        deadline = time.monotonic() + 60
        while "ctrl+c stops the server" not in self.output:
            line = self.process.stdout.readline()
            if not line or time.monotonic() > deadline:
                raise AssertionError(f"serve did not start:\n{self.output}{line}")
            self.output += line
            if ": http://" in line:
                purpose, url = line.strip().rsplit(": ", 1)
                self.links[purpose] = url

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def app_processes(self) -> list[int]:
        """The app processes the server started (one per open tab)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stdout.close()


class Browser:
    """One headless Chromium with a fresh profile, downloading into ``downloads`` without asking."""

    def __init__(self, workdir: Path, record: bool = True) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        self.downloads = workdir / "downloads"
        self.downloads.mkdir(parents=True, exist_ok=True)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium")
        for flag in FLAGS:
            options.add_argument(flag)
        options.add_argument(f"--user-data-dir={workdir / 'profile'}")
        options.add_experimental_option("prefs", {"download.default_directory": str(self.downloads),
                                                  "download.prompt_for_download": False})
        options.set_capability("goog:loggingPrefs", {"performance": "ALL"})  # every request, for requested()
        self.driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
        self.driver.set_page_load_timeout(60)
        if record:
            self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORD_OUTPUT})
        self._mark = 0
        self._requested: list[str] = []
        self._screen = self._stream = None  # the tab's screen, fed as output arrives (see screen)
        self._fed = 0

    def open(self, url: str) -> None:
        self.driver.get(url)

    @property
    def page_text(self) -> str:
        from selenium.webdriver.common.by import By

        return self.driver.find_element(By.TAG_NAME, "body").text

    @property
    def text(self) -> str:
        """What the app drew in this tab so far, escape sequences removed."""
        shown = self.driver.execute_script("return (window.__shown || []).join('')")
        return ESCAPES.sub("", shown)

    def screen(self) -> str:
        """The tab's screen as it shows now (its lines), from everything the app drew into it.

        ``text`` holds what was drawn, in order; a line that changed in one
        character is redrawn as that character, so a count is read here.
        """
        import pyte

        if self._screen is None:
            columns, rows = self.driver.execute_script("return window.__size") or (80, 24)
            self._screen = pyte.Screen(columns, rows)
            self._stream = pyte.Stream(self._screen)
        new = self.driver.execute_script(f"return (window.__shown || []).slice({self._fed})")
        self._fed += len(new)
        self._stream.feed("".join(new))
        return "\n".join(line.rstrip() for line in self._screen.display)

    def wait_for_screen(self, wanted: str, timeout: float = 60.0, while_waiting=lambda: time.sleep(0.05)) -> None:
        """Wait until the tab's screen shows ``wanted`` (``while_waiting`` is called between looks)."""
        start = time.monotonic()
        while wanted not in self.screen():
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{wanted!r} is not on the tab's screen; it shows:\n{self.screen()}")
            while_waiting()

    def mark(self) -> None:
        """From now on, ``wait_for`` only looks at what is drawn after this point."""
        self._mark = len(self.text)

    def wait_for(self, wanted: str, timeout: float = 60.0) -> float:
        """Wait until the app drew ``wanted`` since the last mark; the seconds it took."""
        start = time.monotonic()
        while wanted not in self.text[self._mark:]:
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{wanted!r} was never drawn in the browser; it showed:\n{self.text[-2000:]}")
            time.sleep(0.02)
        return time.monotonic() - start

    def type(self, keys: str) -> None:
        """Keys into the terminal in the page (xterm.js reads them from its hidden text area)."""
        from selenium.webdriver.common.by import By

        self.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea").send_keys(keys)

    def requested(self) -> list[str]:
        """Every address this browser asked for so far (pages, scripts, fonts, websockets), from its network log."""
        import json

        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                self._requested.append(message["params"]["request"]["url"])
            elif message["method"] == "Network.webSocketCreated":
                self._requested.append(message["params"]["url"])
        return list(self._requested)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def close(self) -> None:
        self.driver.quit()
