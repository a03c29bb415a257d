# Registry fixtures for image-pull tests (sourced after tests/lib.sh, which gives WORK, TOP,
# STARTED_PIDS, free_port, wait_until, check).
#
#   . "$TOP/tests/lib.sh"; . "$TOP/tests/registry/registry.sh"
#   registry_start_plain                      # or _basic, _token, _tls, or registry_start OPTIONS
#                                             # (_basic/_token [USER PASS]: default tether and
#                                             # basic-secret / token-secret)
#   registry_push_images busybox multiarch    # names below; none given = all but bench
#   pull "$IMAGE_BUSYBOX_REF" ...             # the client under test, with the variables below
#
# Everything lives under $WORK and every process is recorded in STARTED_PIDS, so lib.sh's exit
# trap ends it. Only Debian packages are used (docker-registry 2.8, skopeo, apache2-utils,
# openssl, python3-cryptography, zstd, busybox-static); nothing comes from a remote registry.
#
# Variables a start function exports (the last registry started; each start uses a new folder,
# so a test may run several registries one after another and keep copies of what it needs):
#   REGISTRY             host:port of the registry, e.g. 127.0.0.1:23456
#   REGISTRY_URL         http://REGISTRY or https://REGISTRY
#   REGISTRY_PID         the docker-registry process
#   REGISTRY_DIR         its folder: config.yml, storage/ (the blob store), certs, htpasswd
#   REGISTRY_LOG         its log ($WORK/registry-N.log, kept as a test artifact)
#   REGISTRY_USER, REGISTRY_PASSWORD   credentials (basic and token variants; empty otherwise)
#   REGISTRY_CA          the private CA's PEM (TLS variant; empty otherwise), for curl --cacert
#   REGISTRY_CERT_DIR    a folder holding ca.crt, for skopeo --*-cert-dir (TLS variant)
#   TOKEN_URL            the token realm, http://127.0.0.1:PORT/token (token variant)
#   TOKEN_SERVICE        the service name the registry asks tokens for (token variant)
#   TOKEN_PID, TOKEN_LOG the token server and its JSON-lines request log (token variant)
#
# Images (registry_push_images NAME...; repository tether-test/NAME, tag 1.0; all built from
# /bin/busybox of busybox-static by make-images.py, deterministically, in $WORK/images):
#   busybox      runnable amd64 busybox, Cmd ["sh"], one gzip layer
#   multiarch    OCI index: linux/amd64 (busybox + /platform "amd64\n") and linux/arm64/v8
#                (one small layer, /platform "arm64\n", no runnable shell)
#   zstd         busybox (gzip) + top layer application/vnd.oci.image.layer.v1.tar+zstd with
#                /zstd-marker "zstd\n"
#   whiteout     busybox; lower layer /data/keep, /data/gone, /opq/old, /opq/sub/old2; upper
#                layer /data/.wh.gone and /opq/.wh..wh..opq + /opq/new. Expected result:
#                /data/keep only in /data, /opq holds only "new".
#   docker-v2s2  busybox pushed as Docker schema 2 (skopeo --format v2s2):
#                application/vnd.docker.distribution.manifest.v2+json, rootfs.diff.tar.gzip
#   bench        busybox + 8 layers of 5 MiB pseudo-random bytes (gzip -1), ~40 MiB; sizes from
#                BENCH_LAYERS / BENCH_LAYER_MIB. Not pushed unless named.
#   corrupt      busybox + a layer of its own (/corrupt-marker), the one registry_corrupt_image
#                spoils; no other image shares that blob.
#   hostile-dotdot    single layer: "ok" and "../tether-escape-dotdot"
#   hostile-absolute  single layer: "ok" and the absolute "$HOSTILE_ESCAPE_DIR/absolute"
#   hostile-symlink   single layer: "link" -> $HOSTILE_ESCAPE_DIR, then "link/through-symlink"
#   hostile-hardlink  single layer: "ok" and "passwd" hard-linked to /etc/passwd
#   hostile-chardev   single layer: "ok" and "mem", character device 1,1
# A client must refuse every hostile image; a file appearing in $HOSTILE_ESCAPE_DIR (or
# ../tether-escape-dotdot next to the extraction folder: extract below $WORK to see it) means
# it did not. hostile-absolute and hostile-symlink name $HOSTILE_ESCAPE_DIR, so their digests
# change from one run to the next; every other image's digests are the same on every run.
#
# Variables registry_push_images sets, for each NAME (upper case, '-' as '_'), e.g. for busybox:
#   IMAGE_BUSYBOX_REF     REGISTRY/tether-test/busybox:1.0
#   IMAGE_BUSYBOX_REPO    tether-test/busybox
#   IMAGE_BUSYBOX_DIGEST  the pushed manifest's (or index's) digest, also written to
#                         $REGISTRY_DIR/digests/NAME
# and for multiarch, IMAGE_MULTIARCH_AMD64_DIGEST and IMAGE_MULTIARCH_ARM64_DIGEST (the
# per-platform manifests). $WORK/images/images.json describes every image (layers, diff_ids).
#
# Other helpers (each documented where defined):
#   registry_corrupt_blob DIGEST, registry_corrupt_image NAME   spoil a blob in storage
#   cut_proxy_start BYTES       sets CUT_PROXY, CUT_PROXY_URL, CUT_PROXY_LOG, CUT_PROXY_PID
#                               (BYTES counts body bytes; the headers always pass whole)
#   registry_curl ARGS          curl with the variant's CA and basic credentials
#   registry_token SCOPE        a bearer token from the token server
#   registry_push_curl LAYOUT REPO TAG   push without skopeo (what it would refuse)
#   hostile_escapes             true when nothing landed in $HOSTILE_ESCAPE_DIR
# TOKEN_EXPIRES_IN (seconds, default 300) and TOKEN_ANONYMOUS_PULL=1 (tokens for pull without
# credentials), set before registry_start_token, change the token server's behaviour.
# REGISTRY_LOG holds the registry's access log ("GET /v2/... HTTP/1.1" 200 ...): a test can
# count the requests a pull made.
#
# Start times on a loaded 2-core host: plain, basic, TLS about 0.3-0.6 s; token about 2 s
# (two RSA keys); building every image ~2 s (+3 s for bench), pushing them ~5 s.

