"""The command palette's main actions, offered by whichever screen is showing.

A screen lists its actions in ``palette_commands()`` as (name, callback, help)
tuples; this provider only searches them, so the palette and the key bindings
call the very same methods.
"""

from __future__ import annotations

from textual.command import DiscoveryHit, Hit, Hits, Provider


class ReviewCommands(Provider):
    """Commands of the current screen: next step, go to a step, export, new review ..."""

    def _commands(self) -> list[tuple[str, object, str]]:
        screen = self.screen
        commands = getattr(screen, "palette_commands", None)
        return [(name, _while_showing(screen, callback), help_text) for name, callback, help_text in
                (commands() if commands else [])]

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """Match the name first, else the help words ("timer" finds "Pause or resume the timer")."""
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name) or matcher.match(help_text) / 2
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


def _while_showing(screen, callback):
    """``callback``, run once, and only while ``screen`` is still the one shown.

    Keys typed at once (ctrl+p, Enter, Enter) can choose a command twice; the
    second must not act again, nor on a screen the first one replaced.
    """
    ran = False

    def run() -> None:
        nonlocal ran
        if not ran and screen.is_attached and screen.app.screen is screen:
            ran = True
            screen.call_next(callback)  # through Textual's invoke, which awaits an async action

    return run
