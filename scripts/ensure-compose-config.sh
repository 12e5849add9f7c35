#!/usr/bin/env bash
# Prints a command that does what `docker compose config` does — load docker-compose.yml with the
# Compose Specification's own loader (github.com/compose-spec/compose-go, the library docker compose
# uses), interpolate, validate and print the resolved model — for machines without the compose
# plugin. Uses `docker compose` itself when it is installed; otherwise builds a small program on
# compose-go once from the Go module proxy into the cache outside the repo (the compose plugin
# cannot be `go install`ed: its go.mod carries exclude directives). No prebuilt binary is fetched.
set -euo pipefail
if docker compose version >/dev/null 2>&1; then echo "docker compose"; exit 0; fi
VERSION=v2.16.2   # the newest compose-go this machine's Go builds
REVISION=2        # of the program below: bump it when main.go changes
cache="${KRITHI_STATE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/krithi-import}/bin"
bin="$cache/compose-config-$VERSION-r$REVISION"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
command -v go >/dev/null 2>&1 || { echo "neither docker compose nor a Go toolchain to build a checker" >&2; exit 1; }
mkdir -p "$cache"
tmp=$(mktemp -d "$cache/.compose-build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/main.go" <<'GO'
// compose-config: `docker compose config` without docker — load, interpolate, validate, print.
// Usage: compose-config [--env-file FILE] [--profile NAME]... [--format yaml|json] [-f FILE]...
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	var files, profiles []string
	envFile, format := "", "yaml"
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		if i+1 >= len(args) {
			fail(fmt.Errorf("%s needs a value", args[i]))
		}
		switch args[i] {
		case "-f", "--file":
			files = append(files, args[i+1])
		case "--env-file":
			envFile = args[i+1]
		case "--profile":
			profiles = append(profiles, args[i+1])
		case "--format":
			format = args[i+1]
		default:
			fail(fmt.Errorf("unknown argument %s", args[i]))
		}
		i++
	}
	fns := []cli.ProjectOptionsFn{cli.WithOsEnv, cli.WithProfiles(profiles)}
	if envFile != "" {
		fns = append(fns, cli.WithEnvFiles(envFile))
	}
	fns = append(fns, cli.WithDotEnv, cli.WithDefaultConfigPath)
	opts, err := cli.NewProjectOptions(files, fns...)
	if err != nil {
		fail(err)
	}
	project, err := opts.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	var out []byte
	if format == "json" {
		out, err = project.MarshalJSON()
	} else {
		out, err = project.MarshalYAML()
	}
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
GO
echo "building compose-config (compose-go $VERSION) into $cache (once)…" >&2
(
  cd "$tmp"
  export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS=-mod=mod
  go mod init krithi-import/compose-config >/dev/null 2>&1
  go get "github.com/compose-spec/compose-go/v2@$VERSION" >&2
  go build -o compose-config . >&2
)
mv "$tmp/compose-config" "$bin"
echo "$bin"
