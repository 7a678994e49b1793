# Portcullis: every command a developer or CI needs. `make help` lists them.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

STAGE ?= dev
# The project's name (stacks are $(PROJECT)-<stage>), from its one place.
PROJECT ?= $(shell sed -n 's/^\tProject = "\(.*\)"$$/\1/p' contract/project.go)

# The Go modules of the repository: the app, the construct library that
# platform teams require on its own (constructs/go.mod), and a platform team's
# app around it (test/consumer, on go 1.24). Each gate runs in each.
MODULES := . constructs test/consumer

# The pinned CDK CLI and a Node 22 runtime come from package-lock.json. jsii
# (the CDK's Go-to-JavaScript bridge) and the CLI both run that node, so no
# end-of-life banner from an older system Node reaches the output. Where npm
# has no Node 22 package for the platform, the system node is used.
NODE_BIN := $(CURDIR)/node_modules/.bin
export PATH := $(NODE_BIN):$(PATH)
export JSII_NODE = $(firstword $(wildcard $(NODE_BIN)/node) $(shell command -v node))

NPM_STAMP := node_modules/.package-lock.json

# Fuzzing budget per target. An execution count (Nx) has no deadline, so a
# loaded machine makes it slower, never red: a time budget (-fuzztime 3s)
# trips a race in Go's fuzzing coordinator before Go 1.27 (golang/go#75804)
# and fails with "context deadline exceeded" and no crasher. For a longer
# exploration: make fuzz FUZZTIME=60s.
FUZZTIME ?= 2000x

.PHONY: release-check help deps synth deploy github-oidc actionlint diff destroy dev dev-reset smoke smoke-local load test jsii-cache tidy-check vet fmt-check gotest gotest-app gotest-constructs gotest-consumer fuzz sizes calls bench update-golden web web-size browser-test

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

deps: $(NPM_STAMP) ## install the pinned CDK CLI, Node 22 and Go modules
	@for m in $(MODULES); do go -C $$m mod download; done
	@$(JSII_NODE) -e 'const [maj] = process.versions.node.split("."); if (+maj < 22) { console.error(`Node $${process.version} is too old for jsii and the CDK CLI; install Node 22+`); process.exit(1) }'

# The edit loop's synth leaves CDK's built-in CloudFormation validation (the
# CloudFormation Validate rules compiled for every resource type: about half
# of a synth's CPU) to the gates that run it on every change: make test
# synthesizes every stage with it, make deploy and a plain `cdk synth` or
# `cdk deploy` run it (cdk.json's @aws-cdk/core:validateAgainstDefaultRules
# makes a finding an error).
EDIT_SYNTH := CDK_VALIDATION=false cdk synth --quiet

synth: deps ## synthesize every stage into cdk.out (no AWS account needed; make test and make deploy validate)
	$(EDIT_SYNTH)

# The local stack reads a stage's template (make dev: STAGE's, the dev
# stage's by default; smoke-local, load and bench: dev's); it is synthesized
# again, that stage only, when a source (the app, a construct or a handler,
# which is bundled) changed.
DEV_TEMPLATE := cdk.out/$(PROJECT)-dev.template.json
STAGE_TEMPLATE := cdk.out/$(PROJECT)-$(STAGE).template.json
SOURCES := $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './cdk.out/*') cdk.json go.mod go.sum constructs/go.mod constructs/go.sum
cdk.out/$(PROJECT)-%.template.json: $(SOURCES) | $(NPM_STAMP)
	$(EDIT_SYNTH) -c stage=$* $(PROJECT)-$*

# The CDK CLI and the assembly directory; tests substitute both.
CDK ?= cdk
CDK_OUT ?= cdk.out

