"""A resident's journey by touch alone, from the attract screen to a printed receipt, against
a real centre on uvicorn and the ESC/POS printer emulator; then the countdown back to idle."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from central.models import Complaint as ComplaintRow
from central.models import LetterRequest as LetterRow
from central.models import NotificationOptIn
from central.notify.phones import box_for
from kiosk.captured import ScannedDocument
from kiosk.session import State
from kiosk.session.events import Notice
from tests.journeys.conftest import page_photo
from tests.screens.conftest import Rig, Ui

QUEUE_LABEL = "Ambil nomor antrian"
INCOME_BAND = "Rp 1.000.001 - 2.000.000"
PAGE = ScannedDocument(b"%PDF-1.4 page", "application/pdf")


def _bright_share(texture: Any) -> float:
    """The share of a texture's pixels that are near white."""
    import numpy as np

    pixels = np.frombuffer(texture.pixels, np.uint8).reshape(-1, 4)[:, :3]
    return float((pixels.min(axis=1) > 180).mean())


def _shows_button(ui: Ui, label: str) -> bool:
    return ui.buttons(label) != []


def _captured(ui: Ui, screen: Any, before: Any) -> bool:
    """The scan step moved on: a new prompt, or another screen."""
    return screen.prompt is not before or ui.screen != "scan"


def sign_in_by_nik(ui: Ui, nik: str, pin: str) -> None:
    ui.tap(ui.root.ids.manager.current_screen)  # touch the attract screen anywhere
    ui.on("language")
    ui.press("Bahasa Indonesia")
    ui.on("identify")
    ui.press("Masukkan NIK")
    ui.until(lambda: ui.screen == "identify" and ui.buttons("0") != [], "the NIK keypad")
    ui.press(*nik)  # the 16th digit submits
    ui.on("pin")
    ui.press(*pin)  # the 6th digit submits
    ui.on("menu")
    ui.until(lambda: ui.buttons(QUEUE_LABEL) != [], "the service tiles")


def test_a_touch_before_the_first_state_answer_is_not_undone(ui: Ui) -> None:
    """At start the screens ask the session what it is doing; the answer ("idle") can come
    after a resident's first touch, and must not take them back from the language screen."""
    ui.tap(ui.root.ids.manager.current_screen)
    ui.on("language")
    ui.app.router._answer_state(State.IDLE, None)  # the answer, arriving late
    ui.frames(3)
    assert ui.screen == "language"
    ui.app.router._answer_state(State.OUT_OF_SERVICE, "consumables")  # news still shows
    ui.on("out_of_service")


def test_queue_ticket_by_touch_prints_a_receipt(ui: Ui, rig: Rig) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press(QUEUE_LABEL)
    ui.on("review")
    assert "Ambil nomor antrian sekarang?" in ui.texts()
    ui.press("Kirim")
    ui.on("done")
    assert "Selesai. Ambil tanda terima Anda di bawah layar." in ui.texts()
    receipt = rig.kiosk.last_receipt_text()
    assert "ANTRIAN" in receipt.upper(), receipt
    assert len(rig.kiosk.receipt_files()) == 1


def test_a_queue_number_is_one_touch_from_the_attract_screen_without_signing_in(
    ui: Ui, rig: Rig
) -> None:
    ui.until(lambda: ui.buttons(QUEUE_LABEL) != [], "the attract's queue button")
    ui.press(QUEUE_LABEL)
    ui.on("done")
    assert ui.touches == 1
    assert "Selesai. Ambil tanda terima Anda di bawah layar." in ui.texts()
    assert ui.buttons("Layanan lain") == []  # nobody signed in: no menu to go back to
    receipt = rig.kiosk.last_receipt_text()
    assert "ANTRIAN" in receipt.upper(), receipt
    assert "NIK" not in receipt  # the ticket names nobody
    ui.press("Selesai")
    ui.on("attract")
    assert rig.kiosk.do(lambda s: s.state) is State.IDLE
    ui.tap(ui.root.ids.manager.current_screen.ids.queue.parent.children[-1])  # the title
    ui.on("language")  # a touch beside the button still wakes the kiosk


def test_the_countdown_ends_the_session_and_no_label_keeps_the_nik_or_name(
    ui: Ui, rig: Rig
) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press(QUEUE_LABEL)
    ui.on("review")
    rig.kiosk.advance_clock(50)  # idle 60 s, countdown 10 s: inside the countdown
    ui.until(lambda: ui.root.ids.countdown.active, "the countdown overlay")
    assert any("Sesi berakhir dalam" in text for text in ui.texts())
    rig.kiosk.advance_clock(20)
    ui.on("attract")
    assert not ui.root.ids.countdown.active
    assert rig.kiosk.do(lambda s: s.state) is State.IDLE
    texts = "\n".join(ui.every_text())
    assert person.nik not in texts and person.nik[:4] + " " not in texts
    assert person.name not in texts