REGISTRY_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOSTILE_ESCAPE_DIR=$WORK/escaped
REGISTRY_COUNT=0
REGISTRY_REPO_PREFIX=tether-test

# registry_start [--tls] [--basic USER PASS | --token USER PASS]: starts docker-registry on a
# free loopback port with its storage under $WORK and waits until /v2/ answers (401 counts:
# it is up). Sets and exports the REGISTRY* (and TOKEN*) variables listed above. Retries on
# another port when someone took the chosen one between the check and the bind.
registry_start() {
	local tls="" auth="" user="" password="" attempt
	while [ $# -gt 0 ]; do
		case "$1" in
		--tls) tls=1; shift ;;
		--basic | --token) auth=${1#--}; user=$2; password=$3; shift 3 ;;
		*) echo "registry_start: unknown option $1" >&2; return 2 ;;
		esac
	done
	REGISTRY_COUNT=$((REGISTRY_COUNT + 1))
	REGISTRY_DIR=$WORK/registry-$REGISTRY_COUNT
	REGISTRY_LOG=$WORK/registry-$REGISTRY_COUNT.log
	REGISTRY_USER=$user REGISTRY_PASSWORD=$password REGISTRY_CA="" REGISTRY_CERT_DIR=""
	TOKEN_URL="" TOKEN_SERVICE="" TOKEN_PID="" TOKEN_LOG=""
	mkdir -p "$REGISTRY_DIR/storage" "$REGISTRY_DIR/digests"
	[ -n "$tls" ] && { registry_make_tls "$REGISTRY_DIR" || return 1; }
	case "$auth" in
	basic)
		# docker-registry 2.8 accepts only bcrypt entries.
		htpasswd -Bbn "$user" "$password" >"$REGISTRY_DIR/htpasswd" || return 1 ;;
	token) token_server_start "$REGISTRY_DIR" "$user" "$password" || return 1 ;;
	esac
	for attempt in 1 2 3 4 5; do
		local port
		port=$(free_port)
		REGISTRY=127.0.0.1:$port
		REGISTRY_URL=${tls:+https}://$REGISTRY
		[ -n "$tls" ] || REGISTRY_URL=http://$REGISTRY
		registry_write_config "$port" "$tls" "$auth" >"$REGISTRY_DIR/config.yml"
		# docker-registry reads every REGISTRY_* variable as a configuration override, and
		# ours (REGISTRY_LOG...) are such names: it gets an empty environment.
		env -i PATH="$PATH" docker-registry serve "$REGISTRY_DIR/config.yml" >>"$REGISTRY_LOG" 2>&1 &
		REGISTRY_PID=$!
		STARTED_PIDS+=("$REGISTRY_PID")
		wait_until 20 hub_listening_or_gone "$REGISTRY_PID" "$port"
		if hub_listening "$REGISTRY_PID" "$port"; then
			wait_until 20 registry_answers && break
			echo "registry: /v2/ does not answer" >&2
			return 1
		fi
		stop_pid "$REGISTRY_PID"
		echo "registry: could not listen on $port, attempt $attempt" >>"$REGISTRY_LOG"
		if [ "$attempt" = 5 ] || ! grep -q "address already in use" "$REGISTRY_LOG"; then
			echo "registry did not start" >&2
			tail -n 20 "$REGISTRY_LOG" >&2
			return 1
		fi
	done
	export REGISTRY REGISTRY_URL REGISTRY_PID REGISTRY_DIR REGISTRY_LOG REGISTRY_USER \
		REGISTRY_PASSWORD REGISTRY_CA REGISTRY_CERT_DIR TOKEN_URL TOKEN_SERVICE TOKEN_PID \
		TOKEN_LOG HOSTILE_ESCAPE_DIR
}

