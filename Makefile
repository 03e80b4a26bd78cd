# dms-auto-recovery: every developer and CI entry point. `make` alone lists the targets.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
VENV_STAMP := $(VENV)/.installed
# checkov pins dependencies that conflict with moto's, so it lives in a venv of its own.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
LAMBDA_ZIP := dist/lambda.zip
ASL_SOURCE := asl_templates/dms_recovery.asl.json.j2
ASL_RENDERED := asl_templates/rendered/dms_recovery.asl.json.tftpl
LAMBDA_SOURCES := $(shell find lambda_src -name '*.py' -o -name '*.json' | sort)
PYTEST_ARGS ?=

# Offline Terraform: with TF_PLUGIN_MIRROR set, providers come from that filesystem mirror.
ifdef TF_PLUGIN_MIRROR
export TF_CLI_CONFIG_FILE := $(CURDIR)/build/terraformrc
endif

.PHONY: help venv build asl lint docs test test-terraform clean tf-cli-config

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-16s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(VENV_STAMP): requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV_STAMP) ## Create .venv from the pinned requirements

$(CHECKOV_STAMP): requirements-checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	touch $@

# Static security scan of the root module (with its submodules) and the examples, offline. Every
# skip is an inline `#checkov:skip=CKV_...:reason` beside the resource it concerns; any failed
# check fails the target. The summary line gives the passed / failed / skipped counts.
.PHONY: checkov
checkov: $(CHECKOV_STAMP) ## Security scan (checkov) of the module and examples, zero failed checks
	@mkdir -p build
	@$(CHECKOV_VENV)/bin/checkov --directory . --framework terraform --skip-download --quiet \
	  --compact --skip-path tests --skip-path build --skip-path '\.venv' > build/checkov.txt 2>&1 \
	  || { cat build/checkov.txt; exit 1; }
	@grep -m1 'Passed checks' build/checkov.txt

build: $(VENV_STAMP) asl ## Package the decider into dist/lambda.zip and render the ASL
	$(BIN)/python scripts/build_lambda.py --source lambda_src --output $(LAMBDA_ZIP)

asl: $(VENV_STAMP) ## Render the state machine template into asl_templates/rendered/
	$(BIN)/python scripts/render_asl.py --template $(ASL_SOURCE) --write-template $(ASL_RENDERED)

tf-cli-config:
ifdef TF_PLUGIN_MIRROR
	@mkdir -p build
	@printf 'provider_installation {\n  filesystem_mirror {\n    path    = "%s"\n    include = ["registry.terraform.io/*/*"]\n  }\n  direct {\n    exclude = ["registry.terraform.io/*/*"]\n  }\n}\n' "$(TF_PLUGIN_MIRROR)" > build/terraformrc
endif

# Terraform: the root module, every submodule and every example, each initialised without a
# backend (providers from the mirror when TF_PLUGIN_MIRROR is set).
TF_DIRS := . $(patsubst %/,%,$(sort $(dir $(wildcard modules/*/main.tf examples/*/main.tf))))

.PHONY: tf-validate
tf-validate: tf-cli-config ## terraform validate of the root module, every submodule and example
	@mkdir -p build
	@for dir in $(TF_DIRS); do \
	  terraform -chdir=$$dir init -backend=false -input=false -no-color > build/tf-init.log 2>&1 \
	    || { cat build/tf-init.log; exit 1; }; \
	  printf '%-28s ' "$$dir"; terraform -chdir=$$dir validate -no-color | grep -v '^$$'; \
	done

test-terraform: tf-cli-config ## Native terraform tests (tests/*.tftest.hcl, mocked provider)
	terraform init -backend=false -input=false -no-color > /dev/null
	terraform test -no-color

lint: $(VENV_STAMP) tf-cli-config ## Static checks: ruff, mypy, terraform fmt, generated-file drift
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	terraform fmt -check -recursive
	$(MAKE) tf-validate
	$(BIN)/python scripts/render_asl.py --template $(ASL_SOURCE) --check-template $(ASL_RENDERED)
	$(BIN)/python scripts/build_lambda.py --source lambda_src --check $(LAMBDA_ZIP)
	$(BIN)/python scripts/tf_docs.py --check
	$(MAKE) checkov

docs: $(VENV_STAMP) ## Regenerate the README's input/output tables from variables.tf / outputs.tf
	$(BIN)/python scripts/tf_docs.py --write

test: lint ## The whole gate: lint, then every test, offline
	$(MAKE) test-terraform
	$(BIN)/python -m pytest $(PYTEST_ARGS)

BENCH_ARGS ?=
.PHONY: bench
bench: $(VENV_STAMP) ## Benchmark this module against the seed's state machine (build/bench/, a few minutes)
	$(BIN)/python -m bench $(BENCH_ARGS)

SCENARIO ?= transient-outage
.PHONY: demo
demo: $(VENV_STAMP) tf-cli-config ## Deploy on a local moto server, inject a DMS failure, watch it (SCENARIO=transient-outage|operator-stop|data-error|throttling)
	$(BIN)/python -m demo --scenario "$(SCENARIO)"

clean: ## Remove the virtual environment and build output
	rm -rf $(VENV) $(CHECKOV_VENV) build .pytest_cache .mypy_cache .ruff_cache .hypothesis
