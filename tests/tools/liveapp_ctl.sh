#!/bin/sh
# liveapp_ctl.sh start|stop|restart DIR PORT [RATE] — the live-mode tests'
# stop_command and start_command: liveapp.py (beside this script) reading
# DIR/.env, logging to DIR/acks.log, its output in DIR/app.out, its pid in
# DIR/app.pid, serving /health on 127.0.0.1:PORT, writing RATE times a second
# (100). start runs it in the background (nothing when it already runs);
# stop sends SIGTERM and waits until it has ended (SIGKILL after 20 s).
# Debian's python3: the one with python3-sqlalchemy, -psycopg2 and -dotenv.
here=$(cd "$(dirname "$0")" && pwd)
cmd=$1 dir=$2 port=$3 rate=${4:-100}
pidf="$dir/app.pid"

# alive: a zombie (ended, not yet reaped by whoever adopted it) is not
alive() { kill -0 "$1" 2>/dev/null && ! grep -q '^State:.*Z' "/proc/$1/status" 2>/dev/null; }
running() { [ -s "$pidf" ] && alive "$(cat "$pidf")"; }

start() {
	running && return 0
	nohup /usr/bin/python3 "$here/liveapp.py" --env "$dir/.env" --log "$dir/acks.log" \
		--port "$port" --rate "$rate" >>"$dir/app.out" 2>&1 </dev/null &
	echo $! >"$pidf"
}

stop() {
	running || { rm -f "$pidf"; return 0; }
	pid=$(cat "$pidf")
	kill -TERM "$pid"
	i=0
	while alive "$pid"; do
		i=$((i + 1))
		[ $i -gt 1000 ] && kill -KILL "$pid"
		sleep 0.02
	done
	rm -f "$pidf"
}

case "$cmd" in
start) start ;;
stop) stop ;;
restart) stop && start ;;
*) echo "usage: liveapp_ctl.sh start|stop|restart DIR PORT [RATE]" >&2; exit 2 ;;
esac
