"""The app's voice: what a screen asks to say is masked, synthesised on one worker thread and
played on the UI thread with Kivy's ``SoundLoader``.

Only the newest prompt counts: moving the focus quickly through five buttons speaks the
fifth, not all five in a queue. Nothing here waits on the UI thread; a kiosk without
espeak-ng or without a sound card goes on silently (logged once, without the text).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from kivy.clock import Clock
from kivy.core.audio import SoundLoader
from kivy.event import EventDispatcher
from kivy.properties import BooleanProperty

from screens.speech.synth import SpeechUnavailable, Synthesizer, mask

log = logging.getLogger(__name__)

Recorder = Callable[[str, str], None]


class Speaker(EventDispatcher):
    enabled = BooleanProperty(False)  # the speaker button's state; the config sets the start

    def __init__(
        self,
        synth: Synthesizer | None,
        *,
        enabled: bool = False,
        record: Recorder | None = None,
        **kwargs: Any,
    ) -> None:
        """``synth`` None: nothing is synthesised or played (``record`` still hears it).
        ``record``: a test hook told every (masked text, language) that would be spoken."""
        super().__init__(**kwargs)
        self.default = enabled
        self.enabled = enabled
        self._synth = synth
        self._record = record
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="speech")
        self._latest = 0
        self._sound: Any = None
        self._warned = False

    def toggle(self) -> None:
        self.enabled = not self.enabled
        if not self.enabled:
            self.stop()

    def reset(self) -> None:
        """The session ended: back to the kiosk's setting for the next resident."""
        self.enabled = self.default
        self.stop()

    def say(self, text: str, language: str) -> None:
        """Speak ``text`` (a NIK in it is masked) unless speech is off; returns at once."""
        if not self.enabled or not text.strip():
            return
        text = mask(" ".join(text.split()), language)
        if self._record is not None:
            self._record(text, language)
        self._latest += 1
        if self._synth is None:
            return
        number = self._latest
        future = self._pool.submit(self._synth.wav, text, language)
        future.add_done_callback(
            lambda done: Clock.schedule_once(lambda _dt: self._play(done, number), 0)
        )

    def _play(self, future: Future[Path], number: int) -> None:
        if number != self._latest or not self.enabled:
            return  # a newer prompt replaced it, or speech was turned off meanwhile
        error = future.exception()
        if error is not None:
            if not self._warned:  # the type only: the message could hold nothing else useful
                log.warning("spoken prompts unavailable: %s", type(error).__name__)
                self._warned = True
            return
        self.stop()
        sound = SoundLoader.load(str(future.result()))
        if sound is None:
            self._failed(SpeechUnavailable("no audio output"))
            return
        sound.play()
        self._sound = sound

    def _failed(self, error: Exception) -> None:
        if not self._warned:
            log.warning("spoken prompts unavailable: %s", error)
            self._warned = True

    def stop(self) -> None:
        if self._sound is not None:
            self._sound.stop()
            self._sound.unload()
            self._sound = None

    def close(self) -> None:
        self.stop()
        self._pool.shutdown(wait=False, cancel_futures=True)
