# shellcheck shell=bash
# scripts/bench proxy: keyhop's /proxy against nginx as a plain header-stamping reverse proxy,
# both in front of one upstream on 127.0.0.1, plain HTTP and HTTPS. Sourced by scripts/bench
# (which defines log, build and write_section); docs/benchmarks.md explains the columns.

# Only this benchmark needs them: scripts/test and scripts/run do not install them.
# shellcheck disable=SC2034  # used by scripts/bench
BENCH_PROXY_PACKAGES=(nginx wrk openssl)

# Five shorter rounds rather than three long ones, in the same time: a median of five is not
# moved by one round that other work on the machine slowed down.
bench_seconds=${BENCH_SECONDS:-6}
bench_rounds=${BENCH_ROUNDS:-5}
bench_connections=${BENCH_CONNECTIONS:-64}
bench_threads=${BENCH_THREADS:-2}
bench_warmup=${BENCH_WARMUP_SECONDS:-2}
bench_targets=${BENCH_TARGETS:-direct nginx keyhop}

bench_user=bench-user
get_answer='{"id":1,"name":"small","ok":true}'
post_answer='{"id":2,"created":true}'
post_body='{"name":"bench","items":[1,2,3],"note":"a small request body"}'

# free_port VAR: a loopback port nothing listens on, not handed out before in this run.
used_ports=()
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    case " ${used_ports[*]} " in *" $port "*) continue ;; esac
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && continue
    used_ports+=("$port")
    printf -v "$1" '%s' "$port"
    return
  done
}