# The four variants the pull tests need; combine options with registry_start directly
# (e.g. registry_start --tls --basic u p).
registry_start_plain() { registry_start; }                       # HTTP, anonymous
registry_start_basic() { registry_start --basic "${1:-tether}" "${2:-basic-secret}"; }
registry_start_token() { registry_start --token "${1:-tether}" "${2:-token-secret}"; }
registry_start_tls() { registry_start --tls "$@"; }              # HTTPS, private CA

# registry_answers: /v2/ gives 200 (anonymous) or 401 (auth needed): the server is serving.
registry_answers() {
	local code
	code=$(curl -s -o /dev/null -w '%{http_code}' ${REGISTRY_CA:+--cacert "$REGISTRY_CA"} \
		"$REGISTRY_URL/v2/") || return 1
	[ "$code" = 200 ] || [ "$code" = 401 ]
}

# registry_write_config PORT TLS AUTH: the registry's config.yml. No blob descriptor cache, so
# that a blob corrupted in storage is served as it is on disk; no storage health check, whose
# periodic probes would only add noise to the log.
registry_write_config() {
	local port=$1 tls=$2 auth=$3
	cat <<YAML
version: 0.1
log:
  level: info
  fields:
    service: tether-test-registry
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR/storage
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: tether-test-$RANDOM$RANDOM
  headers:
    X-Content-Type-Options: [nosniff]
YAML
	if [ -n "$tls" ]; then
		cat <<YAML
  tls:
    certificate: $REGISTRY_DIR/tls/server.pem
    key: $REGISTRY_DIR/tls/server.key
YAML
	fi
	case "$auth" in
	basic)
		cat <<YAML
auth:
  htpasswd:
    realm: tether-test
    path: $REGISTRY_DIR/htpasswd
YAML
		;;
	token)
		cat <<YAML
auth:
  token:
    realm: $TOKEN_URL
    service: $TOKEN_SERVICE
    issuer: tether-test-issuer
    rootcertbundle: $REGISTRY_DIR/token/ca.pem
YAML
		;;
	esac
}

# registry_make_tls DIR: a private CA (DIR/tls/ca.pem) and the registry's certificate for
# IP 127.0.0.1 and DNS localhost signed by it; sets REGISTRY_CA and REGISTRY_CERT_DIR (ca.crt
# is the name skopeo and containers/image look for).
registry_make_tls() {
	local d=$1/tls
	mkdir -p "$d/cert-dir"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=tether registry test CA $RANDOM" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign \
		-keyout "$d/ca.key" -out "$d/ca.pem" >>"$d/openssl.log" 2>&1 || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-subj /CN=127.0.0.1 -keyout "$d/server.key" -out "$d/server.csr" >>"$d/openssl.log" 2>&1 || return 1
	printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' \
		>"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 1 -extfile "$d/server.ext" -out "$d/server.pem" >>"$d/openssl.log" 2>&1 || return 1
	cp "$d/ca.pem" "$d/cert-dir/ca.crt"
	REGISTRY_CA=$d/ca.pem
	REGISTRY_CERT_DIR=$d/cert-dir
}

