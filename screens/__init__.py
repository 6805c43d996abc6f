"""The screens: home, one module per step, and the dialogs."""

from __future__ import annotations


def step_screen(step: str) -> type:
    """The screen class that shows ``step`` (imported on demand to keep start-up fast)."""
    from screens.actions import ActionsScreen
    from screens.could_improve import CouldImproveScreen
    from screens.five_whys import FiveWhysScreen
    from screens.impact import ImpactScreen
    from screens.setup import SetupScreen
    from screens.summary import SummaryScreen
    from screens.timeline import TimelineScreen
    from screens.went_well import WentWellScreen

    return {
        "setup": SetupScreen,
        "timeline": TimelineScreen,
        "impact": ImpactScreen,
        "five_whys": FiveWhysScreen,
        "went_well": WentWellScreen,
        "could_improve": CouldImproveScreen,
        "actions": ActionsScreen,
        "summary": SummaryScreen,
    }[step]
