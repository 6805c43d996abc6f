"""Benchmark (not a test): ten browser tabs join one review through `postmortem serve` at once.

Prints how long until every tab is in the session, and the memory of each
tab's app process (RSS, and PSS: its share of pages shared with others)
against one terminal participant's app process on the same review, measured
in the same run.  Needs Debian's chromium and chromium-driver.

    .venv/bin/python tests/bench_serve.py [--tabs 10]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from browser import Browser, Server, why_no_browser  # noqa: E402
from test_hangup import Terminal  # noqa: E402
from tui_helpers import complete_review, seed  # noqa: E402


def memory_kib(pid: int) -> tuple[int, int]:
    """A process's resident memory and proportional share of it, in KiB."""
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmRSS:"))
    pss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
               if line.startswith("Pss:"))
    return rss, pss


def present(db: Path, review_id: str) -> list:
    from store.db import ReviewStore

    return ReviewStore(db).present(review_id)


def wait(condition, seconds: float, terminal: Terminal, what: str) -> float:
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            raise SystemExit(f"gave up waiting for {what}")
        terminal.read(0.05)
    return time.monotonic() - start


def open_tabs(browser: Browser, url: str, count: int) -> list[str]:
    """Open ``count`` tabs on ``url`` at once (each its own app process); their window handles."""
    handles = [browser.driver.current_window_handle]
    browser.driver.get(url)
    for _ in range(count - 1):
        browser.driver.switch_to.new_window("tab")
        browser.driver.get(url)
        handles.append(browser.driver.current_window_handle)
    return handles


def name_each(browser: Browser, handles: list[str]) -> None:
    """Each tab's participant gives a name (the first screen of a browser tab)."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    for number, handle in enumerate(handles, 1):
        browser.driver.switch_to.window(handle)
        deadline = time.monotonic() + 60
        while True:
            try:
                browser.driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
                break
            except Exception:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        time.sleep(0.5)  # let the app draw its name dialog before the keys arrive
        browser.type(f"Tab {number}")
        browser.type(Keys.ENTER)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tabs", type=int, default=10)
    args = parser.parse_args()
    reason = why_no_browser()
    if reason:
        print(f"cannot run: {reason}")
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-serve-"))
    db = work / "archive"
    review_id = seed(db, dict(complete_review("impact"), impact=""))
    server = Server(db, "--review", review_id)
    terminal = Terminal(db, ("open", review_id, "--as", "Lee"))
    browser = Browser(work / "browser", record=False)
    try:
        terminal.wait_for("Who and what was affected")
        wait(lambda: len(present(db, review_id)) == 1, 30, terminal, "the terminal participant")
        started = time.monotonic()
        handles = open_tabs(browser, server.links[f"join {review_id}"], args.tabs)
        opened = time.monotonic() - started
        name_each(browser, handles)
        wait(lambda: len(present(db, review_id)) == args.tabs + 1, 120, terminal, "every tab in the session")
        joined = time.monotonic() - started
        for _ in range(60):  # settle: a few heartbeats, every screen drawn
            terminal.read(0.05)
        tabs = server.app_processes()
        per_tab = [memory_kib(pid) for pid in tabs]
        alone = memory_kib(terminal.pid)
        serving = memory_kib(server.process.pid)
    finally:
        browser.close()
        terminal.close()
        server.close()

    rss = [value[0] for value in per_tab]
    pss = [value[1] for value in per_tab]
    print(f"{args.tabs} tabs opened in {opened:.1f} s; all {args.tabs} named and in the session after {joined:.1f} s")
    print(f"app processes started by serve: {len(tabs)} (one per tab)")
    print(f"{'':32}{'RSS MiB':>10}{'PSS MiB':>10}")
    print(f"{'terminal participant (reference)':32}{alone[0] / 1024:>10.1f}{alone[1] / 1024:>10.1f}")
    print(f"{'browser tab, median':32}{statistics.median(rss) / 1024:>10.1f}{statistics.median(pss) / 1024:>10.1f}")
    print(f"{'browser tab, largest':32}{max(rss) / 1024:>10.1f}{max(pss) / 1024:>10.1f}")
    print(f"{'the serve process itself':32}{serving[0] / 1024:>10.1f}{serving[1] / 1024:>10.1f}")
    print(f"per tab / terminal: RSS {statistics.median(rss) / alone[0]:.2f}x, PSS {statistics.median(pss) / alone[1]:.2f}x; "
          f"all {len(tabs)} tabs: {sum(rss) / 1024:.0f} MiB RSS, {sum(pss) / 1024:.0f} MiB PSS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