# token_server_start DIR USER PASSWORD: a token CA (DIR/token/ca.pem, the registry's
# rootcertbundle), an RSA signing certificate it signed, and token-server.py on a port the
# kernel picks. Sets TOKEN_URL, TOKEN_SERVICE, TOKEN_PID, TOKEN_LOG. TOKEN_EXPIRES_IN
# (seconds, default 300) and TOKEN_ANONYMOUS_PULL=1 are passed on to the server.
token_server_start() {
	local d=$1/token
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=tether token CA $RANDOM" \
		-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign \
		-keyout "$d/ca.key" -out "$d/ca.pem" >>"$d/openssl.log" 2>&1 || return 1
	openssl req -new -newkey rsa:2048 -nodes -subj /CN=tether-token-signer \
		-keyout "$d/signer.key" -out "$d/signer.csr" >>"$d/openssl.log" 2>&1 || return 1
	printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' >"$d/signer.ext"
	openssl x509 -req -in "$d/signer.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
		-days 1 -extfile "$d/signer.ext" -out "$d/signer.pem" >>"$d/openssl.log" 2>&1 || return 1
	TOKEN_SERVICE=tether-test-registry
	TOKEN_LOG=$WORK/token-server-$REGISTRY_COUNT.log
	rm -f "$d/port"
	python3 "$REGISTRY_HERE/token-server.py" --port-file "$d/port" --key "$d/signer.key" \
		--cert "$d/signer.pem" --issuer tether-test-issuer --service "$TOKEN_SERVICE" \
		--user "$2" --password "$3" --expires-in "${TOKEN_EXPIRES_IN:-300}" \
		${TOKEN_ANONYMOUS_PULL:+--anonymous-pull} --log "$TOKEN_LOG" >>"$d/stderr.log" 2>&1 &
	TOKEN_PID=$!
	STARTED_PIDS+=("$TOKEN_PID")
	wait_until 20 test -s "$d/port" || { echo "token server did not start" >&2; cat "$d/stderr.log" >&2; return 1; }
	TOKEN_URL=http://127.0.0.1:$(cat "$d/port")/token
}

# registry_curl ARGS...: curl with what the current variant needs to be trusted (its CA) and
# basic credentials when it has some (a token registry wants a token: use registry_token).
registry_curl() {
	local args=(-sS)
	[ -n "$REGISTRY_CA" ] && args+=(--cacert "$REGISTRY_CA")
	[ -n "$REGISTRY_USER" ] && [ -z "$TOKEN_URL" ] && args+=(-u "$REGISTRY_USER:$REGISTRY_PASSWORD")
	curl "${args[@]}" "$@"
}

# registry_token SCOPE [USER PASSWORD]: prints a token for SCOPE (repository:NAME:pull) from
# the token server, with the registry's credentials unless others are given.
registry_token() {
	curl -sSf -u "${2:-$REGISTRY_USER}:${3:-$REGISTRY_PASSWORD}" -G \
		--data-urlencode "service=$TOKEN_SERVICE" --data-urlencode "scope=$1" "$TOKEN_URL" |
		jq -r .token
}

# registry_skopeo_dest_args: skopeo's destination options for the current registry, one a line.
registry_skopeo_dest_args() {
	if [ -n "$REGISTRY_CERT_DIR" ]; then
		printf '%s\n' --dest-cert-dir "$REGISTRY_CERT_DIR"
	else
		printf '%s\n' --dest-tls-verify=false
	fi
	[ -n "$REGISTRY_USER" ] && printf '%s\n' --dest-creds "$REGISTRY_USER:$REGISTRY_PASSWORD"
	return 0
}

# registry_build_images: the OCI layouts of every image under $WORK/images, once per test
# (make-images.py; the bench image only when its layers are asked for).
registry_build_images() {
	local want_bench=$1
	mkdir -p "$HOSTILE_ESCAPE_DIR"
	if [ ! -f "$WORK/images/images.json" ] || { [ -n "$want_bench" ] && [ ! -d "$WORK/images/bench" ]; }; then
		python3 "$REGISTRY_HERE/make-images.py" --out "$WORK/images" \
			--escape-dir "$HOSTILE_ESCAPE_DIR" ${want_bench:+--bench} \
			--bench-layers "${BENCH_LAYERS:-8}" --bench-layer-mib "${BENCH_LAYER_MIB:-5}" \
			>>"$WORK/make-images.log" 2>&1 || { echo "make-images.py failed" >&2; tail -n 20 "$WORK/make-images.log" >&2; return 1; }
	fi
}

