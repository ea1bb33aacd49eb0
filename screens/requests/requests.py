""" "Permohonan saya / My requests": the signed-in resident's latest requests, each with its
tracking code, what it is, its status and its dates, as the centre lists them.

The list is asked of the session through the bridge (``Router.open_my_requests``) and arrives
through the clock; the screen only lays it out. It holds the resident's requests, so it
forgets them when the session ends and when it is left.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.label import Label
from kivy.utils import escape_markup

from central.contract.models import LocalizedText
from central.contract.services import MyRequest, MyRequests
from common.wib import to_wib
from screens.base import KioskScreen, load_rules
from screens.text import pick, word


class RequestRow(Label):
    """One request: code and name, then status and dates (rule in requests.kv)."""

    request = ObjectProperty(None)

    @staticmethod
    def describe(request: MyRequest | None, language: str) -> str:
        """The row's text in ``language``: code and name, then status and dates (WIB)."""
        if request is None:
            return ""
        title = escape_markup(pick(request.title, language))  # the centre's words, not markup
        first = f"[b]{request.tracking_code}[/b] · {title}"
        dates = word("requests.dates", language).format(
            received=_day(request.received_at), updated=_day(request.updated_at)
        )
        return f"{first}\n{escape_markup(pick(request.status_label, language))} · {dates}"


class RequestsScreen(KioskScreen):
    loading = BooleanProperty(False)
    message = ObjectProperty(None, allownone=True)  # LocalizedText instead of a list
    listed = ObjectProperty(None, allownone=True)  # the MyRequests shown

    def wait(self) -> None:
        self.forget()
        self.loading = True

    def show(self, answer: MyRequests | LocalizedText) -> None:
        self.loading = False
        rows = self.ids.rows
        rows.clear_widgets()
        if isinstance(answer, LocalizedText):
            self.message, self.listed = answer, None
            return
        self.listed = answer
        self.message = None
        for request in answer.requests:
            rows.add_widget(RequestRow(request=request))

    def on_leave(self, *_args: Any) -> None:
        self.forget()

    def forget(self) -> None:
        self.loading = False
        self.message = None
        self.listed = None
        self.ids.rows.clear_widgets()

    @staticmethod
    def back() -> None:
        App.get_running_app().router.close_my_requests()


def _day(moment: datetime) -> str:
    return to_wib(moment).strftime("%d-%m-%Y")


load_rules(__name__)
