#!/bin/sh
# DSM's web server runs this for /webman/3rdparty/equilybrium/api.cgi. All the work, the
# DSM login check included, is done by the bundled handler on Synology's newest node.
DSM_ROOT="${EQUILYBRIUM_DSM_ROOT:-}"
for version in 24 22; do
	node="$DSM_ROOT/var/packages/Node.js_v$version/target/usr/local/bin/node"
	if [ -x "$node" ]; then
		exec "$node" "$(dirname "$0")/../app/equilybrium-dsm-cgi.cjs"
	fi
done
printf 'Status: 500 Internal Server Error\r\nContent-Type: application/json\r\n\r\n{"error":"Node.js v22 from Synology is not installed; install it in Package Center"}'
