"""Social assistance (bansos): every programme with the signed-in resident's standing in it,
an "Apply for …" button for those the resident may choose, and for the others the reason in
plain words ("your NIK is already enrolled in PKH, which helps with the same need").

The list is the session's (``Session.bansos_choices``, asked through the bridge when the
programme step shows); the rule behind it is ``kiosk.session.bansos``. Choosing answers the
step like any choice, so review, submission and the outbox are the usual ones; the centre
still refuses what breaks its rule, and that refusal reaches the review as a notice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label

from kiosk.session.bansos import BansosChoice, Blocked, Standing
from screens.base import KioskScreen, load_rules
from screens.text import WORDS, pick, word
from screens.widgets import BigButton
from screens.widgets.paragraph import paragraph


def _day(day: date | None) -> str:
    return day.strftime("%d-%m-%Y") if day is not None else ""


def need(cluster: str, language: str) -> str:
    """A cluster as the need it pays for ("pangan" → "food"); an unknown one as it is."""
    key = f"bansos.need.{cluster}"
    return word(key, language) if key in WORDS else cluster


def standing_text(choice: BansosChoice, language: str) -> str:
    """Where the resident stands in this programme."""
    if choice.standing is Standing.NONE:
        return word("bansos.standing.none", language)
    key = f"bansos.standing.{choice.standing.value}"
    return word(key, language).format(since=_day(choice.since))


def blocked_text(choice: BansosChoice, language: str) -> str:
    """Why the programme cannot be chosen here, or '' when it can."""
    if choice.blocked is None:
        return ""
    text = word(f"bansos.blocked.{choice.blocked.value}", language)
    if choice.blocked is not Blocked.CLUSTER_TAKEN:
        return text
    held = choice.held_status or Standing.ACTIVE
    status = word(f"bansos.held.{held.value}", language)
    program = pick(choice.held_by, language)
    return text.format(program=program, status=status, need=need(choice.cluster, language))


class BansosScreen(KioskScreen):
    choices = ObjectProperty(None, allownone=True)  # tuple[BansosChoice, ...] | None
    loaded = BooleanProperty(False)

    def loading(self) -> None:
        self.choices, self.loaded = None, False
        self.ids.body.clear_widgets()

    def show(self, choices: tuple[BansosChoice, ...] | None) -> None:
        self.choices, self.loaded = choices, True
        self._fill(App.get_running_app().language)

    def on_pre_enter(self, *_args: Any) -> None:
        App.get_running_app().bind(language=self._relabel)

    def on_leave(self, *_args: Any) -> None:
        App.get_running_app().unbind(language=self._relabel)

    def _relabel(self, _app: Any, language: str) -> None:
        if self.loaded:
            self._fill(language)

    def _fill(self, language: str) -> None:
        app = App.get_running_app()
        sizes = app.sizes
        body = self.ids.body
        body.clear_widgets()

        def label(text: str, size: int, **kwargs: Any) -> Label:
            return paragraph(text, size, sizes.gap, **kwargs)

        if self.choices is None:
            body.add_widget(label(word("bansos.offline", language), sizes.body))
            return
        for choice in self.choices:
            card = BoxLayout(orientation="vertical", size_hint_y=None, spacing=sizes.gap / 2)
            card.bind(minimum_height=card.setter("height"))
            card.add_widget(label(pick(choice.name, language), sizes.body, bold=True))
            card.add_widget(label(standing_text(choice, language), sizes.small))
            if choice.can_apply:
                name = pick(choice.name, language)
                button = BigButton(text=f"{word('bansos.apply', language)} {name}")
                button.program_id = choice.program_id
                button.bind(on_release=lambda b, shown=name: app.router.answer(b.program_id, shown))
                card.add_widget(button)
            else:
                why = label(blocked_text(choice, language), sizes.small)
                why.color = app.theme.MUTED
                card.add_widget(why)
            body.add_widget(card)

    def forget(self) -> None:
        self.loading()


load_rules(__name__)