REGISTRY_ALL_IMAGES="busybox multiarch zstd whiteout docker-v2s2 corrupt hostile-dotdot
hostile-absolute hostile-symlink hostile-hardlink hostile-chardev"

# registry_push_images [NAME...]: builds (once) and pushes the named images (default: all but
# bench) to the current registry with skopeo; sets IMAGE_<NAME>_REF/_REPO/_DIGEST.
registry_push_images() {
	local names=("$@") name want_bench="" dest var layout
	[ ${#names[@]} -gt 0 ] || read -r -d '' -a names <<<"$REGISTRY_ALL_IMAGES"
	for name in "${names[@]}"; do [ "$name" = bench ] && want_bench=1; done
	registry_build_images "$want_bench" || return 1
	local dest_args=()
	mapfile -t dest_args < <(registry_skopeo_dest_args)
	for name in "${names[@]}"; do
		layout=$WORK/images/$name
		[ "$name" = docker-v2s2 ] && layout=$WORK/images/busybox
		[ -d "$layout" ] || { echo "registry_push_images: no image $name" >&2; return 1; }
		dest=$REGISTRY/$REGISTRY_REPO_PREFIX/$name:1.0
		local extra=()
		[ "$name" = multiarch ] && extra+=(--all)
		[ "$name" = docker-v2s2 ] && extra+=(--format v2s2)
		skopeo copy -q "${extra[@]}" "${dest_args[@]}" --digestfile "$REGISTRY_DIR/digests/$name" \
			"oci:$layout:1.0" "docker://$dest" >>"$WORK/skopeo.log" 2>&1 ||
			{ echo "skopeo could not push $name" >&2; tail -n 5 "$WORK/skopeo.log" >&2; return 1; }
		var=IMAGE_$(tr 'a-z-' 'A-Z_' <<<"$name")
		printf -v "${var}_REF" '%s' "$dest"
		printf -v "${var}_REPO" '%s' "$REGISTRY_REPO_PREFIX/$name"
		printf -v "${var}_DIGEST" '%s' "$(cat "$REGISTRY_DIR/digests/$name")"
		export "${var}_REF" "${var}_REPO" "${var}_DIGEST"
	done
	if [ -f "$REGISTRY_DIR/digests/multiarch" ]; then
		IMAGE_MULTIARCH_AMD64_DIGEST=$(jq -r '.multiarch.platforms.amd64' "$WORK/images/images.json")
		IMAGE_MULTIARCH_ARM64_DIGEST=$(jq -r '.multiarch.platforms.arm64' "$WORK/images/images.json")
		export IMAGE_MULTIARCH_AMD64_DIGEST IMAGE_MULTIARCH_ARM64_DIGEST
	fi
}

# registry_push_curl LAYOUT REPO TAG: pushes the OCI layout's image tagged 1.0 (one manifest,
# not an index) with curl as the distribution spec describes it (POST an upload, PUT the blob
# with its digest, PUT the manifest), for a manifest or blob skopeo would refuse to copy. Works
# with every variant (a token variant gets a push token first). Prints the manifest's digest.
registry_push_curl() {
	local layout=$1 repo=$2 tag=$3 auth=() mdesc mtype digest location blob
	if [ -n "$TOKEN_URL" ]; then
		auth=(-H "Authorization: Bearer $(registry_token "repository:$repo:pull,push")")
	fi
	mdesc=$(jq -c '.manifests[] | select(.annotations["org.opencontainers.image.ref.name"] == "1.0")' \
		"$layout/index.json")
	mtype=$(jq -r .mediaType <<<"$mdesc")
	digest=$(jq -r .digest <<<"$mdesc")
	for blob in $(jq -r '.config.digest, .layers[].digest' "$layout/blobs/sha256/${digest#sha256:}"); do
		location=$(registry_curl -f -o /dev/null -D - "${auth[@]}" -X POST \
			"$REGISTRY_URL/v2/$repo/blobs/uploads/" | tr -d '\r' | awk -F': ' 'tolower($1) == "location" { print $2 }')
		[ -n "$location" ] || { echo "registry_push_curl: no upload location for $repo" >&2; return 1; }
		case "$location" in /*) location=$REGISTRY_URL$location ;; esac
		case "$location" in *\?*) location="$location&" ;; *) location="$location?" ;; esac
		registry_curl -f -o /dev/null "${auth[@]}" -X PUT -H 'Content-Type: application/octet-stream' \
			--data-binary "@$layout/blobs/sha256/${blob#sha256:}" "${location}digest=$blob" ||
			{ echo "registry_push_curl: blob $blob refused" >&2; return 1; }
	done
	registry_curl -f -o /dev/null "${auth[@]}" -X PUT -H "Content-Type: $mtype" \
		--data-binary "@$layout/blobs/sha256/${digest#sha256:}" "$REGISTRY_URL/v2/$repo/manifests/$tag" ||
		{ echo "registry_push_curl: manifest refused" >&2; return 1; }
	echo "$digest"
}

# hostile_escapes: lists what a hostile image managed to write outside its root (in
# $HOSTILE_ESCAPE_DIR, which exists so that an escape succeeds rather than failing on a missing
# folder); true when nothing did.
hostile_escapes() {
	local found
	found=$(find "$HOSTILE_ESCAPE_DIR" -mindepth 1 2>/dev/null)
	[ -z "$found" ] || { echo "$found"; return 1; }
}

# registry_blob_path DIGEST: where the registry keeps a blob's bytes.
registry_blob_path() {
	local hex=${1#sha256:}
	echo "$REGISTRY_DIR/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
}

# registry_corrupt_blob DIGEST: flips one byte in the middle of the stored blob, keeping its
# size, so the registry serves wrong bytes under the right digest and length. Blobs are shared
# by every repository of the registry: spoil only a blob no other image uses.
registry_corrupt_blob() {
	local f size off byte
	f=$(registry_blob_path "$1")
	[ -f "$f" ] || { echo "registry_corrupt_blob: no blob $1" >&2; return 1; }
	size=$(stat -c %s "$f")
	off=$((size / 2))
	byte=$(od -An -tu1 -j "$off" -N1 "$f" | tr -d ' ')
	printf '%b' "\\0$(printf '%03o' $(((byte + 1) % 256)))" |
		dd of="$f" bs=1 seek="$off" conv=notrunc status=none
}

# registry_corrupt_image NAME: spoils the top layer of the pushed image NAME (meant for
# "corrupt", whose top layer is its own); prints the layer's digest.
registry_corrupt_image() {
	local digest
	digest=$(jq -r --arg n "$1" '.[$n].layers[-1].digest' "$WORK/images/images.json")
	registry_corrupt_blob "$digest" && echo "$digest"
}

# cut_proxy_start BYTES [UPSTREAM]: cut-proxy.py in front of the (plain HTTP) registry: the
# first blob GET whose body exceeds BYTES gets only its first BYTES body bytes, then the
# connection closes; everything else passes (at CUT_PROXY_RATE bytes a second when set). Sets CUT_PROXY (host:port), CUT_PROXY_URL,
# CUT_PROXY_PID and CUT_PROXY_LOG (JSON lines: requests with their Range header, the cut).
cut_proxy_start() {
	local d=$WORK/cut-proxy-$RANDOM
	mkdir -p "$d"
	CUT_PROXY_LOG=$d.log
	python3 "$REGISTRY_HERE/cut-proxy.py" --upstream "${2:-$REGISTRY}" --cut-bytes "$1" \
		--rate "${CUT_PROXY_RATE:-0}" \
		--port-file "$d/port" --log "$CUT_PROXY_LOG" >>"$d/stderr.log" 2>&1 &
	CUT_PROXY_PID=$!
	STARTED_PIDS+=("$CUT_PROXY_PID")
	wait_until 20 test -s "$d/port" || { echo "cut proxy did not start" >&2; cat "$d/stderr.log" >&2; return 1; }
	CUT_PROXY=127.0.0.1:$(cat "$d/port")
	CUT_PROXY_URL=http://$CUT_PROXY
	export CUT_PROXY CUT_PROXY_URL CUT_PROXY_PID CUT_PROXY_LOG
}
