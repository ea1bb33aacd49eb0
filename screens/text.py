"""The screens' own words, in Bahasa Indonesia and English.

What the session says (notices, prompts, service labels) arrives as ``LocalizedText`` in its
events; these are only the screens' fixed labels. They live here rather than in the gettext
catalogs so the touchscreen can change its wording without touching the core's catalogs, and a
missing half is a KeyError in the render test, not a blank button.
"""

from __future__ import annotations

from central.contract.models import LocalizedText

WORDS: dict[str, tuple[str, str]] = {
    "attract.title": ("Anjungan Desa Mandiri", "Village Self-Service Kiosk"),
    "attract.call": ("Tempelkan e-KTP atau sentuh layar", "Tap your e-KTP or touch the screen"),
    "attract.slide": (
        "Urus surat, ambil nomor antrian, dan cek permohonan Anda di sini.",
        "Request letters, take a queue number and check your requests here.",
    ),
    "language.title": ("Pilih bahasa", "Choose a language"),
    "identify.title": ("Tempelkan e-KTP Anda pada pembaca kartu", "Tap your e-KTP on the reader"),
    "identify.hint": (
        "Letakkan kartu di atas tanda di bawah layar.",
        "Place the card on the mark below the screen.",
    ),
    "identify.use_nik": ("Masukkan NIK", "Enter NIK"),
    "identify.status": ("Cek status permohonan", "Check a request's status"),
    "status.title": ("Cek status permohonan", "Check a request's status"),
    "status.hint": (
        "Ketik kode pada tanda terima Anda, misalnya SKT-2026-000123",
        "Type the code on your receipt, e.g. SKT-2026-000123",
    ),
    "status.check": ("Cek", "Check"),
    "identify.nik_title": ("Ketik 16 angka NIK Anda", "Type the 16 digits of your NIK"),
    "pin.title": ("Masukkan PIN (6 angka)", "Enter your PIN (6 digits)"),
    "pin.change_current": ("Masukkan PIN lama", "Enter your current PIN"),
    "pin.change_new": ("Pilih PIN baru (6 angka)", "Choose a new PIN (6 digits)"),
    "menu.title": ("Pilih layanan", "Choose a service"),
    "menu.empty": (
        "Belum ada layanan yang bisa dipakai saat ini.",
        "No service can be used right now.",
    ),
    "form.next": ("Lanjut", "Next"),
    "form.skip": ("Lewati", "Skip"),
    "scan.title": ("Letakkan dokumen di baki", "Put the document on the tray"),
    "scan.start": ("Mulai memindai", "Start scanning"),
    "scan.waiting": ("Menunggu kamera…", "Waiting for the camera…"),
    "scan.page": ("Halaman {page} dari {pages}", "Page {page} of {pages}"),
    "scan.retake": ("Ulangi halaman sebelumnya", "Retake the page before"),
    "review.title": ("Periksa permohonan Anda", "Check your request"),
    "review.queue": ("Ambil nomor antrian sekarang?", "Take a queue number now?"),
    "review.submit": ("Kirim", "Send"),
    "submitting.title": ("Mengirim permohonan…", "Sending your request…"),
    "printing.title": ("Mencetak tanda terima…", "Printing your receipt…"),
    "done.printed": (
        "Selesai. Ambil tanda terima Anda di bawah layar.",
        "Done. Take your receipt below the screen.",
    ),
    "done.qr": (
        "Printer tidak tersedia: foto kode ini dengan ponsel Anda.",
        "The printer is not available: photograph this code with your phone.",
    ),
    "done.another": ("Layanan lain", "Another service"),
    "done.finish": ("Selesai", "Finish"),
    "oos.title": ("Mohon maaf", "We are sorry"),
    "oos.hint": (
        "Silakan datang ke kantor desa atau coba lagi nanti.",
        "Please visit the village office or try again later.",
    ),
    "countdown.title": ("Masih di sana?", "Are you still there?"),
    "countdown.body": (
        "Sesi berakhir dalam {seconds} detik.",
        "The session ends in {seconds} seconds.",
    ),
    "countdown.continue": ("Lanjutkan", "Continue"),
    "info.title": ("Informasi desa", "Village information"),
    "info.budget": ("APBDes", "Village budget (APBDes)"),
    "info.projects": ("Pembangunan", "Projects"),
    "info.announcements": ("Pengumuman", "Announcements"),
    "info.offline": (
        "Informasi desa tidak dapat dimuat sekarang.",
        "The village information cannot be loaded now.",
    ),
    "help.choices": (
        "Tombol atas/bawah memilih, Enter menekan. Pilihan",
        "Up/down chooses, Enter presses. Choices",
    ),
    "text.size": ("Ukuran huruf", "Text size"),
    "tech.title": ("Mode teknisi: masukkan PIN teknisi", "Maintenance: enter the technician PIN"),
    "tech.title_open": ("Mode teknisi", "Maintenance mode"),
    "tech.wrong": ("PIN teknisi salah.", "Wrong technician PIN."),
    "tech.locked": (
        "Terlalu banyak PIN salah. Coba lagi dalam {seconds} detik.",
        "Too many wrong PINs. Try again in {seconds} seconds.",
    ),
    "tech.not_set": (
        "PIN teknisi belum diatur (kiosk config technician-pin).",
        "No technician PIN is set (kiosk config technician-pin).",
    ),
    "tech.failed": ("Pemeriksaan gagal; lihat log.", "The check failed; see the log."),
    "tech.identity": (
        "Versi {version} · kiosk {kiosk} · kantor {office}",
        "Version {version} · kiosk {kiosk} · office {office}",
    ),
    "tech.paper": ("kertas", "paper"),
    "tech.cover_open": ("tutup terbuka", "cover open"),
    "tech.device.card_reader": ("Pembaca kartu", "Card reader"),
    "tech.device.printer": ("Printer", "Printer"),
    "tech.device.camera": ("Kamera", "Camera"),
    "tech.centre": ("Server pusat {url}", "Central server {url}"),
    "tech.reachable": ("terhubung", "reachable"),
    "tech.unreachable": ("tidak terhubung", "unreachable"),
    "tech.network": ("Jaringan: alamat kiosk {address}", "Network: kiosk address {address}"),
    "tech.no_route": ("tidak ada rute", "no route"),
    "tech.backlog": ("Menunggu dikirim (outbox): {count}", "Waiting to be sent (outbox): {count}"),
    "tech.refresh": ("Periksa lagi", "Check again"),
    "tech.print_test": ("Cetak struk uji", "Print a test receipt"),
    "tech.printed": ("Struk uji dicetak.", "Test receipt printed."),
    "tech.print_failed": ("Struk uji gagal dicetak.", "The test receipt could not be printed."),
    "tech.paper_replaced": ("Kertas sudah diganti", "Paper replaced"),
    "tech.paper_checked": ("Printer diperiksa ulang.", "The printer was checked again."),
    "tech.camera": ("Kamera", "Camera"),
    "tech.no_camera": ("Kiosk ini tidak punya kamera.", "This kiosk has no camera."),
    "tech.restart": ("Mulai ulang aplikasi", "Restart the app"),
    "tech.close": ("Selesai perawatan", "End maintenance"),
    "speech.on": ("Suara: hidup", "Speech: on"),
    "speech.off": ("Suara: mati", "Speech: off"),
    "common.back": ("Kembali", "Back"),
    "common.cancel": ("Batal", "Cancel"),
    "common.ok": ("OK", "OK"),
    "common.delete": ("Hapus", "Delete"),
    "common.shift": ("Huruf besar", "Capital"),
    "common.space": ("Spasi", "Space"),
    "demo.banner": ("DEMO — bukan layanan resmi", "DEMO — not a real service"),
    "collect.title": ("Ambil surat: pilih surat Anda", "Collect a letter: choose your letter"),
    "collect.hint": (
        "Surat Anda yang sudah selesai. Sentuh satu untuk mencetaknya di printer A4.",
        "Your finished letters. Touch one to print it on the A4 printer.",
    ),
    "collect.ready": ("Siap sejak {date}", "Ready since {date}"),
    "collect.fetching": ("Mengambil surat Anda…", "Fetching your letter…"),
    "collect.printing": ("Mencetak surat Anda…", "Printing your letter…"),
    "collect.printed": (
        "Selesai. Ambil surat Anda di printer.",
        "Done. Take your letter from the printer.",
    ),
    "collect.not_printed": (
        "Surat belum bisa dicetak di sini",
        "The letter could not be printed here",
    ),
    "phone.hint": (
        "Ketik nomor HP Anda (08…) agar diberi tahu saat surat siap atau pengaduan dijawab. "
        "Nomor disimpan terenkripsi. Boleh dilewati.",
        "Type your mobile number (08…) to be told when the letter is ready or the complaint "
        "answered. It is stored encrypted. You may skip this.",
    ),
    "review.phone": ("SMS/WhatsApp ke", "SMS/WhatsApp to"),
    "tech.device.document_printer": ("Printer surat (A4)", "Letter printer (A4)"),
    "status.scan_qr": ("Pindai QR", "Scan QR"),
    "status.stop_qr": ("Berhenti memindai", "Stop scanning"),
    "status.qr_hint": (
        "Letakkan struk di baki, kode QR menghadap ke atas",
        "Put the receipt on the tray, QR code facing up",
    ),
    "tech.device.code_scanner": ("Pemindai kode", "Code scanner"),
    "requests.tile": ("Permohonan saya", "My requests"),
    "requests.title": ("Permohonan saya", "My requests"),
    "requests.loading": ("Memuat permohonan Anda…", "Loading your requests…"),
    "requests.none": ("Anda belum punya permohonan.", "You have no requests yet."),
    "requests.dates": (
        "diterima {received}, diperbarui {updated}",
        "received {received}, updated {updated}",
    ),
    "bansos.title": ("Bantuan sosial: pilih program", "Social assistance: choose a programme"),
    "bansos.rule": (
        "Satu NIK hanya boleh menerima satu program untuk satu kebutuhan (misalnya pangan "
        "atau uang tunai).",
        "One NIK may receive only one programme for each need (food or cash, for example).",
    ),
    "bansos.apply": ("Daftar", "Apply for"),
    "bansos.offline": (
        "Status bantuan sosial Anda tidak dapat dimuat sekarang. Silakan coba lagi nanti.",
        "Your social assistance status cannot be loaded now. Please try again later.",
    ),
    "bansos.loading": ("Memuat status Anda…", "Loading your status…"),
    "bansos.standing.none": ("Belum terdaftar", "Not enrolled"),
    "bansos.standing.active": (
        "Anda menerima program ini sejak {since}",
        "You have received this programme since {since}",
    ),
    "bansos.standing.pending": (
        "Pendaftaran Anda sedang diverifikasi (sejak {since})",
        "Your application is being checked (since {since})",
    ),
    "bansos.standing.ended": (
        "Pernah menerima, sudah berakhir ({since})",
        "Received before, now ended ({since})",
    ),
    "bansos.blocked.receiving": ("Tidak perlu mendaftar lagi.", "No need to apply again."),
    "bansos.blocked.verifying": (
        "Tunggu hasil verifikasinya; tidak perlu mendaftar lagi.",
        "Please wait for the check; no need to apply again.",
    ),
    "bansos.blocked.cluster_taken": (
        "Tidak bisa dipilih: NIK Anda sudah terdaftar di {program} ({status}), yang membantu "
        "kebutuhan yang sama ({need}).",
        "Cannot be chosen: your NIK is already enrolled in {program} ({status}), which helps "
        "with the same need ({need}).",
    ),
    "bansos.blocked.not_at_kiosk": (
        "Pendaftaran program ini tidak lewat kios: tanyakan di kantor desa.",
        "This programme does not take applications at the kiosk: ask at the village office.",
    ),
    "bansos.held.active": ("aktif", "active"),
    "bansos.held.pending": ("sedang diverifikasi", "being checked"),
    "bansos.need.pangan": ("pangan", "food"),
    "bansos.need.tunai": ("uang tunai", "cash"),
    "bansos.need.kesehatan": ("kesehatan", "health"),
    "photo.ask": ("Tambah foto?", "Add a photo?"),
    "photo.hint": (
        "Foto membantu petugas melihat masalahnya. Letakkan foto (cetak, atau di layar ponsel) "
        "di baki, di bawah kamera.",
        "A photo helps the officer see the problem. Put the picture (printed, or on your "
        "phone's screen) on the tray, under the camera.",
    ),
    "photo.add": ("Ya, tambah foto", "Yes, add a photo"),
    "photo.aim": (
        "Arahkan foto ke kamera, lalu tekan Ambil foto",
        "Hold the picture under the camera, then press Take photo",
    ),
    "photo.take": ("Ambil foto", "Take photo"),
    "photo.taking": ("Mengambil foto…", "Taking the photo…"),
    "photo.keep_question": ("Pakai foto ini?", "Use this photo?"),
    "photo.keep": ("Pakai foto ini", "Use this photo"),
    "photo.retake": ("Ulangi", "Take it again"),
    "photo.review": ("Foto", "Photo"),
    "photo.attached": ("terlampir", "attached"),
    "review.notify": ("Kabari saya lewat SMS/WhatsApp", "Tell me by SMS/WhatsApp"),
    "form.type_own": ("Atau ketik sendiri:", "Or type your own:"),
}


def word(key: str, language: str) -> str:
    """The label ``key`` in ``language`` ("id" or "en"; anything else reads Indonesian)."""
    indonesian, english = WORDS[key]
    return english if language == "en" else indonesian


def pick(text: LocalizedText | None, language: str) -> str:
    """The half of a session's bilingual text for ``language``."""
    if text is None:
        return ""
    return text.en if language == "en" else text.id