# wait_until SECONDS PID COMMAND...: retries COMMAND every 0.1 s while PID lives.
wait_until() {
  local tries=$(($1 * 10)) pid=$2
  shift 2
  for _ in $(seq "$tries"); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

# cpu_ticks PID...: user + system clock ticks of the processes (all their threads) so far.
cpu_ticks() {
  local total=0 pid fields
  for pid in "$@"; do
    # The command name is in parentheses and may hold spaces: read what follows it.
    fields=$(sed 's/^.*) //' "/proc/$pid/stat")
    total=$((total + $(echo "$fields" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}

# child_pids PID: the processes whose parent is PID (an nginx master's workers).
child_pids() {
  local parent=$1 stat rest ppid
  for stat in /proc/[0-9]*/stat; do
    rest=$(cat "$stat" 2>/dev/null) || continue
    rest=${rest##*) }  # after the command name: state, parent, ...
    read -r _ ppid _ <<<"$rest"
    [ "$ppid" = "$parent" ] && echo "${stat//[^0-9]/}"
  done
  return 0
}

make_certificates() {
  local dir=$1
  log "generating a CA and a certificate for localhost"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=keyhop bench CA" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
    -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:localhost,IP:127.0.0.1" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth" \
    >"$dir/server.ext"
  openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
    -set_serial "0x$(openssl rand -hex 8)" -days 2 -extfile "$dir/server.ext" \
    -out "$dir/server.pem" 2>/dev/null
}

# The lines every nginx instance here shares: its own pid file and temp dirs under DIR.
nginx_common() {
  local dir=$1
  cat <<CONF
pid $dir/nginx.pid;
worker_processes auto;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $dir/client_body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
CONF
}

# The upstream: a fixed small answer to GET /small and another to POST /small (nginx reads and
# discards the body before a `return`, so kept-alive POSTs work), 401 unless the request
# carries the stamped token, so a proxy that stamps nothing fails the preflight.
write_upstream_conf() {
  local dir=$1
  mkdir -p "$dir"
  {
    nginx_common "$dir"
    cat <<CONF
  default_type application/json;
  client_body_buffer_size 16k;
  ssl_certificate $tmp/server.pem;
  ssl_certificate_key $tmp/server.key;
  ssl_session_cache shared:bench:1m;
  server {
    listen 127.0.0.1:$upstream_port;
    listen 127.0.0.1:$upstream_tls_port ssl;
    location = /small {
      if (\$http_authorization != "Bearer $upstream_token") { return 401 '{"error":"bad token"}'; }
      if (\$request_method = POST) { return 200 '$post_answer'; }
      return 200 '$get_answer';
    }
  }
}
CONF
  } >"$dir/nginx.conf"
}

# nginx as the anchor: stamps the token and forwards to kept-alive upstream connections, under
# the same paths keyhop serves (/proxy/INTEGRATION/...), dropping the caller's Keyhop-User-Id
# as keyhop does.
write_nginx_proxy_conf() {
  local dir=$1 scheme name upstream
  mkdir -p "$dir"
  {
    nginx_common "$dir"
    cat <<CONF
  upstream bench_plain {
    server 127.0.0.1:$upstream_port;
    keepalive 64;
    keepalive_requests 1000000;
  }
  upstream bench_tls {
    server 127.0.0.1:$upstream_tls_port;
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:$nginx_port;
CONF
    for scheme in http https; do
      name=$(integration_for "$scheme")
      upstream=bench_plain
      [ "$scheme" = https ] && upstream=bench_tls
      cat <<CONF
    location /proxy/$name/ {
      proxy_pass $scheme://$upstream/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Authorization "Bearer $upstream_token";
      proxy_set_header Keyhop-User-Id "";
CONF
      if [ "$scheme" = https ]; then
        cat <<CONF
      proxy_ssl_session_reuse on;
      proxy_ssl_verify on;
      proxy_ssl_trusted_certificate $tmp/ca.pem;
      proxy_ssl_server_name on;
      proxy_ssl_name localhost;
CONF
      fi
      echo "    }"
    done
    printf '  }\n}\n'
  } >"$dir/nginx.conf"
}

integration_for() { [ "$1" = https ] && echo bench-tls || echo bench-plain; }

# start_nginx DIR VAR: runs the nginx instance configured in DIR, its master's pid in VAR.
start_nginx() {
  local dir=$1 pid
  nginx -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" -g 'daemon off;' &
  pid=$!
  pids+=("$pid")
  printf -v "$2" '%s' "$pid"
}

# The account, integrations and connections keyhop proxies with, made through its CLI and API
# like a developer would.
write_descriptor() {
  local scheme=$1 base_url=http://127.0.0.1:$upstream_port id
  [ "$scheme" = https ] && base_url=https://localhost:$upstream_tls_port
  id=$(integration_for "$scheme")
  cat >"$tmp/providers.d/$id.yaml" <<YAML
# Written by scripts/bench proxy: the benchmark's upstream, $scheme.
id: $id
name: Benchmark upstream ($scheme)
auth: api_key
api:
  base_url: $base_url
  stamp: {header: Authorization, format: "Bearer \${api_key}"}
YAML
}

start_keyhop() {
  local keyhop=$1 scheme
  mkdir -p "$tmp/providers.d" "$tmp/plugins"
  (umask 077 && mkdir -p "$tmp/keyhop")
  export KEYHOP_DATA_DIR=$tmp/keyhop KEYHOP_BIND=127.0.0.1 KEYHOP_PORT=$keyhop_port
  export KEYHOP_PROVIDERS_PATH=$tmp/providers.d KEYHOP_PLUGIN_PATH=$tmp/plugins
  export KEYHOP_CA_FILE=$tmp/ca.pem
  unset KEYHOP_CONFIG KEYHOP_STORE KEYHOP_MASTER_KEYS KEYHOP_MASTER_KEY_FILE
  for scheme in http https; do write_descriptor "$scheme"; done
  "$keyhop" keys init >/dev/null
  secret_key=$("$keyhop" accounts create bench | sed -n 's/^  secret key: //p')
  [ -n "$secret_key" ] || { echo "keyhop accounts create printed no secret key" >&2; return 1; }
  for scheme in http https; do
    "$keyhop" integrations add bench "$(integration_for "$scheme")" >/dev/null
  done
  "$keyhop" serve >"$tmp/keyhop.log" 2>&1 &
  keyhop_pid=$!
  pids+=("$keyhop_pid")
  if ! wait_until 30 "$keyhop_pid" curl -sf "http://127.0.0.1:$keyhop_port/healthz"; then
    cat "$tmp/keyhop.log" >&2
    echo "keyhop did not start" >&2
    return 1
  fi
  for scheme in http https; do
    curl -sS --fail-with-body -o /dev/null -X POST "http://127.0.0.1:$keyhop_port/v1/connections" \
      -H "Authorization: Bearer $secret_key" -H 'Content-Type: application/json' \
      -d "{\"integration\":\"$(integration_for "$scheme")\",\"user_id\":\"$bench_user\",\
\"api_key\":\"$upstream_token\"}"
  done
}

# url_for TARGET SCHEME and headers_for TARGET: what wrk and the preflight send. The caller of
# a proxy sends what a keyhop caller sends (its secret key, the user id); nginx swaps the key
# for the token, keyhop looks the token up. The direct caller sends the token itself.
url_for() {
  local target=$1 scheme=$2
  case $target in
    direct)
      if [ "$scheme" = https ]; then
        echo "https://localhost:$upstream_tls_port/small"
      else
        echo "http://127.0.0.1:$upstream_port/small"
      fi
      ;;
    nginx) echo "http://127.0.0.1:$nginx_port/proxy/$(integration_for "$scheme")/small" ;;
    keyhop) echo "http://127.0.0.1:$keyhop_port/proxy/$(integration_for "$scheme")/small" ;;
  esac
}

headers_for() {
  if [ "$1" = direct ]; then
    echo "Authorization: Bearer $upstream_token"
  else
    printf '%s\n' "Authorization: Bearer ${secret_key:-sk_nginx_ignores_it}" \
      "Keyhop-User-Id: $bench_user"
  fi
}

# Each target must answer each request with 200 and the upstream's exact body before any
# number is taken.
preflight() {
  local target scheme method url expected answer headers=() line
  for target in $bench_targets; do
    for scheme in http https; do
      for method in GET POST; do
        url=$(url_for "$target" "$scheme")
        expected=$get_answer
        [ "$method" = POST ] && expected=$post_answer
        headers=()
        while IFS= read -r line; do headers+=(-H "$line"); done < <(headers_for "$target")
        if [ "$method" = POST ]; then
          headers+=(-H 'Content-Type: application/json' --data-binary "$post_body")
        fi
        answer=$(curl -sS --cacert "$tmp/ca.pem" -X "$method" "${headers[@]}" \
          -w '\n%{http_code}' "$url" 2>&1) || true
        if [ "$answer" != "$expected"$'\n200' ]; then
          echo "preflight: $method $url ($target, $scheme upstream) answered:" >&2
          echo "$answer" >&2
          if [ "$target" = keyhop ]; then
            echo "(keyhop must serve /proxy/{integration}/{path}; to measure the others" \
              "without it: BENCH_TARGETS='direct nginx' scripts/bench proxy)" >&2
          fi
          return 1
        fi
      done
    done
  done
}

# wrk's script: method, body and headers from the environment; one machine-readable line at
# the end (latency in microseconds).
write_wrk_script() {
  cat >"$tmp/bench.lua" <<'LUA'
wrk.method = os.getenv("BENCH_METHOD")
if wrk.method == "POST" then
  wrk.body = os.getenv("BENCH_BODY")
  wrk.headers["Content-Type"] = "application/json"
end
for name, value in string.gmatch(os.getenv("BENCH_HEADERS"), "([^:\n]+): ([^\n]*)") do
  wrk.headers[name] = value
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("result %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status,
    e.connect + e.read + e.write + e.timeout))
end
LUA
}

# measure SCHEME METHOD CONNECTIONS THREADS SECONDS TARGET ROUND: one wrk run; appends a line to
# results.tsv unless ROUND is "warmup".
measure() {
  local scheme=$1 method=$2 connections=$3 threads=$4 seconds=$5 target=$6 round=$7
  local url out cpu_pids=() before=0 after ticks result requests duration p50 p99 status socket
  url=$(url_for "$target" "$scheme")
  case $target in
    keyhop) cpu_pids=("$keyhop_pid") ;;
    nginx) cpu_pids=("${nginx_workers[@]}") ;;
  esac
  ((${#cpu_pids[@]})) && before=$(cpu_ticks "${cpu_pids[@]}")
  out=$tmp/wrk-$scheme-$method-$connections-$target-$round.txt
  BENCH_METHOD=$method BENCH_BODY=$post_body BENCH_HEADERS=$(headers_for "$target") \
    wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency -s "$tmp/bench.lua" "$url" \
    >"$out" 2>&1 || { cat "$out" >&2; return 1; }
  [ "$round" = warmup ] && return 0
  after=$before
  ((${#cpu_pids[@]})) && after=$(cpu_ticks "${cpu_pids[@]}")
  result=$(sed -n 's/^result //p' "$out")
  [ -n "$result" ] || { cat "$out" >&2; echo "wrk printed no result" >&2; return 1; }
  read -r requests duration p50 p99 status socket <<<"$result"
  ticks=$((after - before))
  awk -v s="$scheme" -v m="$method" -v c="$connections" -v r="$round" -v t="$target" \
    -v n="$requests" -v d="$duration" -v p50="$p50" -v p99="$p99" -v st="$status" \
    -v so="$socket" -v ticks="$ticks" -v hz="$clock_ticks" -v cpu="${#cpu_pids[@]}" 'BEGIN {
      rps = n / (d / 1e6)
      per = (cpu && n) ? sprintf("%.1f", ticks * 1e6 / hz / n) : "-"
      printf "%s\t%s\t%s\t%s\t%s\t%d\t%.0f\t%d\t%d\t%d\t%d\t%s\n", s, m, c, r, t, n, rps, p50,
        p99, st, so, per
    }' >>"$tmp/results.tsv"
  log "  $target: $(tail -1 "$tmp/results.tsv" | awk -F'\t' '{
    printf "%s req/s, p50 %s us, p99 %s us, errors %d (status %d, socket %d), CPU/req %s us",
      $7, $8, $9, $10 + $11, $10, $11, $12
  }')"
}

# The report: markdown tables from results.tsv, medians over the rounds.
report() {
  awk -F'\t' -v targets="$bench_targets" -v loaded="$bench_connections" \
    -v rounds="$bench_rounds" -v threads="$bench_threads" '
    function median(list,   v, n, i, j, x) {
      n = split(list, v, " ")
      if (n == 0) return ""
      for (i = 2; i <= n; i++) {
        x = v[i] + 0
        for (j = i - 1; j >= 1 && v[j] + 0 > x; j--) v[j + 1] = v[j]
        v[j + 1] = x
      }
      return n % 2 ? v[(n + 1) / 2] + 0 : (v[n / 2] + v[n / 2 + 1]) / 2
    }
    function commas(x,   s) {
      s = sprintf("%.0f", x)
      while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]([,]|$)/, ",&", s)
      return s
    }
    function m(key, field) { return (key SUBSEP field) in values ? median(values[key, field]) : "" }
    function cell(x, fmt) { return x == "" ? "—" : sprintf(fmt, x) }
    function added(x, direct) { return (x == "" || direct == "") ? "" : x - direct }
    # The ratios are per round first (keyhop against nginx measured seconds apart), then the
    # median of those: load from elsewhere that comes and goes between rounds cancels out,
    # where a ratio of two medians could pair a quiet round of one with a busy round of the other.
    function roundRatio(k, n,   r, list) {
      list = ""
      for (r in round_seen) {
        if (!((k SUBSEP r) in rps_at) || !((n SUBSEP r) in rps_at)) continue
        if (rps_at[n SUBSEP r] > 0) list = list " " rps_at[k SUBSEP r] / rps_at[n SUBSEP r]
      }
      return median(list)
    }
    # A round where nginx added nothing over direct has no ratio, and is left out.
    function roundAddedRatio(k, n, d,   r, list, nginx_added) {
      list = ""
      for (r in round_seen) {
        if (!((k SUBSEP r) in p50_at) || !((n SUBSEP r) in p50_at) || !((d SUBSEP r) in p50_at))
          continue
        nginx_added = p50_at[n SUBSEP r] - p50_at[d SUBSEP r]
        if (nginx_added > 0) list = list " " (p50_at[k SUBSEP r] - p50_at[d SUBSEP r]) / nginx_added
      }
      return median(list)
    }
    {
      key = $1 SUBSEP $2 SUBSEP $3 SUBSEP $5
      round_seen[$4] = 1
      rps_at[key SUBSEP $4] = $7
      p50_at[key SUBSEP $4] = $8
      values[key, "rps"] = values[key, "rps"] " " $7
      values[key, "p50"] = values[key, "p50"] " " $8
      values[key, "p99"] = values[key, "p99"] " " $9
      if ($12 != "-") values[key, "cpu"] = values[key, "cpu"] " " $12
      errors[key] += $10 + $11
      seen[key] = 1
    }
    function errs(key) { return (key in seen) ? errors[key] : "—" }
    function upstream(s) { return s == "https" ? "HTTPS" : "plain HTTP" }
    END {
      rounds_text = rounds == 1 ? "1 round" : rounds " rounds"
      printf "### %d connections (wrk -t%d -c%d), median of %s\n\n", loaded, threads,
        loaded, rounds_text
      print "| upstream | request | req/s direct | req/s nginx | req/s keyhop | keyhop/nginx" \
        " | p50 / p99 µs direct | p50 / p99 µs nginx | p50 / p99 µs keyhop" \
        " | added p50 keyhop/nginx | CPU µs/req nginx | CPU µs/req keyhop | errors d / n / k |"
      print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |" \
        " ---: |"
      for (si = 1; si <= 2; si++) for (mi = 1; mi <= 2; mi++) {
        s = si == 1 ? "http" : "https"; me = mi == 1 ? "GET" : "POST"
        d = s SUBSEP me SUBSEP loaded SUBSEP "direct"
        n = s SUBSEP me SUBSEP loaded SUBSEP "nginx"
        k = s SUBSEP me SUBSEP loaded SUBSEP "keyhop"
        tr = roundRatio(k, n)
        ar = roundAddedRatio(k, n, d)
        throughput[s, me] = tr
        printf "| %s | %s | %s | %s | %s | %s | %s / %s | %s / %s | %s / %s | %s | %s | %s" \
          " | %s / %s / %s |\n", upstream(s), me,
          m(d, "rps") == "" ? "—" : commas(m(d, "rps")),
          m(n, "rps") == "" ? "—" : commas(m(n, "rps")),
          m(k, "rps") == "" ? "—" : commas(m(k, "rps")), cell(tr, "%.2fx"),
          cell(m(d, "p50"), "%d"), cell(m(d, "p99"), "%d"), cell(m(n, "p50"), "%d"),
          cell(m(n, "p99"), "%d"), cell(m(k, "p50"), "%d"), cell(m(k, "p99"), "%d"),
          cell(ar, "%.2fx"), cell(m(n, "cpu"), "%.1f"), cell(m(k, "cpu"), "%.1f"),
          errs(d), errs(n), errs(k)
      }
      printf "\n### 1 connection (wrk -t1 -c1): latency a proxy adds, median of %s\n\n",
        rounds_text
      print "| upstream | request | p50 µs direct | p50 µs nginx (added)" \
        " | p50 µs keyhop (added)" \
        " | added p50 keyhop/nginx | p99 µs direct / nginx / keyhop | req/s nginx / keyhop" \
        " | errors d / n / k |"
      print "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
      for (si = 1; si <= 2; si++) for (mi = 1; mi <= 2; mi++) {
        s = si == 1 ? "http" : "https"; me = mi == 1 ? "GET" : "POST"
        d = s SUBSEP me SUBSEP 1 SUBSEP "direct"
        n = s SUBSEP me SUBSEP 1 SUBSEP "nginx"
        k = s SUBSEP me SUBSEP 1 SUBSEP "keyhop"
        na = added(m(n, "p50"), m(d, "p50")); ka = added(m(k, "p50"), m(d, "p50"))
        ar = roundAddedRatio(k, n, d)
        unloaded[s, me] = ar
        printf "| %s | %s | %s | %s (%s) | %s (%s) | %s | %s / %s / %s | %s / %s" \
          " | %s / %s / %s |\n", upstream(s), me, cell(m(d, "p50"), "%d"),
          cell(m(n, "p50"), "%d"), cell(na, "%+d"), cell(m(k, "p50"), "%d"), cell(ka, "%+d"),
          cell(ar, "%.2fx"), cell(m(d, "p99"), "%d"), cell(m(n, "p99"), "%d"),
          cell(m(k, "p99"), "%d"),
          m(n, "rps") == "" ? "—" : commas(m(n, "rps")),
          m(k, "rps") == "" ? "—" : commas(m(k, "rps")), errs(d), errs(n), errs(k)
      }
      if (targets !~ /keyhop/ || targets !~ /nginx/ || targets !~ /direct/) exit
      printf "\nTargets (issue 5): throughput keyhop/nginx at least 0.90x:"
      for (si = 1; si <= 2; si++) for (mi = 1; mi <= 2; mi++) {
        s = si == 1 ? "http" : "https"; me = mi == 1 ? "GET" : "POST"
        printf " %s %s %s%s", upstream(s), me, cell(throughput[s, me], "%.2fx"),
          (throughput[s, me] != "" && throughput[s, me] >= 0.9) ? " (met)" : " (MISSED)"
        printf((si == 2 && mi == 2) ? ".\n" : ",")
      }
      printf "Added unloaded p50 keyhop/nginx at most 1.5x:"
      for (si = 1; si <= 2; si++) for (mi = 1; mi <= 2; mi++) {
        s = si == 1 ? "http" : "https"; me = mi == 1 ? "GET" : "POST"
        printf " %s %s %s%s", upstream(s), me, cell(unloaded[s, me], "%.2fx"),
          (unloaded[s, me] != "" && unloaded[s, me] <= 1.5) ? " (met)" : " (MISSED)"
        printf((si == 2 && mi == 2) ? ".\n" : ",")
      }
    }' "$tmp/results.tsv"
}

bench_proxy() {
  [ $# -eq 0 ] || { echo "scripts/bench proxy takes no arguments (settings: BENCH_*)" >&2; exit 2; }
  local target
  for target in $bench_targets; do
    case $target in direct | nginx | keyhop) ;; *)
      echo "BENCH_TARGETS: unknown target '$target' (direct, nginx, keyhop)" >&2
      exit 2
      ;;
    esac
  done
  local build_dir=${KEYHOP_BUILD_DIR:-$KEYHOP_ROOT/build} keyhop
  local command="BENCH_SECONDS=$bench_seconds BENCH_ROUNDS=$bench_rounds"
  command+=" BENCH_CONNECTIONS=$bench_connections BENCH_THREADS=$bench_threads"
  command+=" BENCH_WARMUP_SECONDS=$bench_warmup scripts/bench proxy"
  if [[ " $bench_targets " == *" keyhop "* ]]; then
    build "$build_dir" Release keyhop
    grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build_dir/CMakeCache.txt" || {
      echo "$build_dir is not a Release build: benchmark a Release build" \
        "(KEYHOP_BUILD_DIR names another build dir)" >&2
      exit 1
    }
    keyhop=$build_dir/bin/keyhop
  fi

  tmp=$(mktemp -d)
  chmod 755 "$tmp"  # nginx workers may run as another user than the master
  pids=()
  # shellcheck disable=SC2317  # run by the trap
  cleanup() {
    trap - EXIT INT TERM
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$tmp"
  }
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  clock_ticks=$(getconf CLK_TCK)
  upstream_token=$(openssl rand -hex 24)
  secret_key=
  # Set by free_port and start_nginx through printf -v.
  upstream_port='' upstream_tls_port='' nginx_port='' keyhop_port='' upstream_pid='' nginx_pid=''
  free_port upstream_port
  free_port upstream_tls_port
  free_port nginx_port
  free_port keyhop_port
  make_certificates "$tmp"
  write_wrk_script

  log "starting the upstream (nginx on 127.0.0.1:$upstream_port, TLS on :$upstream_tls_port)"
  write_upstream_conf "$tmp/upstream"
  start_nginx "$tmp/upstream" upstream_pid
  wait_until 10 "$upstream_pid" curl -s -o /dev/null "http://127.0.0.1:$upstream_port/" ||
    { cat "$tmp/upstream/error.log" >&2; echo "the upstream did not start" >&2; exit 1; }

  nginx_workers=()
  if [[ " $bench_targets " == *" nginx "* ]]; then
    log "starting nginx as the stamping proxy on 127.0.0.1:$nginx_port"
    write_nginx_proxy_conf "$tmp/nginx"
    start_nginx "$tmp/nginx" nginx_pid
    wait_until 10 "$nginx_pid" curl -s -o /dev/null "http://127.0.0.1:$nginx_port/" ||
      { cat "$tmp/nginx/error.log" >&2; echo "nginx did not start" >&2; exit 1; }
    mapfile -t nginx_workers < <(child_pids "$nginx_pid")
    ((${#nginx_workers[@]})) || { echo "nginx has no worker processes" >&2; exit 1; }
  fi
  if [[ " $bench_targets " == *" keyhop "* ]]; then
    log "starting keyhop on 127.0.0.1:$keyhop_port"
    start_keyhop "$keyhop"
  fi
  preflight

  local scheme method round connections threads load_avg
  load_avg=$(cut -d' ' -f1-3 /proc/loadavg)
  log "warming up ($bench_warmup s per target and upstream)"
  for scheme in http https; do
    for target in $bench_targets; do
      measure "$scheme" GET "$bench_connections" "$bench_threads" "$bench_warmup" "$target" warmup
    done
  done
  : >"$tmp/results.tsv"
  for round in $(seq "$bench_rounds"); do
    for scheme in http https; do
      for method in GET POST; do
        for connections in "$bench_connections" 1; do
          threads=$bench_threads
          [ "$connections" -lt "$threads" ] && threads=$connections
          log "round $round/$bench_rounds: $scheme upstream, $method, $connections connection(s)"
          for target in $bench_targets; do
            measure "$scheme" "$method" "$connections" "$threads" "$bench_seconds" "$target" \
              "$round"
          done
        done
      done
    done
  done

  local body errors
  body=$tmp/report.md
  {
    echo "Kernel $(uname -r); $(nginx -v 2>&1 | sed 's#.*/##' | sed 's/^/nginx /');" \
      "$(wrk --version 2>&1 | head -1 | awk '{ print "wrk " $2 }'); keyhop with its defaults" \
      "(one reactor per core), nginx with \`worker_processes auto\`; load average when the run" \
      "began: $load_avg (1, 5, 15 minutes: other work on the machine competes for its cores)."
    echo
    echo "Command: \`$command\`"
    echo
    report
  } >"$body"
  echo
  cat "$body"
  errors=$(awk -F'\t' '{ sum += $10 + $11 } END { print sum + 0 }' "$tmp/results.tsv")
  if [ "$errors" -ne 0 ]; then
    printf '\n\033[1;31m%s\033[0m\n' \
      "!!! $errors ERRORS (answers with status 400 or above, or socket errors):" \
      "!!! the numbers above are not valid; docs/benchmarks.md is left alone." >&2
    exit 1
  fi
  if [[ " $bench_targets " != *" keyhop "* || " $bench_targets " != *" nginx "* ||
    " $bench_targets " != *" direct "* ]]; then
    log "not all targets measured (BENCH_TARGETS='$bench_targets'): docs/benchmarks.md left alone"
    return
  fi
  write_section proxy "Proxy: keyhop against nginx" "$body"
}