def test_continue_on_the_countdown_keeps_the_session(ui: Ui, rig: Rig) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    rig.kiosk.advance_clock(52)
    ui.until(lambda: ui.root.ids.countdown.active, "the countdown overlay")
    ui.press("Lanjutkan")
    ui.until(lambda: not ui.root.ids.countdown.active, "the countdown to close")
    # The simulated clock jumps: let the owner take the touch before it does (a tick due
    # then runs ahead of queued intents), as 20 real seconds would.
    assert rig.kiosk.do(lambda s: s.state) is not State.IDLE
    rig.kiosk.advance_clock(20)  # past the old deadline: the touch restarted the timer
    ui.frames(90)
    assert ui.screen == "menu"


def test_the_menu_offers_the_sessions_services_and_every_tile_opens_one(ui: Ui, rig: Rig) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    tiles = [w.service for w in ui.visible() if hasattr(w, "service") and w.service is not None]
    catalog = rig.kiosk.do(lambda s: s.available_services())
    assert {t.id for t in tiles} == {s.id for s in catalog}
    for tile_label in [ui.app.pick(t.label, "id") for t in tiles]:
        ui.press(tile_label)
        ui.until(
            lambda: ui.screen in {"form", "scan", "review", "information", "bansos"},
            f"{tile_label}'s first step",
        )
        ui.press("Kembali")
        ui.on("menu")
        ui.until(partial(_shows_button, ui, tile_label), "the tiles again")


def test_a_letter_by_touch_with_one_touch_answers_two_pages_and_the_sms_opt_in(
    ui: Ui, rig: Rig
) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.touches = 0
    ui.press("Surat Keterangan Tidak Mampu (SKTM)")
    ui.on("form")
    form = ui.root.ids.manager.current_screen
    assert "Atau ketik sendiri:" in ui.texts()  # the catalog's common purposes, then the keyboard
    assert ui.buttons("Spasi") != [] and ui.buttons("Berobat") != []
    ui.press("Beasiswa")  # one touch answers and moves on
    ui.until(lambda: form.input_kind == "choice", "the income bands")
    assert ui.buttons("Spasi") == [] and ui.buttons("Beasiswa") == []
    ui.press(INCOME_BAND)  # a choice moves on by itself too
    outlines: list[int] = []
    textures: set[int] = set()
    for seed, page in enumerate(("kk.jpg", "rt.jpg"), start=1):
        ui.on("scan")
        assert f"Halaman {seed} dari 2" in ui.texts()
        rig.kiosk.put_on_tray(page_photo(rig.tmp / page, seed))
        preview = ui.root.ids.manager.current_screen.ids.preview
        preview.bind(outline=lambda _s, points: outlines.append(len(points)))
        pictures: list[float] = []

        def shown(screen: Any, _count: int, seen: list[float] = pictures) -> None:
            seen.append(_bright_share(screen.texture))
            textures.add(id(screen.texture))

        preview.bind(frames_shown=shown)
        screen = ui.root.ids.manager.current_screen
        before = screen.prompt
        ui.press("Mulai memindai")
        ui.until(partial(_captured, ui, screen, before), "the capture", 90)
        assert max(pictures) > 0.2  # the tray's picture, with the white page in it
        preview.unbind(frames_shown=shown)
        if seed == 1:  # retake: back to page 1 from page 2, then scan it again
            ui.on("scan")
            ui.press("Ulangi halaman sebelumnya")
            ui.until(lambda: "Halaman 1 dari 2" in ui.texts(), "page 1 again")
            ui.press("Mulai memindai")
            ui.until(lambda: "Halaman 2 dari 2" in ui.texts(), "page 2 after the retake", 90)
    assert max(outlines) == 10  # the page's four corners, closed, drawn on the preview
    assert len(textures) == 1  # one texture refilled, never one per frame or page
    ui.on("review")  # no SMS/WhatsApp step on the way: the review offers it
    # Tile, purpose, income, two pages, the retake's two: nothing typed on the way.
    assert ui.touches == 7
    summary = "\n".join(ui.texts())
    assert "Keperluan surat: Beasiswa" in summary
    assert f"Penghasilan keluarga per bulan: {INCOME_BAND}" in summary
    ui.press("Kabari saya lewat SMS/WhatsApp")
    ui.on("phone")
    assert "Beri tahu saya lewat SMS/WhatsApp?" in ui.texts()
    ui.press(*"0812345", "OK")  # too short: said, and the keypad stays
    ui.until(lambda: "Itu bukan nomor HP" in ui.root.ids.toast.text, "the phone notice")
    assert ui.screen == "phone"
    ui.press(*"081234567890", "OK")
    ui.on("review")
    summary = "\n".join(ui.texts())
    assert "SMS/WhatsApp ke: 0812****7890" in summary  # masked on the review
    assert "081234567890" not in "\n".join(ui.every_text())  # the keypad forgot it
    ui.press("Kirim")
    ui.on("done")
    receipt = rig.kiosk.last_receipt_text()
    assert "SKT" in receipt and "34567890" not in receipt
    with rig.central.context.sessions() as db:
        (letter,) = db.scalars(select(LetterRow)).all()
        assert letter.answers == {"keperluan": "Beasiswa", "penghasilan": INCOME_BAND}
        (optin,) = db.scalars(select(NotificationOptIn)).all()
        assert b"34567890" not in optin.phone_sealed  # sealed at the centre
        sealed, code = optin.phone_sealed, optin.tracking_code
    assert code in receipt
    assert box_for(rig.central.context.identifier_key).open(sealed) == "+6281234567890"


