"""Kivy touchscreen views. The only package that imports kivy."""