# Synthesizes the stage with CDK's CloudFormation validation whatever the
# shell says (deploy=true makes the app refuse a stage that still
# has placeholder URLs or email sender: stage.CheckDeployable), refuses a
# change that would replace or delete a stateful resource of the deployed
# stack (GetTemplate, same rules as the snapshot test), then deploys exactly
# the synthesis it checked.
deploy: deps ## deploy one stage: make deploy STAGE=dev [ACCEPT_REPLACEMENT=<logical id>]
	CDK_VALIDATION=true $(CDK) synth --quiet -c stage=$(STAGE) -c deploy=true --output $(CDK_OUT) $(PROJECT)-$(STAGE)
	go run ./cmd/deploycheck -stack $(PROJECT)-$(STAGE) -template $(CDK_OUT)/$(PROJECT)-$(STAGE).template.json \
		$(if $(ACCEPT_REPLACEMENT),-accept-replacement $(ACCEPT_REPLACEMENT)) $(if $(CHECK_ROLE_ARN),-role-arn $(CHECK_ROLE_ARN)) \
		$(if $(CHECK_WITH_BOOTSTRAP_ROLE),-bootstrap-role)
	$(CDK) deploy --app $(CDK_OUT) $(DEPLOY_FLAGS) $(PROJECT)-$(STAGE)

# Once per account, before the workflow's first deploy: the account's stack
# holds one role per stage (each environment's AWS_DEPLOY_ROLE_ARN). Stages
# that name their own Account each have a stack <project>-github-<account>:
# GITHUB_STACK names it.
GITHUB_STACK ?= $(PROJECT)-github
github-oidc: deps ## GitHub's OIDC provider and one deploy role per stage: make github-oidc REPO=owner/name [GITHUB_STACK=...]
	@[ -n "$(REPO)" ] || { echo "usage: make github-oidc REPO=owner/name"; exit 2; }
	$(CDK) deploy -c github-repository=$(REPO) $(GITHUB_STACK)

# The workflow's files, checked as GitHub would run them.
actionlint:
	go tool actionlint

diff: deps ## show what deploying STAGE would change
	cdk diff -c stage=$(STAGE) $(PROJECT)-$(STAGE)

destroy: deps ## delete STAGE's stack (retained resources stay)
	cdk destroy -c stage=$(STAGE) $(PROJECT)-$(STAGE)

# Each stage keeps its own state (.dev/state/<stage>): dev's users do not
# sign in to prod.
dev: $(STAGE_TEMPLATE) ## run a stage on this machine (STAGE=dev by default, STAGE=prod): the web app on http://localhost:5173/, local Cognito, DynamoDB, S3 and API (Ctrl-C stops it); MFA=required makes sign-in enrol TOTP
	go run ./cmd/dev -template $(STAGE_TEMPLATE) -state-dir .dev/state/$(STAGE) -synth-stage $(STAGE) $(if $(MFA),-mfa $(MFA))

dev-reset: ## forget make dev's users, items and objects of every stage (.dev/state)
	rm -rf .dev/state

# `make smoke` checks the local stack of `make dev`; `make smoke STAGE=dev`
# checks the deployed stage (AWS credentials from the usual environment).
smoke: deps ## sign up, sign in and call every endpoint: the local stack, or a deployed one with STAGE=dev
	go run ./cmd/smoke $(if $(filter command line environment,$(origin STAGE)),-stage $(STAGE))

# The local stack on free ports, the smoke run and a short load run against
# it, then Ctrl-C; the stack's DynamoDB and S3 ports must be closed
# afterwards (no process left). `make load` is the same with the load run
# alone, at its default size or LOAD_FLAGS. The commands are built into
# .build/bin, where go build links again only what changed.
LOAD_FLAGS ?=
LOAD_TEST_FLAGS := -users 3 -duration 3s
smoke-local: $(DEV_TEMPLATE)
smoke-local: LOCAL_RUN = "$$tmp/smoke" -info "$$tmp/stack.json" && "$$tmp/load" -info "$$tmp/stack.json" $(LOAD_TEST_FLAGS)
load: $(DEV_TEMPLATE) ## N users sign in and mix todo and photo calls for T s against a local stack: make load [LOAD_FLAGS='-users 8 -duration 20s']
load: LOCAL_RUN = "$$tmp/load" -info "$$tmp/stack.json" $(LOAD_FLAGS)
smoke-local load:
	@tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	go build -o .build/bin/ ./cmd/dev ./cmd/smoke ./cmd/load && cp .build/bin/dev .build/bin/smoke .build/bin/load "$$tmp/"; \
	"$$tmp/dev" -api-port 0 -cognito-port 0 -identity-port 0 -web-port 0 -web-dir "$$tmp/web" -info "$$tmp/stack.json" -quiet $(if $(MFA),-mfa $(MFA)) > "$$tmp/dev.log" 2>&1 & pid=$$!; \
	for _ in $$(seq 600); do [ -s "$$tmp/stack.json" ] || ! kill -0 $$pid 2>/dev/null && break; sleep 0.1; done; \
	if [ ! -s "$$tmp/stack.json" ]; then cat "$$tmp/dev.log"; kill $$pid 2>/dev/null; exit 1; fi; \
	ports=$$(grep -oE '"(dynamodb|s3)Endpoint": "http://127.0.0.1:[0-9]+' "$$tmp/stack.json" | grep -oE '[0-9]+$$'); \
	rc=0; $(LOCAL_RUN) || rc=$$?; \
	kill -INT $$pid; wait $$pid || { echo "make dev did not stop cleanly:"; cat "$$tmp/dev.log"; rc=1; }; \
	for p in $$ports; do if (exec 3<>/dev/tcp/127.0.0.1/$$p) 2>/dev/null; then echo "port $$p still open after Ctrl-C"; rc=1; fi; done; \
	exit $$rc

