# Anjungan — the two commands a newcomer needs are `make demo` and `make test`.
# Both do all of their own set-up: Debian packages (apt-get, when root), a virtualenv in .venv,
# and the project installed into it with the extras they need.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo
DEMO_DIR ?= demo-output
VCARD_READER := build/ifd/libifd-vpcd-events.so

# `make demo` needs no PC/SC stack (its kiosk is simulated: no pcscd, no pyscard to build) and
# no PostgreSQL (its centre runs on SQLite): a venv, and for the touchscreen app on a machine
# without a screen Xvfb plus the GL, mtdev and X libraries the Kivy wheel's SDL2 loads.
KIVY_APT_PACKAGES := xvfb xauth libglib2.0-0 libgl1 libgl1-mesa-dri libegl1 libmtdev1 \
	libxrender1 libxext6
DEMO_APT_PACKAGES := python3-venv $(KIVY_APT_PACKAGES)

# Debian packages the test suite drives for real: pcscd + vpcd (smart-card stack), swig and the
# pcsclite headers (to build pyscard), PostgreSQL (the production database), Xvfb plus the GL,
# mtdev and X libraries the Kivy wheel's SDL2 loads (the touchscreen app, headless in tests),
# systemd (systemd-analyze checks the kiosk's units), CUPS for the A4 document printer's tests:
# cupsd and lpadmin, a driverless queue's PDF filter (cups-filters-core-drivers: pdftopdf) and
# ippeveprinter (cups-ipp-utils), the virtual IPP Everywhere printer the queue prints to, and
# dbus-daemon (ippeveprinter's DNS-SD client will not start without a bus; the tests run one);
# chromium + chromium-driver: the console's browser tests (tests/console) drive Debian's own
# headless Chromium through its matching chromedriver (Selenium); no browser is downloaded;
# espeak-ng (the app's spoken prompts, synthesised offline in Indonesian and English).
APT_PACKAGES := python3-venv python3-dev gcc pkg-config swig libpcsclite-dev pcscd \
	vsmartcard-vpcd postgresql $(KIVY_APT_PACKAGES) systemd cups-daemon cups-client \
	cups-ipp-utils cups-filters-core-drivers dbus-daemon chromium chromium-driver espeak-ng

.PHONY: help system-packages demo-packages venv demo-venv vcard-reader lint typecheck pytest \
	unit test demo bench openapi clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

# $(call apt_ensure,PACKAGES,TARGET): install the missing ones (root), else list them and stop.
define apt_ensure
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	  else \
	    echo "missing Debian packages:$$missing — run 'sudo make $(2)'"; exit 1; \
	  fi; \
	fi
endef

# setuptools warns at every editable install that folders in the checkout shadow the package,
# which is what an editable install is for: that one warning is silenced, no other.
PIP_INSTALL := PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install -q

# The venv and its pip, shared by both installs below.
define venv_base
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python >= 3.11 needed"; exit 1; }
	@test -x $(BIN)/python || { echo "making the virtualenv $(VENV)"; $(PYTHON) -m venv $(VENV); }
	@$(PIP_INSTALL) --upgrade pip
endef

system-packages:  ## install missing Debian packages (apt-get, only when root)
	$(call apt_ensure,$(APT_PACKAGES),system-packages)

demo-packages:  ## install the few Debian packages the demo needs (apt-get, only when root)
	$(call apt_ensure,$(DEMO_APT_PACKAGES),demo-packages)

$(STAMP): setup.cfg pyproject.toml
	@echo "installing the project and all its extras into $(VENV) (a few minutes the first time)"
	$(venv_base)
	$(PIP_INSTALL) -e '.[central,devices,app,test]'
	touch $@ $(DEMO_STAMP)

# Everything the full install has, the demo has too: a venv made by `make test` serves both.
$(DEMO_STAMP): setup.cfg pyproject.toml
	@echo "installing the project with the demo's extras into $(VENV) (about a minute the first time)"
	$(venv_base)
	$(PIP_INSTALL) -e '.[central,demo,app]'
	touch $@

venv: system-packages $(STAMP) $(VCARD_READER)  ## create .venv and install the project with its extras

# The tests' and benches' virtual card reader: a vpcd-compatible pcscd driver that reports card
# events instead of being polled every 400 ms (tests/vcard/ifd, docs/drivers-cards.md).
$(VCARD_READER): tests/vcard/ifd/ifd-vpcd-events.c | system-packages
	@mkdir -p $(@D)
	$(CC) -Wall -Wextra -Werror -O2 -fPIC -shared $$(pkg-config --cflags libpcsclite) \
		-o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@

vcard-reader: $(VCARD_READER)  ## build the event-driven virtual card reader driver (tests, bench)

lint: venv  ## ruff
	$(BIN)/ruff check .

typecheck: venv  ## mypy: strict on common/, kiosk/, drivers/, central/, provisioning/; screens/, tests/, bench/ checked
	$(BIN)/mypy

pytest: venv  ## the whole pytest suite
	$(BIN)/pytest

unit: venv  ## the fast tier alone: in-process tests, no services (pytest -m unit)
	$(BIN)/pytest -m unit

test: lint typecheck pytest  ## everything CI runs: set-up, ruff, mypy, pytest

demo-venv: demo-packages $(DEMO_STAMP)  ## .venv with only what the demo uses

demo: demo-venv  ## seeded centre on SQLite, a scripted journey, then the touchscreen app (window, or Xvfb tour with screenshots)
	$(BIN)/kiosk demo --out $(DEMO_DIR)

# The issues' benchmark entry points; each runs its sub-benchmarks itself.
BENCHES := bench/central_ingest.py bench/login.py bench/drivers.py bench/services.py \
	bench/security.py bench/demo.py bench/capture.py bench/runtime.py bench/operations.py \
	bench/ui.py bench/console.py bench/console_scale.py bench/letters.py bench/public.py

bench: venv  ## every benchmark, each printing its figure beside its target
	@for b in $(BENCHES); do echo "== $$b"; $(BIN)/python $$b || exit 1; done

openapi: venv  ## rewrite the committed openapi.json from the running code
	$(BIN)/kiosk-central openapi > openapi.json

# The demo folder goes only when the demo's marker says it made it (DEMO_DIR may be overridden).
clean:  ## remove the virtualenv and generated output
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache build/ifd
	@if [ -f '$(DEMO_DIR)/.anjungan-demo-output' ]; then rm -rf '$(DEMO_DIR)'; \
	elif [ -e '$(DEMO_DIR)' ]; then echo "left $(DEMO_DIR): no demo marker in it"; fi
