#!/bin/sh
# The URL-encoded sign of a path on a running Filebridge (admin / bench-pass), for /d and /p URLs.
#   bench/lib/wrk/sign.sh <port> </path>
TOK=$(curl -s -X POST -H 'content-type: application/json' -d '{"username":"admin","password":"bench-pass"}' "http://127.0.0.1:$1/api/auth/login" | node -pe 'JSON.parse(require("fs").readFileSync(0)).data.token')
curl -s -X POST -H "Authorization: $TOK" -H 'content-type: application/json' -d "{\"path\":\"$2\"}" "http://127.0.0.1:$1/api/fs/get" | node -pe 'encodeURIComponent(JSON.parse(require("fs").readFileSync(0)).data.sign)'
