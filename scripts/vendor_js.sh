#!/bin/sh
# Copy the browser libraries that templates use from node_modules/ (installed by
# `npm ci` from package-lock.json) into the git-ignored fieldcast/static/vendor/:
#
#   vendor/htmx.min.js
#   vendor/leaflet/leaflet.js
#   vendor/leaflet/leaflet.js.map   (leaflet.js names it; collectstatic's manifest
#                                    storage fails on a sourceMappingURL it cannot find)
#   vendor/leaflet/leaflet.css
#   vendor/leaflet/images/*.png     (leaflet.css refers to them relatively)
#   vendor/hls.min.js (+ .map)       the adaptive player
#   vendor/tus.min.js (+ .map)       resumable uploads (tus-js-client)
#
# The folder is rebuilt from scratch each time so nothing stale survives an upgrade.
set -eu

root=$(CDPATH='' cd -- "$(dirname -- "$0")/.." && pwd)
src="$root/node_modules"
dest="$root/fieldcast/static/vendor"

for f in htmx.org/dist/htmx.min.js leaflet/dist/leaflet.js leaflet/dist/leaflet.js.map \
         leaflet/dist/leaflet.css leaflet/dist/images hls.js/dist/hls.min.js hls.js/dist/hls.min.js.map \
         tus-js-client/dist/tus.min.js tus-js-client/dist/tus.min.js.map; do
    if [ ! -e "$src/$f" ]; then
        echo "vendor_js: $src/$f is missing; run 'npm ci' first" >&2
        exit 1
    fi
done

rm -rf "$dest"
mkdir -p "$dest/leaflet/images"
cp "$src/htmx.org/dist/htmx.min.js" "$dest/htmx.min.js"
cp "$src/leaflet/dist/leaflet.js" "$src/leaflet/dist/leaflet.js.map" "$src/leaflet/dist/leaflet.css" "$dest/leaflet/"
cp "$src"/leaflet/dist/images/*.png "$dest/leaflet/images/"
cp "$src/hls.js/dist/hls.min.js" "$src/hls.js/dist/hls.min.js.map" "$dest/"
cp "$src/tus-js-client/dist/tus.min.js" "$src/tus-js-client/dist/tus.min.js.map" "$dest/"

htmx_version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$src/htmx.org/package.json" | head -n 1)
leaflet_version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$src/leaflet/package.json" | head -n 1)
echo "vendor_js: htmx $htmx_version, leaflet $leaflet_version -> fieldcast/static/vendor/"
