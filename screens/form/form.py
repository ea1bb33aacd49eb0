"""A letter's (or complaint's) form, one field per page: the prompt from the catalog, option
buttons for a choice, the keypad for numbers and NIKs, the keyboard for text. A text field's
common answers from the catalog (``FormField.suggestions``) are big buttons above the
keyboard: one touch answers and moves on, so a resident who cannot type (or spell) need not,
and anyone may still type their own."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty

from central.contract.models import FieldType, FormField, LocalizedText
from screens.base import KioskScreen, load_rules
from screens.text import pick
from screens.widgets import BigButton

NUMERIC = {FieldType.NUMBER, FieldType.NIK}


class AnswerButton(BigButton):
    """One answer in a touch: a choice's option, or a text field's common answer, which reads
    in the resident's language and answers in the letter's (the suggestion's Indonesian text;
    the review lists what the resident read). The screen keeps its buttons from step to step:
    building one with its rules took milliseconds of the frame that shows the step."""

    option = StringProperty("")
    suggestion = ObjectProperty(None, allownone=True)  # LocalizedText, or None for an option

    def answer(self) -> None:
        app: Any = App.get_running_app()
        if self.suggestion is None:
            app.router.answer(self.option)
        else:
            app.router.answer(self.suggestion.id, shown=pick(self.suggestion, app.language))


class FormScreen(KioskScreen):
    prompt = ObjectProperty(None, allownone=True)  # LocalizedText from the step
    options = ListProperty()
    input_kind = StringProperty("text")  # "text" | "digits" | "choice"
    required = BooleanProperty(True)
    suggested = BooleanProperty(False)  # one-touch answers above the keyboard

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._answer_buttons: list[AnswerButton] = []  # reused: see AnswerButton

    def show_step(
        self, prompt: LocalizedText, options: tuple[str, ...], form_field: FormField | None
    ) -> None:
        self.prompt = prompt
        self.options = list(options)
        self.required = form_field.required if form_field is not None else True
        if options:
            self.input_kind = "choice"
        elif form_field is not None and form_field.type in NUMERIC:
            self.input_kind = "digits"
        else:
            self.input_kind = "text"
        self.ids.keyboard.clear()
        self.ids.keypad.clear()
        suggestions = (form_field.suggestions or []) if form_field is not None else []
        self.suggested = self.input_kind == "text" and bool(suggestions)
        answers: list[tuple[str, LocalizedText | None]] = [(o, None) for o in options]
        if self.suggested:
            answers += [("", suggestion) for suggestion in suggestions]
        while len(self._answer_buttons) < len(answers):
            self._answer_buttons.append(AnswerButton())
        choices = self.ids.choices
        choices.clear_widgets()
        for button, (option, suggestion) in zip(self._answer_buttons, answers, strict=False):
            button.option, button.suggestion = option, suggestion
            choices.add_widget(button)

    def next(self) -> None:
        value = self.ids.keyboard.value if self.input_kind == "text" else self.ids.keypad.value
        App.get_running_app().router.answer(value)

    def forget(self) -> None:
        self.ids.keyboard.clear()
        self.ids.keypad.clear()
        self.ids.choices.clear_widgets()
        self.prompt = None
        self.suggested = False


load_rules(__name__)