# make test runs its gates side by side: the long test packages spend much
# of their time waiting (on servers, the aws CLI, a browser, retries), and
# the fuzzing, the smoke run and the other modules' tests use that time.
# The longest gates start first; each gate's output is printed whole when
# it ends. TEST_JOBS=1 runs them one after another.
TEST_JOBS ?= 3
GATES := gotest-app fuzz smoke-local gotest-constructs gotest-consumer vet tidy-check fmt-check actionlint

# Before the gates, what several of them share is made once: the jsii
# packages (make jsii-cache) and the dev stage's synth, which compiles the
# functions for Lambda. Started side by side on an empty Go build cache (a
# new machine), the gates that synthesize would each compile the AWS SDK for
# linux/arm64 at the same time: go build shares compiled packages between
# processes only once they are in the cache.
test: deps ## every gate: go.mod tidy, vet, gofmt, workflow lint, unit, template and handler tests, local smoke run, short fuzzing
	@$(MAKE) --no-print-directory jsii-cache
	@$(MAKE) --no-print-directory $(DEV_TEMPLATE)
	@$(MAKE) --no-print-directory -j$(TEST_JOBS) --output-sync=target $(GATES)

# Both modules' jsii packages in the jsii package cache before the gates run
# their test binaries side by side: on an empty cache (a new machine) they
# would all unpack aws-cdk-lib at once and time out on the cache's lock.
jsii-cache:
	@go run ./cmd/jsiicache & go -C constructs run ./internal/jsiicache; s=$$?; wait $$! && exit $$s

# go.mod must list what the code imports, direct dependencies as direct.
tidy-check:
	@for m in $(MODULES); do \
		out=$$(go -C $$m mod tidy -diff) || { echo "$$m/go.mod is not tidy (run go mod tidy in $$m):"; echo "$$out"; exit 1; }; \
	done

vet:
	for m in $(MODULES); do go -C $$m vet ./...; done

