"""'Ambil surat / Collect a letter': the signed-in resident's finished letters (the letter's
type and the day it was ready, nothing else about them), one touch to print one on the A4
printer, and the outcome in the resident's words: take it from the printer, or collect it at
the village office when the printer could not (out of paper, jammed, door open, offline).

The session lists the letters (``LettersListed``) and says how it ended (``LetterCollected``);
printing shows the progress screen in between. The screen keeps the list only while the
session does, and forgets it when the session ends.
"""

from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty

from central.contract.collect import FinishedLetter
from central.contract.models import LocalizedText
from common.wib import to_wib
from screens.base import KioskScreen, load_rules
from screens.widgets import Tile


class LetterTile(Tile):
    """One finished letter: its type in the resident's language and the day it was ready
    (rule in collect.kv); pressing it prints it."""

    letter = ObjectProperty(None)
    ready_on = StringProperty("")  # 02-12-2026, in WIB like every date the kiosk shows


class CollectScreen(KioskScreen):
    finished = BooleanProperty(False)  # False: the list; True: how the printing ended
    printed = BooleanProperty(False)
    message = ObjectProperty(None, allownone=True)  # LocalizedText from the session

    def show_letters(self, letters: tuple[FinishedLetter, ...]) -> None:
        router = App.get_running_app().router
        tiles = self.ids.letters
        tiles.clear_widgets()
        for letter in letters:
            tile = LetterTile(letter=letter, ready_on=to_wib(letter.ready_at).strftime("%d-%m-%Y"))
            tile.bind(on_release=lambda t: router.collect(t.letter.tracking_code))
            tiles.add_widget(tile)
        self.finished = False
        self.message = None

    def drop(self, tracking_code: str) -> None:
        """The letter is on paper: it is no longer one to collect."""
        for tile in list(self.ids.letters.children):
            if tile.letter.tracking_code == tracking_code:
                self.ids.letters.remove_widget(tile)

    def show_outcome(self, printed: bool, message: LocalizedText | None) -> None:
        self.printed = printed
        self.message = message
        self.finished = True

    @property
    def has_letters(self) -> bool:
        return bool(self.ids.letters.children)

    def forget(self) -> None:
        self.ids.letters.clear_widgets()
        self.finished = False
        self.printed = False
        self.message = None


load_rules(__name__)
