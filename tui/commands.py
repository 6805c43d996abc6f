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
        commands = getattr(self.screen, "palette_commands", None)
        return list(commands()) if commands else []

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
