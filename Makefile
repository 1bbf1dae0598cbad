# Pawport. `make dev` runs the whole system locally; `make test` runs every test.
# Both install what is missing first: Debian packages, then a venv from pinned requirements.
VENV := .venv
PY := $(VENV)/bin/python
SERVICES := api control egress workers
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.txt constraints.txt services/*/requirements.txt shared/pyproject.toml | sha1sum | cut -c1-12)

.PHONY: install dev lint test bench package token user migration wakes rebuild-projections mail remind clean
.DEFAULT_GOAL := dev

# The web app: `npm ci` when its lock file changes, a build when its sources do (Node.js 20 and npm).
WEB_STAMP := web/node_modules/.installed-$(shell sha1sum web/package-lock.json | cut -c1-12)
WEB_SOURCES := $(shell find web/src web/public -type f) web/index.html web/package.json web/vite.config.ts web/tsconfig.json

install: $(STAMP) web/dist/index.html

$(WEB_STAMP): web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	rm -f web/node_modules/.installed-* && touch $@

web/dist/index.html: $(WEB_STAMP) $(WEB_SOURCES)
	cd web && npm run --silent build

$(STAMP):
	./scripts/install-system.sh
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements-dev.txt -c constraints.txt
	rm -f $(VENV)/.installed-* && touch $@

dev: install
	$(PY) -m devstack.dev

# mypy once per service, with its directory on the path as its Lambda zip holds it (all four share the
# `chalicelib` namespace and each has an `app`); the import contracts (.importlinter) see all four at once.
lint: install
	$(PY) -m ruff check --quiet .
	for svc in $(SERVICES); do MYPYPATH=services/$$svc $(PY) -m mypy services/$$svc/app.py services/$$svc/chalicelib shared/pawport || exit 1; done
	PYTHONPATH=services/api:services/control:services/egress:services/workers $(VENV)/bin/lint-imports --no-logo

test: lint
	cd web && npx vitest run --silent
	$(PY) -m pytest

bench: install
	$(PY) -m bench

package: install  # chalice package per service into build/, cfn-lint, checkov (infra/DEPLOY.md)
	./infra/package.sh

token:
	@$(PY) -m devstack.token

user:  # with `make dev` running: make user email=someone@example.com (a confirmed user; prints an Id token)
	@$(PY) -m devstack.user "$(email)"

migration:  # with `make dev` running: make migration m="what changed"
	$(PY) -m devstack.alembic_cli revision --autogenerate -m "$(m)"

wakes:  # with `make dev` running: Aurora's awake time from control's wake ledger
	@$(PY) -m devstack.wakes

mail:  # with `make dev` running: the mail its local SES has sent (reminders, invitations)
	@$(PY) -m devstack.mail_cli

remind:  # with `make dev` running: the next daily reminder run, now (or: make remind day=YYYY-MM-DD)
	@$(PY) -m devstack.remind $(if $(day),--day $(day))

rebuild-projections:  # with `make dev` running: every projection item in DynamoDB again from Aurora
	@$(PY) -m devstack.rebuild_projections

clean:
	rm -rf .local build
