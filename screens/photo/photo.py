"""A complaint's optional photo: "Add a photo?", then the camera's live picture, the shutter,
the still to keep or take again; or skip.

The picture is the scan's (``TrayPreview`` on the scanner's ``PreviewSlot``). The viewfinder
runs on the session's owner thread (``Session.photograph``); the shutter the router hands it
is pressed from here, so "Take photo" and "Cancel" act at once even though the owner is busy.
Three modes, one row of three buttons whose meaning follows the mode:

- ``ask``: Back · Skip · Yes, add a photo
- ``viewfinder``: Cancel · — · Take photo (``taking`` until the still arrives)
- ``still``: Take it again · — · Use this photo
"""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, OptionProperty

from screens.base import KioskScreen, load_rules


class PhotoScreen(KioskScreen):
    mode = OptionProperty("ask", options=["ask", "viewfinder", "still"])
    taking = BooleanProperty(False)  # the shutter is pressed; the still is on its way

    def show_step(self) -> None:
        self._to("ask")

    def _to(self, mode: str) -> None:
        self.mode, self.taking = mode, False
        if mode == "ask":
            self.ids.preview.clear()  # nothing of a picture under the question

    def closed(self, taken: bool) -> None:
        """The viewfinder ended: the still is shown, or back to the question."""
        if self.mode == "viewfinder":
            self._to("still" if taken else "ask")

    def left_button(self) -> None:
        router: Any = App.get_running_app().router
        if self.mode == "ask":
            router.back()
        elif self.mode == "viewfinder":
            router.close_viewfinder()
        else:  # take it again
            self._to("viewfinder")
            router.photograph()

    def middle_button(self) -> None:
        if self.mode == "ask":
            App.get_running_app().router.skip_photo()

    def right_button(self) -> None:
        router: Any = App.get_running_app().router
        if self.mode == "ask":
            self._to("viewfinder")
            router.photograph()
        elif self.mode == "viewfinder":
            self.taking = True
            router.take_photo()
        else:
            router.keep_photo()

    def on_enter(self, *_args: Any) -> None:
        self.ids.preview.start()

    def on_leave(self, *_args: Any) -> None:
        self.ids.preview.stop()
        App.get_running_app().router.close_viewfinder()  # the owner is not left watching

    def forget(self) -> None:
        self._to("ask")


load_rules(__name__)
