"""Export from any step: the written (or, on the summary, the client) summary to a file.

A mixin of :class:`screens.step.StepScreen`, so "export" is found in the
command palette on every step; the summary step adds F4 and the client view.
In a browser (``postmortem serve``) the file is delivered as a download
instead: the server's disk is not the participant's.
"""

from __future__ import annotations

import io
from pathlib import Path

from store.checks import check_report
from store.render import client_warnings, render_client, render_markdown
from store.review_status import on_summary


class Exporting:
    """Ask for a path, ask before replacing a file, write the summary shown."""

    client_view = False  # the summary step switches it with F3

    def action_export(self) -> None:
        from screens.dialogs import PromptDialog

        if self.app.is_web:  # a browser participant: the file goes to their browser, never onto the server's disk
            self.deliver_export()
            return
        default = str(Path.cwd() / self.export_name())
        self.app.push_screen(PromptDialog("Export to file:", default), self.export_to)

    def export_name(self) -> str:
        return f"{self.review.id}-{'client' if self.client_view else 'summary'}.md"

    def export_text(self) -> str:
        """The summary shown, written as it is stored now; a passing draft says "in review" (moved first)."""
        self.move_status_forward()
        self.app.flush_now()
        return render_client(self.review) if self.client_view else render_markdown(self.review)

    def deliver_export(self) -> None:
        """Send the shown summary to the browser as a download (textual-serve hands it over)."""
        name = self.export_name()
        self.app.deliver_text(io.StringIO(self.export_text()), save_filename=name, mime_type="text/markdown")
        self.say_exported(f"{name} is on its way to your browser's downloads")

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
        try:
            target.write_text(self.export_text(), encoding="utf-8")
        except OSError as error:
            self.app.notify(f"Could not write {target}: {error.strerror or error}", severity="error", markup=False)
            return
        self.say_exported(f"Exported to {target}")

    def say_exported(self, done: str) -> None:
        """Say where the export went, with what its reader should know: check errors left, what the client summary lacks."""
        errors = sum(1 for found in check_report(self.review).values() for p in found if p.level == "error")
        warning = f" (the review still has {errors} check error(s))" if errors else ""
        lacking = client_warnings(self.review) if self.client_view else []
        if lacking:
            warning += "; but " + "; ".join(lacking)
        self.app.notify(done + warning, markup=False, severity="warning" if lacking else "information")

    def move_status_forward(self) -> None:
        """Reaching or exporting the summary with every step passing puts a draft in review (store.review_status)."""
        changes = on_summary(self.review)
        if changes and not self.cannot_change():
            self.send(*changes)
