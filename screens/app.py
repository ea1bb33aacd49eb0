"""The touchscreen app: the screens attached to a running kiosk core as one more observer.

The app never runs the session itself: it is handed the core's ``SessionOwner`` and talks to
it through ``SessionBridge`` (events in on Kivy's clock, intents out as posts). Kivy's window
settings must be chosen before the window exists, so ``screens.main`` sets them and only
then imports this module.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

import screens.widgets  # noqa: F401  (registers the kit's classes and rules)
from central.contract.models import LocalizedText
from kiosk.maintenance import Maintenance
from kiosk.session.owner import SessionOwner
from kiosk.technician import TechnicianGate
from kiosk.tray import PreviewSlot
from screens import theme
from screens.attract.attract import AttractScreen  # noqa: F401  (each import loads its .kv)
from screens.bansos.bansos import BansosScreen  # noqa: F401
from screens.bridge import SessionBridge
from screens.collect.collect import CollectScreen  # noqa: F401
from screens.done.done import DoneScreen  # noqa: F401
from screens.form.form import FormScreen  # noqa: F401
from screens.identify.identify import IdentifyScreen  # noqa: F401
from screens.information.information import InformationScreen  # noqa: F401
from screens.keys import KeyMap, KeyNavigator
from screens.language.language import LanguageScreen  # noqa: F401
from screens.maintenance.maintenance import MaintenanceScreen
from screens.menu.menu import MenuScreen  # noqa: F401
from screens.out_of_service.out_of_service import OutOfServiceScreen  # noqa: F401
from screens.phone.phone import PhoneScreen  # noqa: F401
from screens.photo.photo import PhotoScreen  # noqa: F401
from screens.pin.pin import PinScreen  # noqa: F401
from screens.progress.progress import ProgressScreen  # noqa: F401
from screens.requests.requests import RequestsScreen  # noqa: F401
from screens.review.review import ReviewScreen  # noqa: F401
from screens.router import Router
from screens.scan.scan import ScanScreen  # noqa: F401
from screens.speech.speaker import Speaker
from screens.status.status import StatusScreen  # noqa: F401
from screens.text import pick, word
from screens.text_pictures import drop_text_surfaces
from screens.widgets.unseen import skip_drawing_unseen

LONG_PRESS_S = 5.0  # on the top-left corner: the technician's way in (then their PIN)


class KioskRoot(FloatLayout):
    """The window's one child: the screens, the language button, toasts and the countdown."""

    def on_touch_down(self, touch: Any) -> bool:
        app = App.get_running_app()
        app.router.touched()
        corner = app.sizes.big_target
        if touch.x <= self.x + corner and touch.y >= self.top - corner:
            Clock.schedule_once(self._long_press, LONG_PRESS_S)
        return bool(super().on_touch_down(touch))

    def on_touch_up(self, touch: Any) -> bool:
        Clock.unschedule(self._long_press)
        return bool(super().on_touch_up(touch))

    def _long_press(self, _dt: float) -> None:
        App.get_running_app().router.open_technician()


Builder.load_file(str(Path(__file__).with_name("app.kv")))


class KioskApp(App):
    language = StringProperty("id")
    landscape = BooleanProperty(True)
    demo = BooleanProperty(False)
    sizes = ObjectProperty(None, rebind=True)  # replaced whole by the text-size toggle
    speaker = ObjectProperty(None)  # the speaker button follows its ``enabled``

    def __init__(
        self,
        owner: SessionOwner,
        *,
        language: str = "id",
        dpi: float = 96.0,
        landscape: bool = True,
        demo: bool = False,
        preview: PreviewSlot | None = None,
        speaker: Speaker | None = None,
        keymap: KeyMap | None = None,
        maintenance: Maintenance | None = None,
        gate: TechnicianGate | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.title = "Anjungan"
        self.owner = owner
        self.default_language = language
        self.language = language
        self.sizes = theme.Sizes(dpi)
        self.theme = theme
        self.landscape = landscape
        self.demo = demo
        self.preview = preview  # the scanner's latest tray picture (None: no camera)
        self.speaker = speaker or Speaker(None)  # None: a silent app (tests, no espeak-ng)
        self.keymap = keymap
        self.maintenance = maintenance  # None: the technician sees no devices (tests)
        self.gate = gate or TechnicianGate(None)
        self.router: Router | None = None
        self.keys: KeyNavigator | None = None

    @staticmethod
    def word(key: str, language: str) -> str:
        return word(key, language)

    @staticmethod
    def pick(text: LocalizedText | None, language: str) -> str:
        return pick(text, language)

    def toggle_text_size(self) -> None:
        scale = 1.0 if self.sizes.text_scale > 1.0 else theme.LARGE_TEXT
        self.sizes = theme.Sizes(self.sizes.dpi, scale)

    def build(self) -> KioskRoot:
        Window.clearcolor = theme.BACKGROUND  # cleared, not painted: a fill costs a frame
        drop_text_surfaces()
        root = KioskRoot()
        self.router = Router(self, SessionBridge(self.owner), root)
        manager = root.ids.manager
        manager.get_screen("scan").ids.preview.slot = self.preview
        manager.get_screen("photo").ids.preview.slot = self.preview
        technician: MaintenanceScreen = manager.get_screen("maintenance")
        technician.tools, technician.gate = self.maintenance, self.gate
        technician.ids.preview.slot = self.preview
        manager.get_screen("status").ids.preview.slot = self.preview
        self.router.start()
        self.keys = KeyNavigator(root, self.router, self.keymap)
        self.keys.attach()
        skip_drawing_unseen(root)
        return root

    def on_stop(self) -> None:
        if self.router is not None:
            self.router.stop()
        if self.keys is not None:
            self.keys.detach()
        self.speaker.close()
        if self.root is not None:
            self.root.ids.manager.get_screen("maintenance").close()


def make_appliance() -> None:
    """A kiosk, not a desktop program: no cursor, and closing the window does nothing."""
    Window.show_cursor = False
    Window.bind(on_request_close=lambda *_args, **_kwargs: True)
