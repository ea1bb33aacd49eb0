"""Which screen shows, decided by the session's events; what a touch asks, posted as intents.

The router runs on the UI thread only (the bridge's dispatcher puts every event there), so its
few fields need no lock. It keeps nothing personal beyond what the screens show, and drops it
all when the session ends.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from kivy.clock import Clock

from central.contract.models import (
    FormField,
    LocalizedText,
    Service,
    ServiceKind,
    UnavailableReason,
)
from central.contract.services import Announcement, MyRequests, TrackedItem, VillageInformation
from common.phone import InvalidPhone, mask_phone
from kiosk.captured import Shutter
from kiosk.i18n import bilingual
from kiosk.session.events import (
    CardTapped,
    CountdownTick,
    LetterCollected,
    LettersListed,
    Notice,
    ReceiptReady,
    SessionEnded,
    StateChanged,
    StatusLookedUp,
    StepChanged,
    ViewfinderClosed,
)
from kiosk.session.flows import (
    NOTIFY_PHONE,
    PHOTO_STEP,
    notify_phone_prompt,
    takes_notify_phone,
)
from kiosk.session.machine import OUT_OF_SERVICE_TEXT, Session
from kiosk.session.states import State
from kiosk.tray import ScanGuidance
from screens.bridge import SessionBridge
from screens.information.thumbnails import Thumbnail, thumbnail
from screens.text import pick, word

WOKEN = ("language", "identify")  # the screens a touch shows before any session starts
LOCAL_IDLE_S = 45.0  # language or card screens left untouched (no session yet): back to attract
ANNOUNCEMENTS_EVERY_S = 15 * 60.0  # the attract's slides: news changes slowly
TOUCH_EVERY_S = 1.0  # the session's timer counts seconds: one touch intent a second is enough

# Screens by session state; SERVICE picks the form or the scan from the step.
SCREEN_FOR = {
    State.IDENTIFYING: "identify",
    State.VERIFYING_PIN: "pin",
    State.CHANGING_PIN: "pin",
    State.MENU: "menu",
    State.REVIEW: "review",
    State.SUBMITTING: "progress",
    State.PRINTING: "progress",
    State.DONE: "done",
    State.OUT_OF_SERVICE: "out_of_service",
}


class Router:
    def __init__(self, app: Any, bridge: SessionBridge, root: Any) -> None:
        self._app = app
        self._bridge = bridge
        self._root = root
        self._manager = root.ids.manager
        self.state = State.IDLE
        self._services: list[Service] = []
        self._service: Service | None = None
        self._answers: dict[str, tuple[str, str]] = {}  # step → (label, value) for the review
        self._step: StepChanged | None = None
        self._last_touch = 0.0
        self.maintaining = False  # the technician is in: the session's screens wait
        self._shutter: Shutter | None = None  # the complaint photo's viewfinder, while open

    def start(self) -> None:
        observe = self._bridge.observe
        observe(StateChanged, self._on_state)
        observe(StepChanged, self._on_step)
        observe(Notice, self._on_notice)
        observe(CountdownTick, self._on_countdown)
        observe(SessionEnded, self._on_ended)
        observe(ReceiptReady, self._on_receipt)
        observe(ScanGuidance, self._on_guidance)
        observe(CardTapped, self._on_card)
        observe(LettersListed, self._on_letters)
        observe(LetterCollected, self._on_collected)
        observe(StatusLookedUp, self._on_status_looked_up)
        observe(ViewfinderClosed, self._on_viewfinder)
        self._manager.bind(current=self._speak_screen)
        self._ask_state()
        self._announcements(0)
        Clock.schedule_interval(self._announcements, ANNOUNCEMENTS_EVERY_S)

    def stop(self) -> None:
        Clock.unschedule(self._announcements)
        self._manager.unbind(current=self._speak_screen)
        self._bridge.close()

    def screen(self, name: str) -> Any:
        return self._manager.get_screen(name)

    def show(self, name: str) -> None:
        self._manager.current = name

    # ------------------------------------------------------------------ events

    def _ask_state(self) -> None:
        """Show what the session is doing now (at start, and when the technician leaves)."""
        self._bridge.ask(
            lambda s: (s.state, s.availability.reason),
            lambda answer: self._answer_state(answer[0],
                                              answer[1].value if answer[1] else None),
        )

    def _answer_state(self, state: State, detail: str | None) -> None:
        """The asked state. The answer comes a few frames later; a resident who touched the
        attract screen meanwhile is choosing a language, and "idle", which the screens
        already assumed, must not send them back to the attract screen."""
        if state is State.IDLE and self.state is State.IDLE and self._manager.current in WOKEN:
            self._prepare_idle()
            return
        self._show_state(state, detail)

    def _on_state(self, event: StateChanged) -> None:
        self._show_state(event.state, event.detail)

    def _show_state(self, state: State, detail: str | None) -> None:
        self.state = state
        if self.maintaining or self._manager.current == "maintenance":
            return  # the technician's screen stays until they close it
        Clock.unschedule(self._local_timeout)
        if state is not State.SERVICE and state is not State.REVIEW:
            self._step = None
        if state is State.IDLE:
            self.to_attract()
            return
        if state is State.IDENTIFYING:
            self.screen("identify").nik_mode = True
        elif state in {State.VERIFYING_PIN, State.CHANGING_PIN}:
            self.screen("pin").prepare(changing=state is State.CHANGING_PIN)
        elif state is State.MENU:
            self._service = None
            self._answers = {}
            self._bridge.ask(Session.available_services, self._menu)
        elif state is State.SERVICE:
            self._service = next((s for s in self._services if s.id == detail), self._service)
            if self._service is not None and self._service.kind is ServiceKind.INFO:
                self.screen("information").loading()
                self._bridge.ask(Session.information, self._show_information)
                self.show("information")
            elif self._collecting() and self.screen("collect").has_letters:
                self.show("collect")  # back from a letter that could not be fetched
            return  # otherwise the step (or the letters) that follows says which screen
        elif state is State.REVIEW:
            self._review()
        elif state in {State.SUBMITTING, State.PRINTING}:
            collecting = "collect.fetching" if state is State.SUBMITTING else "collect.printing"
            self.screen("progress").stage = (
                collecting if self._collecting() else f"{state.value}.title"
            )
        elif state is State.OUT_OF_SERVICE and detail:
            self.screen("out_of_service").reason = bilingual(
                OUT_OF_SERVICE_TEXT[UnavailableReason(detail)]
            )
        self.show("collect" if state is State.DONE and self._collecting() else SCREEN_FOR[state])

    def _menu(self, services: list[Service]) -> None:
        self._services = services
        self.screen("menu").show(services)

    def _review(self) -> None:
        service = self._service
        lines = [f"{label}: {value}" for label, value in self._answers.values()]
        queue = service is not None and service.kind is ServiceKind.QUEUE
        self.screen("review").show(service.label if service else None, "\n".join(lines), queue)
        self.screen("review").notify = service is not None and takes_notify_phone(service.kind)

    def _field(self, name: str) -> FormField | None:
        fields = self._service.fields if self._service else []
        return next((f for f in fields if f.name == name), None)

    def _on_step(self, event: StepChanged) -> None:
        self._step = event
        if event.step == PHOTO_STEP:
            self.screen("photo").show_step()
            self.show("photo")
        elif self._service is not None and self._service.kind is ServiceKind.BANSOS:
            self.screen("bansos").loading()
            self._bridge.ask(Session.bansos_choices, self.screen("bansos").show)
            self.show("bansos")
        elif event.step.startswith("doc:"):
            page, pages = self._page(event.step)
            self.screen("scan").show_step(event.prompt, page, pages)
            self.show("scan")
        else:
            self.screen("form").show_step(event.prompt, event.options, self._field(event.step))
            self.show("form")

    def _page(self, step: str) -> tuple[int, int]:
        """Which scanned page of the service ``step`` is (1-based) and how many it asks for."""
        documents = self._service.documents if self._service else []
        names = [f"doc:{d.name}" for d in documents if d.provide == "scan"]
        return (names.index(step) + 1 if step in names else 0), len(names)

    def _on_notice(self, event: Notice) -> None:
        message = pick(event.message, self._app.language)
        self._root.ids.toast.show(message, event.level)
        self.say(message)
        if self._manager.current == "scan":
            self.screen("scan").scanning = False  # a scan that ended without a page

    def _on_countdown(self, event: CountdownTick) -> None:
        self._root.ids.countdown.show(event.seconds_left)

    def _announcements(self, _dt: float) -> None:
        """The attract's slides, asked of the session between residents only."""
        if self.state is State.IDLE:
            self._bridge.ask(Session.announcements, self._slides)

    def _slides(self, announcements: list[Announcement]) -> None:
        if announcements:  # an empty answer (centre away) keeps the slides already shown
            self.screen("attract").show_announcements(announcements)

    def _on_guidance(self, event: ScanGuidance) -> None:
        if self._manager.current == "maintenance":
            self.screen("maintenance").ids.preview.guide(event)
        else:
            self.screen("scan").guide(event)

    def _on_card(self, event: CardTapped) -> None:
        """A technician card opens maintenance (its UID is compared by hash, off this thread);
        any other card is the session's business alone."""
        technician = self.screen("maintenance")
        if self.maintaining or not technician.gate.has_cards:
            return
        if self.state not in {
            State.IDLE,
            State.IDENTIFYING,
            State.VERIFYING_PIN,
            State.OUT_OF_SERVICE,
        }:
            return
        uid = event.uid_hex
        technician.run(lambda: technician.gate.card_opens(uid), self._technician_card)

    def _technician_card(self, opens: bool) -> None:
        if opens and not self.maintaining:
            self._bridge.post(Session.cancel)  # the tap also began a resident's sign-in
            self.maintenance_opened()

    # ------------------------------------------------------------------ status check

    def open_status(self) -> None:
        """A receipt's status, before (and without) signing in."""
        if self.state is State.IDLE:
            self.show("status")
            self._stay_local()

    def track(self, code: str, answer: Callable[[TrackedItem | LocalizedText], None]) -> None:
        self._stay_local()
        self._bridge.ask(lambda s: s.track(code), answer)

    def close_status(self) -> None:
        if self.state is State.IDLE:
            self.show("identify")
            self._stay_local()

    def watch_receipt_qr(self, refused: Callable[[LocalizedText | None], None]) -> None:
        """The camera looks for the receipt's QR; what it reads comes as ``StatusLookedUp``."""
        self._stay_local()
        self._bridge.ask(Session.watch_receipt_qr, refused)

    def stop_receipt_qr(self) -> None:
        self._bridge.post(Session.stop_receipt_qr)

    def _on_status_looked_up(self, event: StatusLookedUp) -> None:
        """A receipt's code read by the code scanner or the camera, between residents: its
        status on the status screen, whichever screen showed before."""
        if self.maintaining or self.state is not State.IDLE:
            return
        if self._manager.current != "status":
            self.show("status")
        self.screen("status").show(event.answer)
        self._stay_local()

    # ------------------------------------------------------------------ my requests

    def open_my_requests(self) -> None:
        """ "Permohonan saya": the signed-in resident's latest requests (the session stays in
        its menu; back returns there)."""
        if self.state is State.MENU:
            requests = self.screen("requests")
            requests.wait()
            self.show("requests")
            self._bridge.ask(Session.my_requests, self._my_requests)

    def _my_requests(self, answer: MyRequests | LocalizedText) -> None:
        if self.state is State.MENU and self._manager.current == "requests":
            self.screen("requests").show(answer)

    def close_my_requests(self) -> None:
        if self.state is State.MENU:
            self.show("menu")

    # ------------------------------------------------------------------ maintenance

    def open_technician(self) -> None:
        """The long press: the technician PIN screen, only between residents."""
        if self.maintaining or self.state not in {State.IDLE, State.OUT_OF_SERVICE}:
            return
        self.screen("maintenance").lock()
        self.show("maintenance")
        self._stay_local()

    def maintenance_opened(self) -> None:
        Clock.unschedule(self._local_timeout)
        self.maintaining = True
        self.screen("maintenance").unlock()
        self.show("maintenance")
        self._bridge.post(lambda s: s.set_maintenance(True))

    def close_maintenance(self) -> None:
        Clock.unschedule(self._local_timeout)
        self.screen("maintenance").lock()
        if self.maintaining:
            self.maintaining = False
            self._bridge.post(lambda s: s.set_maintenance(False))
        self._manager.current = "attract"  # then whatever the session's state says
        self._ask_state()

    def _on_ended(self, _event: SessionEnded) -> None:
        self._root.ids.countdown.hide()
        self._answers = {}
        self._service = None
        self._step = None
        for screen in self._manager.screens:
            screen.forget()
        self._app.language = self._app.default_language
        self._app.speaker.reset()
        if self._app.sizes.text_scale != 1.0:  # large text was for this resident
            self._app.toggle_text_size()

    def _on_receipt(self, event: ReceiptReady) -> None:
        self.screen("done").show(event.printed, event.qr_payload)

    # ------------------------------------------------------------------ touches

    def touched(self) -> None:
        """Any touch: hide the countdown and tell the session the resident is there.

        Touches are passed on at most once a second, except the one that answers the
        countdown: that one must reach the session whenever it comes."""
        countdown = self._root.ids.countdown
        answers_countdown = countdown.active
        countdown.hide()
        now = time.monotonic()
        due = answers_countdown or now - self._last_touch >= TOUCH_EVERY_S
        if self.state is not State.IDLE and due:
            self._last_touch = now
            self._bridge.post(Session.touch)

    def help(self, choices: list[str]) -> None:
        """F1: the screen's instruction and its choices, spoken and shown."""
        listed = ", ".join(c for c in choices if c)
        text = f"{word('help.choices', self._app.language)}: {listed}"
        self._root.ids.toast.show(text, "info")
        self.say(f"{self.instruction()}. {text}")

    def say(self, text: str) -> None:
        """Speak ``text`` in the resident's language (when speech is on)."""
        self._app.speaker.say(text, self._app.language)

    def instruction(self) -> str:
        """The current screen's instruction: its title, the largest text on it."""
        from kivy.uix.behaviors import ButtonBehavior
        from kivy.uix.label import Label

        from screens.widgets import NumericKeypad

        labels = [  # a keypad's display shows what is typed (a NIK): never its instruction
            w
            for w in self._manager.current_screen.walk(restrict=True)
            if isinstance(w, Label)
            and not isinstance(w, ButtonBehavior)
            and not isinstance(w.parent, NumericKeypad)
            and w.text
            and w.opacity > 0
        ]
        if not labels:
            return ""
        title = max(labels, key=lambda w: (w.font_size, w.to_window(w.x, w.top)[1]))
        return str(title.text)

    def _speak_screen(self, _manager: Any, _name: str) -> None:
        """A new screen: speak its instruction once its texts are set (next frame)."""
        Clock.schedule_once(lambda _dt: self.say(self.instruction()), 0)

    def to_attract(self) -> None:
        Clock.unschedule(self._local_timeout)
        self.screen("identify").nik_mode = False
        self.show("attract")
        self._prepare_idle()

    def _prepare_idle(self) -> None:
        """The attract screen's queue buttons and the menu's tiles, built between residents,
        not in the frame the menu appears."""
        self.offer_queue(self.screen("attract").show_queue_services)
        self._bridge.ask(Session.available_services, self.screen("menu").show)

    def _local_timeout(self, _dt: float) -> None:
        if self._manager.current == "maintenance" and not self.maintaining:
            self.close_maintenance()  # the PIN screen left untouched
        elif self.state is State.IDLE:
            self.to_attract()

    def _stay_local(self) -> None:
        Clock.unschedule(self._local_timeout)
        Clock.schedule_once(self._local_timeout, LOCAL_IDLE_S)

    def wake(self) -> None:
        if self.state is State.IDLE:
            self.show("language")
            self._stay_local()

    def choose_language(self, language: str) -> None:
        self.set_language(language)
        if self.state is State.IDLE:
            self.screen("identify").nik_mode = False
            self.show("identify")
            self._stay_local()

    def set_language(self, language: str) -> None:
        self._app.language = language
        self._bridge.post(lambda s: s.set_language(language))

    def toggle_language(self) -> None:
        self.set_language("en" if self._app.language == "id" else "id")

    def use_nik(self) -> None:
        self._bridge.post(Session.start_nik_entry)

    def enter_nik(self, nik: str) -> None:
        self._bridge.post(lambda s: s.enter_nik(nik))

    def enter_pin(self, pin: str) -> None:
        self._bridge.post(lambda s: s.enter_pin(pin))

    def change_pin(self, current: str, new: str) -> None:
        self._bridge.post(lambda s: s.change_pin(current, new))

    def choose(self, service_id: str) -> None:
        self._bridge.post(lambda s: s.choose(service_id))

    def answer(self, value: str, shown: str | None = None) -> None:
        """``shown``: what the review lists for ``value`` (a programme's name for its id)."""
        step = self._step
        if step is not None:
            self._remember_answer(step, value, shown)
        self._bridge.post(lambda s: s.answer(value))

    def skip(self) -> None:
        if self._step is not None:
            self._answers.pop(self._step.step, None)
        self._bridge.post(Session.skip)

    def back(self) -> None:
        self.close_viewfinder()  # the owner must be free to take the intent
        self._bridge.post(Session.back)

    def scan(self) -> None:
        self._bridge.post(lambda s: s.scan())

    def submit(self) -> None:
        self._bridge.post(Session.submit)

    def finish(self) -> None:
        self._bridge.post(Session.finish)

    def cancel(self) -> None:
        self.close_viewfinder()
        if self.state is State.IDLE:
            self.to_attract()
        else:
            self._bridge.post(Session.cancel)

    # ------------------------------------------------------------------ collect a letter

    def _collecting(self) -> bool:
        return self._service is not None and self._service.kind is ServiceKind.COLLECT

    def _on_letters(self, event: LettersListed) -> None:
        self.screen("collect").show_letters(event.letters)
        self.show("collect")

    def _on_collected(self, event: LetterCollected) -> None:
        collect = self.screen("collect")
        if event.printed:
            collect.drop(event.tracking_code)
        collect.show_outcome(event.printed, event.message)

    def collect(self, tracking_code: str) -> None:
        self._bridge.post(lambda s: s.collect_letter(tracking_code))

    # ------------------------------------------------------------------ the review's lines

    def _remember_answer(self, step: StepChanged, value: str, shown: str | None) -> None:
        """What the review lists for ``step`` (``shown`` for ``value`` when given)."""
        self._answers[step.step] = (pick(step.prompt, self._app.language), shown or value)

    # ------------------------------------------------------------------ village information

    def _show_information(self, information: VillageInformation | None) -> None:
        """The information, then each project's first photo asked for off the UI thread
        (the session's bounded cache, ``kiosk.photos``) and shrunk to its slot there, each
        shown as it arrives."""
        screen = self.screen("information")
        screen.show(information)
        for project_id, photo_id in screen.wanted_photos():
            self._ask_photo(screen, project_id, photo_id)

    def _ask_photo(self, screen: Any, project_id: str, photo_id: str) -> None:
        width, height = screen.photo_slot_px()

        def question(session: Session) -> Thumbnail | None:
            photo = session.project_photo(project_id, photo_id)
            return None if photo is None else thumbnail(photo, width, height)

        self._bridge.ask(question, lambda photo: screen.photo_arrived(project_id, photo))

    # ------------------------------------------------------------------ complaint photo

    def photograph(self) -> None:
        """Open the viewfinder: the session watches the camera until this shutter is pressed."""
        self.close_viewfinder()
        shutter = self._shutter = Shutter()
        self._bridge.post(lambda s: s.photograph(shutter))

    def take_photo(self) -> None:
        if self._shutter is not None:
            self._shutter.take()

    def close_viewfinder(self) -> None:
        """No photo (cancel, back, leaving the screen): the owner stops watching at once."""
        if self._shutter is not None:
            self._shutter.close()
            self._shutter = None

    def keep_photo(self) -> None:
        language = self._app.language
        self._answers[PHOTO_STEP] = (
            word("photo.review", language),
            word("photo.attached", language),
        )
        self._bridge.post(Session.keep_photo)

    def skip_photo(self) -> None:
        self._answers.pop(PHOTO_STEP, None)
        self._bridge.post(Session.drop_photo)
        self._bridge.post(Session.skip)

    def _on_viewfinder(self, event: ViewfinderClosed) -> None:
        if self._shutter is not None and self._shutter.pressed:
            self._shutter = None  # a fresh one (opened since) stays
        self.screen("photo").closed(event.taken)

    # ------------------------------------------------------------------ walk-in queue number

    def offer_queue(self, answer: Callable[[list[Service]], None]) -> None:
        """The queue services to offer on the attract screen (none unless idle and online)."""
        self._bridge.ask(Session.walk_in_services, answer)

    def take_queue_number(self, service_id: str) -> None:
        """The attract's queue button: a number with no card and no PIN; the done screen then
        offers no "another service" (nobody is signed in)."""
        if self.state is State.IDLE:
            self.screen("done").signed_in = False
            self._bridge.post(lambda s: s.take_queue_number(service_id))

    # ------------------------------------------------------------------ SMS/WhatsApp opt-in

    def open_phone(self) -> None:
        """The review's "Kabari saya lewat SMS/WhatsApp": the number's keypad."""
        if self.state is State.REVIEW:
            self.screen("phone").show_step(notify_phone_prompt())
            self.show("phone")

    def notify_phone(self, typed: str) -> None:
        """OK on the number's keypad ("Lewati" or nothing typed: no SMS). Once the session has
        taken it, the review again, listing the number masked only; a number refused gets the
        session's notice and the keypad stays."""
        language = self._app.language

        def taken(accepted: bool) -> None:
            if not accepted or self.state is not State.REVIEW:
                return
            try:
                self._answers[NOTIFY_PHONE] = (word("review.phone", language), mask_phone(typed))
            except InvalidPhone:  # nothing typed: no number
                self._answers.pop(NOTIFY_PHONE, None)
            self.close_phone()

        self._bridge.ask(lambda s: s.notify_by(typed), taken)

    def close_phone(self) -> None:
        """Back from the number's keypad to the review (which lists what was taken)."""
        if self.state is State.REVIEW and self._manager.current == "phone":
            self._review()
            self.show("review")
