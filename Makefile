# The two set-up commands: `make run` and `make test`. Python 3.12+ is required.
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
PYTHON_FOR_VENV := $(shell for p in python3.13 python3.12 \
	"$$(pyenv root 2>/dev/null)/versions/$$(cat .python-version 2>/dev/null)/bin/python" \
	$$(ls -d "$$(pyenv root 2>/dev/null)"/versions/3.1[2-9]*/bin/python 2>/dev/null) python3; do \
	command -v "$$p" >/dev/null 2>&1 && "$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo "$$p"; break; }; done)

.PHONY: run test install lint check serve messages

$(BIN)/python:
	@test -n "$(PYTHON_FOR_VENV)" || { echo "Python 3.12 or newer is required (see README)."; exit 1; }
	"$(PYTHON_FOR_VENV)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# The Azerbaijani and Russian catalogues (locale/) compiled for Django; GNU gettext's msgfmt does it.
messages: install
	@command -v msgfmt >/dev/null 2>&1 || { test "$$(id -u)" = 0 && apt-get update -qq \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null; } \
		|| { echo "GNU gettext (msgfmt) is needed to compile the translations: install the gettext package."; exit 1; }
	$(BIN)/python manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0

run: messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_initial_data
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	PORT=$(PORT) $(BIN)/gunicorn --config gunicorn.conf.py paralympics.wsgi

test: messages
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The catalogues from the code and templates, after adding or changing words: then translate the new ones.
.PHONY: makemessages
makemessages: install
	$(BIN)/python manage.py makemessages --locale az --locale ru --add-location file --no-obsolete \
		--ignore=.venv --ignore=node_modules --ignore=team/tests --ignore=bench --ignore=staticfiles

check: install
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Backups: every editor-made record, corrections, history and accounts included, as JSON
# readable by its owner only (it holds password hashes); see team/management/commands/backup.py.
BACKUP_DIR ?= backups

.PHONY: backup restore
backup: install
	$(BIN)/python manage.py backup --dir $(BACKUP_DIR)

# Into an empty database only: make restore FILE=backups/backup-….json
restore: install
	@test -n "$(FILE)" || { echo "Usage: make restore FILE=backups/backup-….json"; exit 1; }
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py restore "$(FILE)"

# The benchmark, with Datasette as a peer (wrk is installed from Debian's packages when missing, Datasette
# from bench/requirements.txt into a venv of its own under bench/out/); see bench/RESULTS.md. 10-12 minutes.
.PHONY: bench
bench: messages
	$(BIN)/python bench/run.py

# The fault drill: Redis, PostgreSQL and a worker failing under load, then a flood of unique addresses,
# on a PostgreSQL and a Redis of its own (never the machine's); needs root. See bench/faults.py.
.PHONY: faults
faults: messages
	$(BIN)/python bench/faults.py

# Lighthouse (pinned in package.json, installed with npm ci) on the site served as in production: every
# category of the team page, an athlete, the schedule, /az/ and /ru/schedule/, phone and desktop, must score 100. See .ci/lighthouse.
.PHONY: lighthouse
lighthouse: messages
	$(BIN)/python .ci/lighthouse

# Full-page PNGs of the same pages at 390 and 1280 px, light and dark, into screenshots/. See .ci/screenshots.
.PHONY: screenshots
screenshots: messages
	$(BIN)/python .ci/screenshots