def test_a_purpose_of_ones_own_is_typed_below_the_suggestions_read_in_english(
    ui: Ui, rig: Rig
) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press("English")
    ui.press("Certificate of low income (SKTM)")
    ui.on("form")
    form = ui.root.ids.manager.current_screen
    assert "Or type your own:" in ui.texts()
    assert ui.buttons("Scholarship") != [] and ui.buttons("Beasiswa") == []
    ui.press("Capital", *"biaya", "Space", *"kuliah", "Next")
    ui.until(lambda: form.input_kind == "choice", "the income bands")
    ui.press(INCOME_BAND)
    ui.on("scan")
    rig.kiosk.do(lambda s: s.attach(PAGE))  # the two pages as the scan step attaches them
    rig.kiosk.do(lambda s: s.attach(PAGE))
    ui.on("review")
    assert "Purpose of the letter: Biaya kuliah" in "\n".join(ui.texts())
    assert "Tell me by SMS/WhatsApp" in ui.texts()


def test_a_complaint_by_touch_asks_no_number_unless_the_resident_offers_one(
    ui: Ui, rig: Rig
) -> None:
    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press("Pengaduan")
    ui.on("form")
    ui.press("infrastruktur")
    ui.until(lambda: ui.buttons("Spasi") != [], "the keyboard")
    ui.press("Huruf besar", *"jalan", "Spasi", *"rusak", "Lanjut")
    ui.on("photo")
    ui.press("Lewati")  # no photo
    ui.on("review")  # no SMS/WhatsApp step: not a touch spent on it
    assert not any("SMS/WhatsApp ke" in text for text in ui.texts())
    ui.press("Kabari saya lewat SMS/WhatsApp")  # then thought better of it
    ui.on("phone")
    ui.press("Kembali")
    ui.on("review")
    ui.press("Kirim")
    ui.on("done")
    with rig.central.context.sessions() as db:
        assert db.scalars(select(ComplaintRow)).one().text == "Jalan rusak"
        assert db.scalars(select(NotificationOptIn)).all() == []


def test_village_information_shows_the_budget_chart_projects_and_announcements(
    ui: Ui, rig: Rig
) -> None:
    from screens.information.information import BudgetBar

    person = rig.person()
    sign_in_by_nik(ui, person.nik, person.pin)
    ui.press("Informasi desa")
    ui.on("information")
    body = ui.root.ids.manager.current_screen.ids.body
    ui.until(lambda: len(body.children) > 3, "the information")
    information = rig.kiosk.do(lambda s: s.information())
    assert information is not None
    texts = ui.texts()
    assert any(text.startswith("APBDes ") for text in texts)
    assert sum(isinstance(w, BudgetBar) for w in body.children) == len(information.budgets[0].lines)
    assert information.announcements[0].title.id in texts
    ui.press("Kembali")
    ui.on("menu")


