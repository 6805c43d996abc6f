"""The `postmortem` command: the TUI, and the non-interactive half (list, check, export, import).

The non-interactive commands never import Textual, so they start fast and run
anywhere.  Exit codes: 0 ok, 1 a check found errors, 2 bad usage or bad input;
every failure is one line on stderr that names the file, field or id.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from store.errors import StoreError, Unreachable
from store.model import REVIEW_STATUS_TITLES, review_number
from store.sanitize import clean_line, quote, visible

FORMATS = ("markdown", "client", "json", "csv")


class UsageError(Exception):
    """Bad input found by the command itself (a file that cannot be read, ...)."""


class _VersionAction(argparse.Action):
    """Print the version; importlib.metadata is imported only when asked (it is slow to load)."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("postmortem")
        except PackageNotFoundError:
            found = "unknown"
        print(f"postmortem {found}")
        parser.exit()


class _Parser(argparse.ArgumentParser):
    """argparse quotes some input raw (``unrecognized arguments: ...``): show control characters visibly."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {visible(message)}\n")


DB_HELP = ("the archive: a data directory, an old reviews.json, or a postgresql://user@host/dbname URL "
           "(default: $POSTMORTEM_DB or the user data dir)")


def build_parser() -> argparse.ArgumentParser:
    """The command's arguments; each subcommand maps to a ``cmd_<name>`` function."""
    parser = _Parser(
        prog="postmortem",
        description="Guide a team through a blameless post-mortem and keep the result.",
    )
    parser.add_argument("--db", metavar="PATH", help=DB_HELP)
    parser.add_argument("--version", action=_VersionAction, help="show the version and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    new = commands.add_parser("new", help="start a new review in the app, at setup")
    new.add_argument("--kind", choices=("incident", "project"), default="incident")
    new.add_argument("--title", default="")
    new.add_argument("--solo", action="store_true", help="work alone: the app interviews you")
    new.add_argument("--as", dest="name", metavar="NAME", help="your name in the review's live session (default: your login name)")

    opener = commands.add_parser("open", help="reopen a review in the app where it stopped")
    opener.add_argument("id")
    opener.add_argument("--solo", action="store_true", help="work alone: the app interviews you")
    _add_session_flags(opener)

    follow = commands.add_parser("follow-up", help="hold the 30-day follow-up of a review in the app")
    follow.add_argument("id")

    lister = commands.add_parser("list", help="one line per review")
    lister.add_argument("--json", action="store_true", help="print JSON")
    _add_list_filters(lister)

    check = commands.add_parser("check", help="every error and advisory, by step; exit 1 on errors")
    check.add_argument("id")
    check.add_argument("--json", action="store_true", help="print JSON")

    export = commands.add_parser("export", help="the written summary, client summary, JSON or CSV")
    export.add_argument("id")
    export.add_argument("--format", choices=FORMATS, default="markdown")
    export.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    export.add_argument("--names", action="store_true", help="keep participants' names in the client summary")

    importer = commands.add_parser("import", help="add reviews from interchange JSON; prints one id per review")
    importer.add_argument("files", metavar="FILE", nargs="+",
                          help="a JSON file holding one review, a list of reviews, or JSON lines; - for standard input")
    restorer = commands.add_parser("restore", help="replace a damaged review file with its last good backup")
    restorer.add_argument("id", nargs="?", help="the review (without it: an old single-file archive that did not open)")
    restorer.add_argument("--force", action="store_true",
                          help="restore even a file that is not damaged (undoes its last change)")

    recoverer = commands.add_parser("recover", help="apply the edits of a recovery file the app wrote when it "
                                    "could not save them (once, however often it is run)")
    recoverer.add_argument("file", metavar="FILE", help="the recovery file the app named when it ended")

    paste = commands.add_parser("timeline-import", help="add timeline events from pasted chat or log text")
    paste.add_argument("id")
    paste.add_argument("file", metavar="FILE", help="a text file, or - for standard input")
    paste.add_argument("--dry-run", action="store_true", help="show what would be added; add nothing")

    copier = commands.add_parser("copy", help="copy a whole archive into an empty one, ids kept "
                                 "(a data directory, an old reviews.json or a postgresql:// URL)")
    copier.add_argument("--from", dest="source", required=True, metavar="PATH_OR_URL", help="the archive to copy")
    copier.add_argument("--to", dest="target", required=True, metavar="PATH_OR_URL", help="an empty archive")

    _add_serve_parser(commands)

    stats = commands.add_parser("stats", help="time to detect and resolve, action completion, root-cause words")
    stats.add_argument("--json", action="store_true", help="print JSON")
    stats.add_argument("--kind", choices=("incident", "project"), help="only incident or only project reviews")
    for command in commands.choices.values():  # `postmortem open pm-3 --db PATH` works as well as before the command
        command.add_argument("--db", metavar="PATH", default=argparse.SUPPRESS, help=DB_HELP)
    return parser


def _add_session_flags(opener: argparse.ArgumentParser) -> None:
    opener.add_argument("--as", dest="name", metavar="NAME",
                        help="your name in the review's live session (default: your login name)")
    opener.add_argument("--observe", action="store_true", help="join the live session to watch: nothing can be changed")


def _add_serve_parser(commands) -> None:
    server = commands.add_parser("serve", help="the app in browsers, one participant per tab, behind secret join links")
    server.add_argument("--host", default="127.0.0.1",
                        help="the address to listen on (default 127.0.0.1: this host only; put a TLS proxy in front)")
    server.add_argument("--port", type=int, default=8000, help="the port to listen on (default 8000)")
    server.add_argument("--review", dest="reviews", metavar="ID", action="append", default=[],
                        help="serve only this review, with its own links (repeat for more)")
    server.add_argument("--observe", action="store_true", help="give read-only links only (needs --review)")
    server.add_argument("--public-url", metavar="URL",
                        help="the address browsers use, when a reverse proxy is in front (e.g. https://pm.example.com)")


def _db_path(args: argparse.Namespace) -> Path | str:
    """Where the archive is: a data directory, an old single file, or a postgresql:// URL."""
    from store.backend import configured_location

    return configured_location(args.db)


_OPENED: list = []  # every store the command opened, closed as it ends (a database's connections)


def _store(args: argparse.Namespace, location: str | Path | None = None):
    """The archive ``--db`` names (or ``location``)."""
    from store.backend import open_backend

    _OPENED.append(open_backend(location or _db_path(args)))
    return _OPENED[-1]


def _add_list_filters(lister: argparse.ArgumentParser) -> None:
    """``list``'s filters; a bad value is refused by argparse with a message naming the flag (exit 2)."""
    lister.add_argument("--due", action="store_true",
                        help="only reviews whose follow-up is due or overdue or that have overdue actions, and why")
    lister.add_argument("--search", metavar="TEXT", default="",
                        help="only reviews whose text holds every word of TEXT (any case)")
    lister.add_argument("--kind", choices=("incident", "project"))
    lister.add_argument("--severity", type=_severity_flag, metavar="SEV1..SEV4")
    lister.add_argument("--tag", type=_tag_flag, help="only reviews with this tag (any case)")
    lister.add_argument("--since", type=_date_flag, metavar="DATE", help="review date on or after DATE (YYYY-MM-DD)")
    lister.add_argument("--until", type=_date_flag, metavar="DATE", help="review date on or before DATE (YYYY-MM-DD)")
    lister.add_argument("--status", choices=("open", "done", "due"),
                        help="open: an action is open or slipped; done: none is; due: as --due")
    lister.add_argument("--review-status", type=_review_status_flag, metavar="STATUS",
                        help="only reviews in this review status: draft, in-review, reviewed or closed")


def _review_status_flag(value: str) -> str:
    from store.archive import QueryError, read_review_status

    try:
        return read_review_status(value)
    except QueryError:
        raise argparse.ArgumentTypeError(f"{quote(value)} is not one of draft, in-review, reviewed, closed") from None


def _severity_flag(value: str) -> str:
    from store.archive import QueryError, read_severity

    try:
        return read_severity(value)
    except QueryError:
        raise argparse.ArgumentTypeError(f"{quote(value)} is not one of SEV1, SEV2, SEV3, SEV4") from None


def _tag_flag(value: str) -> str:
    if not value.strip():
        raise argparse.ArgumentTypeError("give a tag, e.g. --tag database")
    return value.strip()


def _date_flag(value: str):
    from store.archive import QueryError, read_date

    try:
        return read_date("date", value)
    except QueryError:
        raise argparse.ArgumentTypeError(f"{quote(value)} is not a date like 2026-01-31") from None


def _listed(args: argparse.Namespace, today) -> list:
    """The summaries ``list`` prints: filtered, and only the due ones with ``--due``."""
    from store.archive import ArchiveQuery, is_due, search

    if args.since and args.until and args.since > args.until:
        raise UsageError(f"--since {args.since} is after --until {args.until}")
    query = ArchiveQuery(words=tuple(args.search.split()), kind=args.kind or "", severity=args.severity or "",
                         tag=args.tag or "", since=args.since, until=args.until, status=args.status or "",
                         review_status=args.review_status or "")
    store = _store(args)
    texts = store.search_texts() if query.words else None
    found = search(store.list_summaries(), query, today, texts)
    return [review for review in found if is_due(review, today)] if args.due else found


def cmd_list(args: argparse.Namespace) -> int:
    """Print the reviews, newest first; with ``--due`` only what needs doing, and why (exit 0 either way)."""
    from datetime import date

    from store.archive import due_reasons

    today = date.today()
    rows = [
        {
            "id": review.id,
            "title": review.title,
            "kind": review.kind,
            "step": review.step,
            "review_status": review.review_status,
            "updated": review.updated,
            "open_actions": review.open_actions,
            "follow_up": review.follow_up,
            "severity": review.severity,
            "review_date": review.review_date,
            "tags": list(review.tags),
            "due": due_reasons(review, today),
        }
        for review in _listed(args, today)
    ]
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    if args.due:
        for row in rows:
            print(f"{row['id']:<8} {clean_line(row['title']) or '(untitled)'}: {', '.join(row['due'])}")
        if not rows:
            print("Nothing due.")
        return 0
    if not rows:
        filtered = any(getattr(args, name) for name in ("search", "kind", "severity", "tag", "since", "until", "status",
                                                        "review_status"))
        print("No review matches." if filtered else "No reviews yet. Start one with: postmortem new")
        return 0
    print(f"{'ID':<8} {'KIND':<9} {'STEP':<14} {'STATUS':<10} {'UPDATED':<17} {'OPEN':>4}  TITLE")
    for row in rows:
        updated = row["updated"][:16].replace("T", " ")
        title = clean_line(row["title"])  # one line per review, whatever a hand-edited file holds
        status = REVIEW_STATUS_TITLES.get(row["review_status"], row["review_status"])
        print(f"{row['id']:<8} {row['kind']:<9} {row['step']:<14} {status:<10} {updated:<17} {row['open_actions']:>4}  {title}")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    """Print every problem by step; exit 1 when any is an error."""
    from store.checks import check_report, has_errors

    review = _store(args).get(args.id)
    sections = check_report(review)
    failed = any(has_errors(problems) for problems in sections.values())
    if args.json:
        payload = {
            "ok": not failed,
            "sections": {step: [p.to_dict() for p in problems] for step, problems in sections.items()},
        }
        print(json.dumps(payload, indent=2, ensure_ascii=False))
        return 1 if failed else 0
    for step, problems in sections.items():
        print(f"{step}: {'ok' if not problems else ''}".rstrip())
        for problem in problems:
            print(f"  {problem.level:<8} {problem.field}: {problem.message}")
            print(f"  {'':<8} hint: {problem.hint}")
    print(f"{review.id}: {'errors found' if failed else 'no errors'}")
    return 1 if failed else 0


def cmd_export(args: argparse.Namespace) -> int:
    """Render a review; warn on stderr (without failing) when its check has errors."""
    from store.checks import check_report
    from store.render import RENDERERS, client_warnings

    store = _store(args)
    review = store.get(args.id)
    if args.format in ("markdown", "client"):
        review = _summary_exported(store, review)
    text = RENDERERS[args.format](review, names=args.names)
    errors = sum(
        1 for problems in check_report(review).values() for p in problems if p.level == "error"
    )
    if errors:
        print(f"postmortem: warning: {review.id} has {errors} check error(s); see `postmortem check {review.id}`", file=sys.stderr)
    if args.format == "client":
        for warning in client_warnings(review):
            print(f"postmortem: warning: {review.id}: {warning}", file=sys.stderr)
    if args.output:
        _write_text(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0


def _summary_exported(store, review):
    """Exporting a summary of a draft whose steps all pass puts it in review (store.review_status).

    The status is a side effect of exporting, never a reason for an export to
    fail: a read-only archive exports the review as it is.
    """
    from store.review_status import on_summary

    changes = on_summary(review)
    if not changes or store.read_only:
        return review
    try:
        return store.apply(review.id, *changes).review
    except StoreError:
        return review


def _write_text(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from error


def _read_import(name: str) -> tuple[str, str]:
    """The text to import and the name to use for it in messages."""
    if name == "-":
        return sys.stdin.read(), "standard input"
    try:
        return Path(name).read_text(encoding="utf-8"), name
    except UnicodeDecodeError as error:
        raise UsageError(f"{name}: not UTF-8 text ({error.reason} at byte {error.start})") from error
    except OSError as error:
        raise UsageError(f"cannot read {name}: {error.strerror or error}") from error


def cmd_import(args: argparse.Namespace) -> int:
    """Read and check every review in every file first, then add each (one transaction each); print their ids.

    A bad file or review stops the command before anything is written.
    """
    from store.interchange import parse_documents

    if args.files.count("-") > 1:
        raise UsageError("- (standard input) can be given only once")
    documents = [document for name in args.files for document in parse_documents(*_read_import(name))]
    created = _store(args).create_many(documents)
    for count in range(len(documents)):
        try:
            review = next(created)
        except StoreError as error:
            if not count:
                raise
            raise UsageError(f"{error} (stopped after adding {count} of {len(documents)} reviews, "
                             "whose ids are printed above)") from error
        print(review.id, flush=True)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    """Put a review's last good backup in place (or an old single file's); the replaced file is kept beside it."""
    from store.db import archive_paths
    from store.single_file import restore_backup

    from store.backend import is_database_url

    if args.id or is_database_url(_db_path(args)):  # a database refuses, saying what to use instead
        store = _store(args)
        store.restore_backup(args.id, force=args.force)
        path = store.review_path(args.id)
    else:
        root, path = archive_paths(_db_path(args))
        if not path.exists() or (root / ".archive" / "archive.json").exists():
            raise UsageError("say which review to restore, e.g. `postmortem restore pm-3` (the error that sent you here names it)")
        restore_backup(path, force=args.force)
    print(f"restored {path} from its last good backup; the replaced file was kept beside it")
    return 0


def cmd_recover(args: argparse.Namespace) -> int:
    """Apply a recovery file's edits through the store, each batch once; print what was applied per review."""
    from tui.cli_recover import recover

    return recover(args, _store(args))


def cmd_timeline_import(args: argparse.Namespace) -> int:
    """Parse pasted text into events, print the preview, and add them unless --dry-run."""
    from tui.cli_timeline import timeline_import

    return timeline_import(args, _store(args), _read_import)


def cmd_stats(args: argparse.Namespace) -> int:
    """Print the archive's statistics."""
    from tui.cli_stats import stats

    return stats(args, _store(args))


def cmd_copy(args: argparse.Namespace) -> int:
    """Copy every review of one archive into another that holds none, ids and times kept.

    A damaged review in the source stops the copy before anything is written.
    """
    from store.backend import configured_location

    source, target = (_store(args, configured_location(value)) for value in (args.source, args.target))
    damaged = source.damaged()
    if damaged:
        review_id, why = damaged[0]
        raise UsageError(f"{review_id} in {source.location} is damaged ({why}); restore it first (nothing was copied)")
    docs = sorted(source.read_documents(dict), key=lambda doc: review_number(doc["id"]))
    target.copy_in(docs, source.next_id())
    print(f"copied {len(docs)} review(s) from {source.location} to {target.location}, ids kept")
    return 0


def cmd_tui(args: argparse.Namespace) -> int:
    """Start the app on home, a new review, or a saved review."""
    store = _store(args)
    if args.command in ("open", "follow-up"):
        store.get(args.id)  # an unknown id is a usage error before the screen opens
    first_list = None
    if args.command is None:  # the list is the first screen: read it while the app's modules load
        from tui.early_read import EarlyRead, versioned_list

        first_list = EarlyRead(lambda: versioned_list(store), in_thread=store.remote)
    from tui.app import run_app

    return run_app(store, args, first_list)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the app to browsers until ctrl+c; every review named must exist first."""
    if args.observe and not args.reviews:
        raise UsageError("--observe needs --review ID: an observer watches one review's session")
    if not 0 < args.port < 65536:
        raise UsageError(f"--port {args.port} is not a port (1 to 65535)")
    location = _db_path(args)
    store = _store(args, location)
    for review_id in args.reviews:
        store.get(review_id)  # an unknown id is refused before anything listens
    location = location.resolve() if isinstance(location, Path) else location  # the tabs' working directory may differ
    from tui.serve import PageScriptError, serve

    try:
        return serve(location, args.reviews, args.observe, args.host, args.port, args.public_url)
    except OSError as error:  # the port is taken, or the address is not this host's
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {error.strerror or error}") from error
    except PageScriptError as error:
        raise UsageError(str(error)) from error


COMMANDS = {
    "list": cmd_list,
    "check": cmd_check,
    "export": cmd_export,
    "import": cmd_import,
    "restore": cmd_restore,
    "recover": cmd_recover,
    None: cmd_tui,
    "new": cmd_tui,
    "open": cmd_tui,
    "follow-up": cmd_tui,
    "timeline-import": cmd_timeline_import,
    "stats": cmd_stats,
    "copy": cmd_copy,
    "serve": cmd_serve,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point: run one command and turn every expected failure into exit 2."""
    args = build_parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except (StoreError, UsageError) as error:
        return fail(str(error))
    except BrokenPipeError:
        return 0
    except Unreachable as error:  # a database that went away mid-command: the whole story, not "reconnecting"
        return fail(str(error))
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        return fail(f"cannot use{where}: {error.strerror or error}")
    finally:
        while _OPENED:
            _OPENED.pop().close()


def fail(message: str) -> int:
    """Every error of the command ends here: one line on stderr, input in it shown visibly; exit 2."""
    from store.backend import without_password

    print(f"postmortem: {visible(without_password(message))}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
