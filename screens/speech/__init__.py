"""Spoken prompts: espeak-ng synthesis into a cache of WAV files (``synth``) and the app's
speaker that plays them with Kivy's audio, off the UI thread (``speaker``)."""