def test_a_first_sign_in_changes_the_pin_on_the_keypad(ui: Ui, rig: Rig) -> None:
    person = next(p for p in rig.people if p.must_change_pin)
    new_pin = "482913" if person.pin != "482913" else "591824"
    rig.kiosk.tap_card(person.card_uid)
    ui.on("pin")
    ui.press(*person.pin)
    ui.until(lambda: "Masukkan PIN lama" in ui.texts(), "the current-PIN step")
    ui.press(*person.pin)
    ui.until(lambda: "Pilih PIN baru (6 angka)" in ui.texts(), "the new-PIN step")
    ui.press(*new_pin)
    ui.on("menu")
    ui.press("Batal")
    ui.on("attract")
    rig.kiosk.tap_card(person.card_uid)  # the new PIN is the one that signs in now
    ui.on("pin")
    ui.press(*new_pin)
    ui.on("menu")


def test_a_wrong_pin_is_told_in_the_residents_language_and_the_pin_screen_stays(
    ui: Ui, rig: Rig
) -> None:
    person = rig.person()
    wrong = "000000" if person.pin != "000000" else "111111"
    notices: list[Notice] = []
    rig.kiosk.core.owner.observe(Notice, notices.append)
    rig.kiosk.tap_card(person.card_uid)
    ui.on("pin")
    ui.press("English")  # switched at any time: the session's notices follow
    keypad = ui.root.ids.manager.current_screen.ids.keypad
    assert ui.buttons("OK") == []  # the sixth digit sends the PIN: no OK to touch
    ui.press(*wrong[:5], "Delete")  # corrected before the last digit: nothing sent yet
    assert keypad.value == wrong[:4]
    ui.press(*wrong[4:])
    toast = ui.root.ids.toast
    ui.until(lambda: toast.text != "", "the notice")
    assert [n.level for n in notices] == ["error"]
    assert notices[0].message.en != notices[0].message.id
    assert toast.text == notices[0].message.en
    assert ui.screen == "pin"
    assert keypad.value == ""  # nothing typed is kept


def test_the_text_size_toggle_enlarges_the_type_for_the_session_only(ui: Ui, rig: Rig) -> None:
    person = rig.person()
    rig.kiosk.tap_card(person.card_uid)
    ui.on("pin")
    title = next(w for w in ui.visible() if getattr(w, "text", "") == "Masukkan PIN (6 angka)")
    normal = title.font_size
    ui.press("Ukuran huruf")
    assert title.font_size > normal * 1.2
    ui.press("Batal")
    ui.on("attract")
    ui.until(lambda: title.font_size == normal, "the normal text size again")


def test_the_attract_screen_shows_the_centres_announcements_as_slides(ui: Ui, rig: Rig) -> None:
    attract = ui.root.ids.manager.get_screen("attract")
    ui.until(lambda: attract.slides != [], "the announcements")
    information = rig.kiosk.do(lambda s: s.information())
    assert information is not None and information.announcements
    titles = [a.title.id for a in information.announcements]
    assert [slide.id.split("\n")[0] for slide in attract.slides] == titles
    assert any(text.startswith(titles[0]) for text in ui.texts())  # the first slide shows
    attract._next(0)
    ui.frames(2)
    shown = titles[1 % len(titles)]
    assert any(text.startswith(shown) for text in ui.texts())


def test_a_receipts_status_is_checked_by_its_code_without_signing_in(ui: Ui, rig: Rig) -> None:
    from kiosk.session.events import ReceiptReady

    person = rig.person()
    receipts: list[ReceiptReady] = []
    rig.kiosk.core.bus.subscribe(ReceiptReady, receipts.append)
    rig.kiosk.do(lambda s: s.start_nik_entry())
    rig.kiosk.do(lambda s: s.enter_nik(person.nik))
    rig.kiosk.do(lambda s: s.enter_pin(person.pin))
    rig.kiosk.do(lambda s: s.choose("antrian"))
    rig.kiosk.do(lambda s: s.submit())
    ui.on("done")
    # The ticket's QR opens the public tracking page; its code is printed too, and typed here.
    code = urlsplit(receipts[-1].qr_payload).path.rsplit("/", 1)[-1]
    rig.kiosk.do(lambda s: s.cancel())
    ui.on("attract")
    ui.tap(ui.root.ids.manager.current_screen)
    ui.on("language")
    ui.press("Bahasa Indonesia")
    ui.on("identify")
    ui.press("Cek status permohonan")
    ui.on("status")
    ui.press(*"skt-0000-1", "Cek")
    ui.until(lambda: any("Tidak ada permohonan" in t for t in ui.texts()), "the answer")
    for _ in "skt-0000-1":
        ui.press("Hapus")
    ui.press(*code.lower(), "Cek")
    ui.until(lambda: any(t.startswith(code.upper()) for t in ui.texts()), "the ticket's status")
    ui.press("Kembali")
    ui.on("identify")
