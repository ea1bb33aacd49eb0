"""Spoken prompts: a real espeak-ng synthesis into the cache, the cache's reuse, and personal
data masked before anything is synthesised or recorded."""

from __future__ import annotations

import shutil
import wave
from pathlib import Path

import pytest

from screens.speech.synth import SpeechUnavailable, Synthesizer, mask

NIK = "3510014107900002"


@pytest.fixture
def synth(tmp_path: Path) -> Synthesizer:
    if shutil.which("espeak-ng") is None:
        pytest.fail("espeak-ng is missing: run `make system-packages` (Debian package espeak-ng)")
    return Synthesizer(tmp_path / "speech")


def test_espeak_ng_synthesises_a_non_empty_wav_in_each_language(synth: Synthesizer) -> None:
    for text, language in (("Tempelkan e-KTP Anda", "id"), ("Tap your e-KTP", "en")):
        path = synth.wav(text, language)
        with wave.open(str(path)) as sound:
            seconds = sound.getnframes() / sound.getframerate()
        assert 0.3 < seconds < 10, seconds
        assert path.parent == synth.cache_dir and path.name.endswith(".wav")
    assert len(list(synth.cache_dir.iterdir())) == 2  # nothing half-written left behind


def test_a_prompt_is_synthesised_once_and_played_from_the_cache(
    synth: Synthesizer, tmp_path: Path
) -> None:
    first = synth.wav("Pilih layanan", "id")
    made = first.stat().st_mtime_ns
    offline = Synthesizer(synth.cache_dir, program=str(tmp_path / "no-such-espeak"))
    assert offline.wav("Pilih layanan", "id") == first  # found, not synthesised again
    assert first.stat().st_mtime_ns == made
    with pytest.raises(SpeechUnavailable):
        offline.wav("Teks baru", "id")
    assert synth.path_for("Pilih layanan", "en") != first  # the voice is part of the key


def test_the_cache_never_holds_a_nik(synth: Synthesizer) -> None:
    text = mask(f"NIK {NIK} terdaftar", "id")
    assert NIK not in text and "0 0 0 2" in text
    path = synth.wav(text, "id")
    assert NIK not in path.name
    assert mask(f"NIK {NIK}", "en") == "NIK ending in 0 0 0 2"


def test_the_speaker_masks_speaks_only_when_on_and_resets_for_the_next_resident() -> None:
    from screens.speech.speaker import Speaker

    said: list[tuple[str, str]] = []
    speaker = Speaker(None, enabled=False, record=lambda t, lang: said.append((t, lang)))
    speaker.say("Pilih layanan", "id")
    assert said == []
    speaker.toggle()
    speaker.say(f"NIK   {NIK}\n", "en")
    assert said == [("NIK ending in 0 0 0 2", "en")]
    speaker.reset()
    assert speaker.enabled is False
    speaker.close()
