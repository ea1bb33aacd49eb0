"""Offline speech synthesis with espeak-ng into a cache of WAV files.

A file is named by a hash of the voice, the speed and the text, so a prompt is synthesised
once and every later screen plays it from disk. What is spoken is never personal data:
``mask`` turns any NIK-like run of 16 digits into its last four before anything is
synthesised or stored, and the text itself never reaches a log.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

VOICES = {"id": "id", "en": "en"}  # espeak-ng voice per screen language
SYNTH_TIMEOUT_S = 10.0  # a prompt is a sentence or two: espeak-ng takes well under a second
MAX_TEXT = 600  # characters: a screen's help with its choices; longer text is cut
NIK_RUN = re.compile(r"\d{16}")
MASKED = {"id": "berakhiran {last}", "en": "ending in {last}"}  # after "NIK"


class SpeechUnavailable(RuntimeError):
    """espeak-ng is missing or failed: the kiosk goes on without sound."""


def mask(text: str, language: str) -> str:
    """Any 16-digit run (a NIK) spoken only as its last four digits, digit by digit."""
    template = MASKED.get(language, MASKED["id"])
    return NIK_RUN.sub(lambda m: template.format(last=" ".join(m.group()[-4:])), text)


class Synthesizer:
    """Makes (or finds) the WAV for a text. Safe to call from one worker thread at a time;
    the cache's files are written under a temporary name and renamed, so a reader never
    sees half a file."""

    def __init__(self, cache_dir: Path, *, rate_wpm: int = 150, program: str = "espeak-ng"):
        self.cache_dir = cache_dir
        self.rate_wpm = rate_wpm
        self._program = program

    def available(self) -> bool:
        return shutil.which(self._program) is not None

    def path_for(self, text: str, language: str) -> Path:
        voice = VOICES.get(language, VOICES["id"])
        key = hashlib.sha256(f"{voice}\0{self.rate_wpm}\0{text}".encode()).hexdigest()
        return self.cache_dir / f"{key}.wav"

    def wav(self, text: str, language: str) -> Path:
        """The WAV speaking ``text`` (already masked) in ``language``, synthesised if new."""
        text = text[:MAX_TEXT]
        path = self.path_for(text, language)
        if path.is_file():
            return path
        program = shutil.which(self._program)
        if program is None:
            raise SpeechUnavailable(f"{self._program} is not installed")
        self.cache_dir.mkdir(parents=True, exist_ok=True, mode=0o750)
        handle, temporary = tempfile.mkstemp(suffix=".tmp", dir=self.cache_dir)
        os.close(handle)
        voice = VOICES.get(language, VOICES["id"])
        try:
            # The text goes on stdin, not argv: other users can read a process's arguments.
            done = subprocess.run(  # noqa: S603 - a fixed program; the text is on stdin
                [program, "-v", voice, "-s", str(self.rate_wpm), "-w", temporary, "--stdin"],
                input=text.encode(),
                capture_output=True,
                timeout=SYNTH_TIMEOUT_S,
                check=False,
            )
            if done.returncode != 0 or os.path.getsize(temporary) == 0:
                raise SpeechUnavailable(f"{self._program} failed (exit {done.returncode})")
            os.replace(temporary, path)
        except subprocess.TimeoutExpired as error:
            late = f"{self._program} took longer than {SYNTH_TIMEOUT_S} s"
            raise SpeechUnavailable(late) from error
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        return path
