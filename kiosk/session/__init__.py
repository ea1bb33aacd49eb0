"""The resident's session: states, flows per service, timeouts and what it tells the screen."""

from kiosk.session.machine import Printer, ReceiptMaker, Session, Submitter, Timeouts
from kiosk.session.states import AppState, State

__all__ = ["AppState", "Printer", "ReceiptMaker", "Session", "State", "Submitter", "Timeouts"]