fmt-check:
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Test binaries are linked without DWARF (-w: the debugger's tables, which
# no test reads): a third less CPU for each of the hundred links make test
# does. go test -c builds one to debug. go test's own vet (a few of vet's
# analyzers) is off: the vet gate runs them all over the same packages.
TESTFLAGS := -count=1 -ldflags=-w -vet=off

# The app module's longest test packages, longest first: go test starts its
# packages in the order given, -p at a time, so the short ones run beside
# the longest instead of a long one starting last. Its test packages wait
# more than they compute (on servers, the aws CLI, a browser), so four run
# at once on two cores: with three, the fourth long one and every short one
# after it waited for the first three to end.
LONG_TESTS := ./internal/devstack ./internal/emulated/localcognito ./test/browser ./test

gotest: gotest-app gotest-constructs gotest-consumer

gotest-app:
	go test $(TESTFLAGS) -p 4 $(wildcard $(LONG_TESTS)) ./...

gotest-constructs gotest-consumer: gotest-%:
	go -C $(filter %$*,$(MODULES)) test $(TESTFLAGS) ./...

# Every fuzz target in either module, found by name, for FUZZTIME each (run
# from its package's directory, so in its own module): a target added later
# is fuzzed without touching this file. A finding fails with the
# input go test wrote to the package's testdata/fuzz (the reproducer).
fuzz: ## fuzz every Fuzz* target (FUZZTIME=2000x executions each; FUZZTIME=60s for longer)
	@log=$$(mktemp); trap 'rm -f "$$log"' EXIT; \
	grep -rl --include='*_test.go' '^func Fuzz' . | grep -v node_modules | sort | while read -r f; do \
		dir=$$(dirname "$$f"); \
		for t in $$(grep -o '^func Fuzz[A-Za-z0-9_]*' "$$f" | cut -d' ' -f2); do \
			echo "fuzz $$dir $$t"; \
			go -C "$$dir" test -ldflags=-w -vet=off -run '^$$' -fuzz "^$$t\$$" -fuzztime $(FUZZTIME) . > "$$log" 2>&1 \
				|| { cat "$$log"; exit 1; }; \
		done; \
	done

# The SPA (web/src) bundled by the pinned esbuild into .build/web; stages
# deploy the same files with their own config.json.
web: deps ## build the web app into .build/web
	go run ./web/cmd/webbuild .build/web

web-size: deps ## the web app's first-load transfer size (gzip) against its 100 KB budget
	go test -count=1 -run TestFirstLoadWithinBudget -v ./web | grep -v -e '^=== RUN' -e '^--- PASS' -e '^PASS'

# The whole user journey in headless Chromium; screenshots of each screen
# land in test/browser/screenshots.
browser-test: deps ## the web app's user journey in headless Chromium (screenshots: test/browser/screenshots)
	go test -count=1 -v -run 'TestJourney' ./test/browser

sizes: deps ## each function's zip size against an aws-lambda-go hello world
	go test -count=1 ./test -run TestBundleSizes -v | grep -v '^=== RUN'

# One table: zip sizes and cold starts against an aws-lambda-go hello world
# (on arm64 too, emulated, where qemu-aarch64 is installed), synth against an
# empty app, the handlers' in-process cost, make dev's time to ready and an
# edit's time to live, make test's wall time; each row with goal, verdict and
# the command that measured it, ratios of medians of interleaved runs.
# BENCHFLAGS=-skip-test leaves make test out.
bench: $(DEV_TEMPLATE) ## measure sizes, cold starts, synth, handlers, make dev and make test against their goals
	go run ./cmd/bench $(BENCHFLAGS)

calls: deps ## the AWS calls each endpoint makes, counted against local DynamoDB and S3
	go test -count=1 -run TestAWSCalls -v ./lambdas/todos ./lambdas/photos ./lambdas/profile ./lambdas/random \
		| grep -v -e '^=== ' -e '^--- ' -e '^PASS' -e '^ok '

# A release of the construct library (tag constructs/vX.Y.Z) passes make test
# and these: the consumer module on the library's floor versions (its go.mod
# tidy and not raised), every construct's logical-id record, the examples in
# the package docs, the module boundary, and, with VERSION, a changelog entry
# for it that no tag has yet.
release-check: deps ## the construct library's release gates: make release-check [VERSION=0.1.0]
	@out=$$(go -C test/consumer mod tidy -diff) || { echo "test/consumer/go.mod is not tidy:"; echo "$$out"; exit 1; }
	go -C test/consumer test -count=1 ./...
	go -C constructs test -count=1 -run 'TestLogicalIDsAreStable|TestDocShowsExamples|TestLibraryLinksNothingOfTheApp' ./...
	@if [ -n "$(VERSION)" ]; then \
		grep -q '^## \[$(VERSION)\]' constructs/CHANGELOG.md || { echo "constructs/CHANGELOG.md has no ## [$(VERSION)] section"; exit 1; }; \
		! git rev-parse -q --verify "refs/tags/constructs/v$(VERSION)" >/dev/null || { echo "tag constructs/v$(VERSION) exists"; exit 1; }; \
	fi

update-golden: deps ## rewrite test/testdata after an intended template change
	go test ./test -update
