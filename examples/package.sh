#!/bin/sh
# Rebuilds the archives that http-demo.yaml uploads from the chart and profile folders beside them:
# charts/<app>.tgz holds <app>/ (as `helm package` makes it), profiles/<app>.tgz holds the profile's files.
set -eu
cd "$(dirname "$0")"
for app in http-server http-client; do
    tar -czf "charts/$app.tgz" -C charts "$app"
    tar -czf "profiles/$app.tgz" -C "profiles/$app" .
done
