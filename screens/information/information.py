"""Village information: the APBDes budget as a bar chart (planned against realised per
sector), projects with their progress and first photo, and announcements. Public data:
nothing personal. Photos arrive after the rest, already shrunk to their slot (the router asks
the session for each and ``thumbnails`` fits it, both off this thread), so the screen shows at
once and fills its photo slots as they come."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.graphics import Color, Rectangle
from kivy.graphics.texture import Texture
from kivy.properties import ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.progressbar import ProgressBar
from kivy.uix.widget import Widget

from central.contract.services import BudgetLine, VillageInformation
from screens.base import KioskScreen, load_rules
from screens.information.thumbnails import Thumbnail
from screens.text import pick, word
from screens.widgets.paragraph import paragraph

PLANNED = (0.55, 0.55, 0.55, 1.0)  # grey bar: what the budget planned
REALISED = (1.0, 0.84, 0.0, 1.0)  # yellow bar over it: what was spent
PHOTO_ROW_TARGETS = 2  # a project with a photo: its row is two touch targets tall
PHOTO_ASPECT = 1.5  # the photo's slot: 3:2, as the centre's landscape photos


class BudgetBar(Widget):
    """One sector's planned (grey) and realised (yellow) bars, scaled to the largest plan."""

    def __init__(self, line: BudgetLine, largest: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._line, self._largest = line, max(largest, 1)
        self.bind(pos=self._draw, size=self._draw)

    def _draw(self, *_args: Any) -> None:
        self.canvas.clear()
        planned = self.width * self._line.planned / self._largest
        realised = self.width * min(self._line.realised, self._largest) / self._largest
        with self.canvas:
            Color(*PLANNED)
            Rectangle(pos=self.pos, size=(planned, self.height))
            Color(*REALISED)
            Rectangle(pos=(self.x, self.y + self.height * 0.25), size=(realised, self.height / 2))


class ProjectPhoto(Image):
    """A project's first photo beside its progress bar, blank until it has arrived."""

    def show(self, photo: Thumbnail | None) -> None:
        if photo is None:
            self.texture = None
            return
        texture = Texture.create(size=(photo.width, photo.height), colorfmt="rgba")
        texture.blit_buffer(photo.rgba, colorfmt="rgba", bufferfmt="ubyte")
        texture.flip_vertical()  # the thumbnail's rows run top-down, GL's bottom-up
        self.texture = texture


class InformationScreen(KioskScreen):
    information = ObjectProperty(None, allownone=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._photos: dict[str, Thumbnail] = {}  # project id -> its first photo, as it arrived
        self._photo_slots: dict[str, ProjectPhoto] = {}

    def loading(self) -> None:
        self.information = None
        self._photos = {}
        self._photo_slots = {}
        self.ids.body.clear_widgets()

    def wanted_photos(self) -> list[tuple[str, str]]:
        """(project id, photo id) of each project's first photo: what the router asks the
        session for (off this thread) once the information is shown."""
        if self.information is None:
            return []
        return [(p.id, p.photo_ids[0]) for p in self.information.projects if p.photo_ids]

    @staticmethod
    def photo_slot_px() -> tuple[int, int]:
        """A photo slot's width and height in pixels: what each photo is shrunk to."""
        height = App.get_running_app().sizes.target * PHOTO_ROW_TARGETS
        return round(height * PHOTO_ASPECT), round(height)

    def photo_arrived(self, project_id: str, photo: Thumbnail | None) -> None:
        """A photo from the session's thread, delivered on this one; one for a screen since
        left or refilled is kept only if its project is still shown."""
        slot = self._photo_slots.get(project_id)
        if photo is None or slot is None:
            return
        self._photos[project_id] = photo
        slot.show(photo)

    def show(self, information: VillageInformation | None) -> None:
        self.information = information
        self._fill(App.get_running_app().language)

    def on_pre_enter(self, *_args: Any) -> None:
        App.get_running_app().bind(language=self._relabel)

    def on_leave(self, *_args: Any) -> None:
        App.get_running_app().unbind(language=self._relabel)

    def _relabel(self, _app: Any, language: str) -> None:
        self._fill(language)

    def _fill(self, language: str) -> None:
        app = App.get_running_app()
        sizes = app.sizes
        body = self.ids.body
        body.clear_widgets()

        def label(text: str, size: int, **kwargs: Any) -> Label:
            return paragraph(text, size, sizes.gap, **kwargs)

        info = self.information
        if info is None:
            body.add_widget(label(word("info.offline", language), sizes.body))
            return
        for budget in info.budgets[:1]:
            body.add_widget(label(f"{word('info.budget', language)} {budget.year}", sizes.title))
            largest = max((line.planned for line in budget.lines), default=1)
            for line in budget.lines:
                body.add_widget(label(pick(line.sector, language), sizes.small))
                body.add_widget(BudgetBar(line, largest, size_hint_y=None, height=sizes.target / 2))
        if info.projects:
            body.add_widget(label(word("info.projects", language), sizes.title))
        self._photo_slots = {}
        for project in info.projects:
            height = sizes.target * (PHOTO_ROW_TARGETS if project.photo_ids else 1)
            row = BoxLayout(size_hint_y=None, height=height, spacing=sizes.gap)
            name = f"{project.name} ({project.progress_pct}%)"
            row.add_widget(label(name, sizes.small, pos_hint={"center_y": 0.5}))  # beside its bar
            row.add_widget(ProgressBar(max=100, value=project.progress_pct))
            if project.photo_ids:
                slot = ProjectPhoto(size_hint_x=None, width=height * PHOTO_ASPECT)
                slot.show(self._photos.get(project.id))
                self._photo_slots[project.id] = slot
                row.add_widget(slot)
            body.add_widget(row)
        if info.announcements:
            body.add_widget(label(word("info.announcements", language), sizes.title))
        for announcement in info.announcements:
            body.add_widget(label(pick(announcement.title, language), sizes.body, bold=True))
            body.add_widget(label(pick(announcement.body, language), sizes.small))


load_rules(__name__)
