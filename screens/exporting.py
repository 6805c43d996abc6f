"""Export from any step: the written (or, on the summary, the client) summary to a file.

A mixin of :class:`screens.step.StepScreen`, so "export" is found in the
command palette on every step; the summary step adds F4 and the client view.
"""

from __future__ import annotations

from pathlib import Path

from store.checks import check_report
from store.render import client_warnings, render_client, render_markdown
from store.review_status import on_summary


class Exporting:
    """Ask for a path, ask before replacing a file, write the summary shown."""

    client_view = False  # the summary step switches it with F3

    def action_export(self) -> None:
        from screens.dialogs import PromptDialog

        suffix = "client" if self.client_view else "summary"
        default = str(Path.cwd() / f"{self.review.id}-{suffix}.md")
        self.app.push_screen(PromptDialog("Export to file:", default), self.export_to)

    def export_to(self, path: str | None) -> None:
        """Write the shown summary to ``path``, asking before replacing a file that exists."""
        if not path:
            return
        target = Path(path).expanduser()
        if target.exists():
            from screens.dialogs import ConfirmDialog

            question = f"{target} exists. Replace it with this summary?"
            self.app.push_screen(
                ConfirmDialog(question, confirm_label="Replace"),
                lambda replace: self.write_export(target) if replace else None,
            )
            return
        self.write_export(target)

    def write_export(self, target: Path) -> None:
        """Write the shown summary; a failure names the file."""
        self.move_status_forward()  # before rendering, so the summary says the status it moved to
        self.app.flush_now()
        text = render_client(self.review) if self.client_view else render_markdown(self.review)
        try:
            target.write_text(text, encoding="utf-8")
        except OSError as error:
            self.app.notify(f"Could not write {target}: {error.strerror or error}", severity="error", markup=False)
            return
        errors = sum(1 for found in check_report(self.review).values() for p in found if p.level == "error")
        warning = f" (the review still has {errors} check error(s))" if errors else ""
        lacking = client_warnings(self.review) if self.client_view else []
        if lacking:
            warning += "; but " + "; ".join(lacking)
        self.app.notify(f"Exported to {target}{warning}", markup=False, severity="warning" if lacking else "information")

    def move_status_forward(self) -> None:
        """Reaching or exporting the summary with every step passing puts a draft in review (store.review_status)."""
        changes = on_summary(self.review)
        if changes and not self.app.live.observing and not self.app.store.read_only:
            self.send(*changes)
